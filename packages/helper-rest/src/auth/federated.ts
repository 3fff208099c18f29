/**
 * Federated identity credentials (Entra ID "Other issuer" scenario): the
 * gateway acts as its own token issuer. It signs a short-lived assertion
 * (`iss` = the gateway's public URL, `sub` = the configured subject, `aud` =
 * `api://AzureADTokenExchange`) and publishes the matching public key as a
 * JWKS behind an OpenID configuration document that Entra fetches from
 * `<issuer>/.well-known/openid-configuration`. No secret is stored anywhere.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { readPem } from '../tls.js';
import type { FederatedCredentialConfig, FederatedRoute, JsonWebKeySet, OpenIdConfiguration } from '../types.js';
import { importRsaPrivateKey } from './keys.js';

/** Default audience of Entra federated credentials. */
export const ENTRA_FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

/** Assertion lifetime in seconds; Entra only checks it at the token request. */
const ASSERTION_LIFETIME_S = 600;

interface KeyMaterial {
  privateKey: CryptoKey | Uint8Array;
  publicJwk: JWK;
  kid: string;
}

function normalizeIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

/** Paths (relative to the host root) where an issuer's documents are served. */
export function federatedPaths(issuer: string): { openIdConfiguration: string; jwks: string; jwksUri: string } {
  const base = normalizeIssuer(issuer);
  const path = new URL(base).pathname.replace(/\/+$/, '');
  return {
    openIdConfiguration: `${path}/.well-known/openid-configuration`,
    jwks: `${path}/.well-known/jwks.json`,
    jwksUri: `${base}/.well-known/jwks.json`,
  };
}

/**
 * Keys of all federated issuers of one helper instance. Tenants sharing an
 * issuer share its keys; the JWKS lists every key any of them signs with.
 */
export class FederationRegistry {
  readonly #certsDir: string;
  /** issuer → key reference (`generated` or the configured key) → key material. */
  readonly #keys = new Map<string, Map<string, Promise<KeyMaterial>>>();
  /** issuer → the credentials registered for it, so its JWKS can be built before first use. */
  readonly #configs = new Map<string, FederatedCredentialConfig[]>();

  constructor(certsDir: string) {
    this.#certsDir = certsDir;
  }

  /** Registers a federated credential at startup, so its issuer's routes exist before first use. */
  register(cfg: FederatedCredentialConfig): void {
    const issuer = normalizeIssuer(cfg.issuer);
    const list = this.#configs.get(issuer) ?? [];
    list.push(cfg);
    this.#configs.set(issuer, list);
    // Read a configured key file now, so a wrong path fails at startup.
    if (cfg.key) readPem(cfg.key, this.#certsDir, 'fedCred.key');
  }

  #key(cfg: FederatedCredentialConfig): Promise<KeyMaterial> {
    const issuer = normalizeIssuer(cfg.issuer);
    let byRef = this.#keys.get(issuer);
    if (!byRef) {
      byRef = new Map();
      this.#keys.set(issuer, byRef);
    }
    const ref = cfg.key ?? 'generated';
    let p = byRef.get(ref);
    if (!p) {
      p = (cfg.key ? importRsaPrivateKey(readPem(cfg.key, this.#certsDir, 'fedCred.key')) : generated()).then(async (k) => ({
        ...k,
        kid: await calculateJwkThumbprint(k.publicJwk),
      }));
      // A failed load is not cached.
      p.catch(() => byRef.delete(ref));
      byRef.set(ref, p);
    }
    return p;
  }

  /** Signs a federated assertion for `cfg`. */
  async assertion(cfg: FederatedCredentialConfig): Promise<string> {
    const k = await this.#key(cfg);
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { jti: randomUUID() };
    if (cfg.name) claims.name = cfg.name;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: k.kid })
      .setIssuer(cfg.issuer)
      .setSubject(cfg.subject)
      .setAudience(cfg.audience ?? ENTRA_FEDERATION_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now - 60)
      .setExpirationTime(now + ASSERTION_LIFETIME_S)
      .sign(k.privateKey);
  }

  /** The JWKS of an issuer (creates the generated key on first call). */
  async jwks(cfg: FederatedCredentialConfig): Promise<JsonWebKeySet> {
    return this.#jwksOf(normalizeIssuer(cfg.issuer));
  }

  async #jwksOf(issuer: string): Promise<JsonWebKeySet> {
    const settled = await Promise.allSettled((this.#configs.get(issuer) ?? []).map((c) => this.#key(c)));
    const seen = new Set<string>();
    const keys: JWK[] = [];
    for (const s of settled) {
      if (s.status !== 'fulfilled' || seen.has(s.value.kid)) continue;
      seen.add(s.value.kid);
      const { kty, n, e } = s.value.publicJwk;
      keys.push({ kty, n, e, kid: s.value.kid, alg: 'RS256', use: 'sig' });
    }
    return { keys };
  }

  /** The OpenID configuration document of an issuer. */
  openIdConfiguration(issuer: string): OpenIdConfiguration {
    return {
      issuer: normalizeIssuer(issuer),
      jwks_uri: federatedPaths(issuer).jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  /** Routes for every registered issuer. */
  routes(): FederatedRoute[] {
    const out: FederatedRoute[] = [];
    for (const issuer of this.#configs.keys()) {
      const paths = federatedPaths(issuer);
      out.push({ path: paths.openIdConfiguration, document: async () => this.openIdConfiguration(issuer) });
      out.push({ path: paths.jwks, document: () => this.#jwksOf(issuer) });
    }
    return out;
  }
}

async function generated(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}
