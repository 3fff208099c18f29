/**
 * Access tokens for Microsoft Graph with `@azure/msal-node`: one confidential client per tenant,
 * authenticated by a client secret, a certificate (PEM or PFX) or a federated assertion the
 * gateway signs itself. msal caches each token and renews it before it expires; concurrent
 * callers share one token request, and a token Graph refuses (401) is replaced once.
 */
import { ConfidentialClientApplication, type Configuration, LogLevel } from '@azure/msal-node';
import type { Logger } from '@scimgw/core';
import type { HelperRest } from '@scimgw/helper-rest';
import { loadCertificate } from './key-material.js';
import { msalNetworkClient } from './network.js';

/** How a tenant's app registration proves itself. */
export type CredentialKind = 'secret' | 'certificate' | 'federated';

/** What {@link createTokenSource} needs about one tenant. */
export interface TenantCredentials {
  /** `endpoint.entity` key, for messages. */
  key: string;
  azureTenantId: string;
  clientId: string;
  authorityHost: string;
  /** `<graph origin>/.default`. */
  scope: string;
  secret?: string | undefined;
  certificate?: { key?: string | null; cert?: string | null; pfx?: string | null; passphrase?: string | null } | undefined;
  /** Signs a fresh federated assertion (the gateway as issuer). */
  federatedAssertion?: (() => Promise<string>) | undefined;
}

/** Hands out Graph access tokens for one tenant. */
export interface TokenSource {
  readonly kind: CredentialKind;
  /** A valid token (cached until shortly before expiry). */
  token(): Promise<string>;
  /** Forgets `token` after Graph refused it, so the next {@link token} call gets a new one. */
  invalidate(token: string): void;
}

/** A failed token request, without the secret or assertion that went out. */
export class TokenError extends Error {
  override name = 'TokenError';
  /** AADSTS error code (`invalid_client` …) when the identity platform answered one. */
  readonly errorCode: string | undefined;
  constructor(message: string, errorCode?: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

function credentialConfig(t: TenantCredentials, certsDir: string): { auth: Configuration['auth']; kind: CredentialKind } {
  const base = { clientId: t.clientId, authority: `${t.authorityHost.replace(/\/+$/, '')}/${t.azureTenantId}` };
  if (t.federatedAssertion) {
    const sign = t.federatedAssertion;
    return { kind: 'federated', auth: { ...base, clientAssertion: () => sign() } };
  }
  if (t.secret) return { kind: 'secret', auth: { ...base, clientSecret: t.secret } };
  if (t.certificate) {
    const cert = loadCertificate(t.certificate, certsDir, `endpoint.entity.${t.key}.connection.auth.options.tls`);
    return {
      kind: 'certificate',
      auth: { ...base, clientCertificate: { privateKey: cert.privateKey, thumbprintSha256: cert.thumbprintSha256 } },
    };
  }
  throw new Error(
    `endpoint.entity.${t.key}.connection.auth: give clientSecret, a certificate (tls.key + tls.cert or tls.pfx) or fedCred`,
  );
}

/**
 * Creates the token source of one tenant. Certificate files are read here, so a wrong path or
 * passphrase fails at startup.
 */
export function createTokenSource(t: TenantCredentials, deps: { rest: HelperRest; certsDir: string; log: Logger }): TokenSource {
  const { auth, kind } = credentialConfig(t, deps.certsDir);
  const app = new ConfidentialClientApplication({
    auth,
    system: {
      networkClient: msalNetworkClient(deps.rest, t.key),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message, containsPii) => {
          if (containsPii || level > LogLevel.Warning) return;
          deps.log.warn('msal-node', { tenant: t.key, message: message.slice(0, 500) });
        },
      },
    },
  });
  let inflight: Promise<string> | undefined;
  let refused = new Set<string>();

  const acquire = async (skipCache: boolean): Promise<string> => {
    try {
      const result = await app.acquireTokenByClientCredential({ scopes: [t.scope], skipCache });
      if (!result?.accessToken) throw new TokenError('the identity platform returned no access token');
      return result.accessToken;
    } catch (e) {
      if (e instanceof TokenError) throw e;
      const err = e as { errorCode?: string; errorMessage?: string; message?: string };
      // AADSTS messages name the tenant, client and failure; they never echo the secret.
      const text = (err.errorMessage ?? err.message ?? String(e)).split(/\r?\n/)[0]?.slice(0, 400) ?? '';
      throw new TokenError(`token request for endpoint.entity.${t.key} failed: ${text}`, err.errorCode);
    }
  };

  return {
    kind,
    async token() {
      inflight ??= (async () => {
        try {
          let token = await acquire(false);
          if (refused.has(token)) token = await acquire(true);
          return token;
        } finally {
          inflight = undefined;
        }
      })();
      return inflight;
    },
    invalidate(token) {
      if (refused.size > 16) refused = new Set();
      refused.add(token);
    },
  };
}
