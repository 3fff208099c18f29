/**
 * `POST /{tenant}/oauth2/v2.0/token` for the client credentials grant, with the three ways an
 * app proves itself: a client secret (form or HTTP Basic), a certificate client assertion,
 * or a federated assertion from a trusted external issuer.
 */
import { type CloudDefinition, graphResourceOf } from '../clouds.js';
import { AadError, aad } from './aad-errors.js';
import { type ClientAuthMethod, mintAccessToken } from './access-token.js';
import { type App, secretMatches } from './apps.js';
import { type ReplayGuard, decodeAssertion, verifyCertificateAssertion } from './assertion.js';
import { type IssuerKeys, verifyFederatedAssertion } from './federation.js';
import type { SigningKey } from './keys.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What the token endpoint needs. */
export interface TokenEndpointDeps {
  readonly tenantId: string;
  readonly domains: ReadonlySet<string>;
  readonly apps: ReadonlyMap<string, App>;
  readonly key: SigningKey;
  readonly replay: ReplayGuard;
  readonly issuers: IssuerKeys;
  readonly lifetimeSeconds: number;
}

/** The outcome of one token request, for the call log (never holds a credential). */
export interface TokenOutcome {
  readonly clientId: string | undefined;
  readonly method: ClientAuthMethod | 'none';
  readonly status: number;
  readonly error: string | undefined;
}

/** One token request as the HTTP layer hands it over. */
export interface TokenRequest {
  readonly tenantSegment: string;
  readonly contentType: string;
  readonly authorization: string | undefined;
  readonly body: string;
  /** `host[:port]` the client used. */
  readonly host: string;
  readonly cloud: CloudDefinition;
  readonly now: number;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function resolveTenant(deps: TokenEndpointDeps, segment: string): void {
  const lower = segment.toLowerCase();
  if (['common', 'organizations', 'consumers'].includes(lower)) throw aad.noTenant();
  if (lower !== deps.tenantId && !deps.domains.has(lower)) throw aad.tenantNotFound(segment);
}

function resolveResource(deps: TokenEndpointDeps, cloud: CloudDefinition, scope: string): string {
  const scopes = scope.split(' ').filter(Boolean);
  const only = scopes[0] ?? '';
  if (scopes.length !== 1 || !only.endsWith('/.default')) throw aad.badScope(scope);
  const resource = graphResourceOf(cloud, only.slice(0, -'/.default'.length));
  if (!resource) throw aad.unknownResource(only.slice(0, -'/.default'.length), deps.tenantId);
  return resource;
}

/** Token endpoint URLs a client assertion may name as `aud`. */
function assertionAudiences(deps: TokenEndpointDeps, request: TokenRequest): string[] {
  const hosts = new Set([request.host, ...request.cloud.loginHosts]);
  const tenants = new Set([request.tenantSegment, deps.tenantId, ...deps.domains]);
  const out: string[] = [];
  for (const host of hosts) {
    for (const tenant of tenants) {
      out.push(`https://${host}/${tenant}/oauth2/v2.0/token`, `https://${host}/${tenant}/oauth2/token`);
    }
  }
  return out;
}

/**
 * Handles a token request.
 * @returns the JSON answer and the outcome for the log
 */
export async function tokenEndpoint(
  deps: TokenEndpointDeps,
  request: TokenRequest,
): Promise<
  { status: number; body: Record<string, unknown>; outcome: TokenOutcome } | { error: AadError; outcome: TokenOutcome }
> {
  let clientId: string | undefined;
  let method: ClientAuthMethod | 'none' = 'none';
  try {
    resolveTenant(deps, request.tenantSegment);
    const form = request.contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(request.body)
      : new URLSearchParams();
    const grant = form.get('grant_type');
    if (!grant) throw aad.missing('grant_type');
    if (grant !== 'client_credentials') throw aad.unsupportedGrant();
    const basic = basicCredentials(request.authorization);
    clientId = (form.get('client_id') ?? basic?.id)?.toLowerCase();
    if (!clientId) throw aad.missing('client_id');
    const scope = form.get('scope');
    if (!scope) throw aad.missing('scope');
    const app = deps.apps.get(clientId);
    if (!app) throw aad.unknownApp(clientId, request.tenantSegment);
    const resource = resolveResource(deps, request.cloud, scope);
    const secret = form.get('client_secret') ?? basic?.secret;
    const assertion = form.get('client_assertion');
    if (secret !== undefined && secret !== null && assertion) throw aad.twoCredentials();
    if (assertion) {
      if (form.get('client_assertion_type') !== JWT_BEARER) throw aad.assertionType();
      const decoded = decodeAssertion(assertion);
      if (decoded.claims.iss === app.clientId || decoded.claims.iss === clientId) {
        method = 'certificate';
        await verifyCertificateAssertion(decoded, app, assertionAudiences(deps, request), request.now, deps.replay);
      } else {
        method = 'federated';
        await verifyFederatedAssertion(decoded, app, deps.issuers, request.now, deps.replay);
      }
    } else if (secret !== undefined && secret !== null) {
      method = 'secret';
      if (!secretMatches(app, secret)) throw aad.badSecret(app.clientId);
    } else {
      throw aad.noCredential();
    }
    const accessToken = await mintAccessToken({
      key: deps.key,
      app,
      tenantId: deps.tenantId,
      resource,
      stsHost: request.cloud.stsHost,
      method,
      now: request.now,
      lifetimeSeconds: deps.lifetimeSeconds,
    });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: deps.lifetimeSeconds,
        ext_expires_in: deps.lifetimeSeconds,
        access_token: accessToken,
      },
      outcome: { clientId, method, status: 200, error: undefined },
    };
  } catch (error) {
    if (!(error instanceof AadError)) throw error;
    return { error, outcome: { clientId, method, status: error.status, error: `AADSTS${error.aadsts}` } };
  }
}
