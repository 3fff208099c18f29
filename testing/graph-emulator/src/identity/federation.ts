/**
 * Federated identity credentials (workload identity federation): an assertion issued by an
 * external OpenID Connect issuer is accepted when an app's credential names its exact `iss`,
 * `sub` and an `aud` (default `api://AzureADTokenExchange`), and its signature verifies with a
 * key from the issuer's JWKS — fetched over HTTP(S) from `<iss>/.well-known/openid-configuration`.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type JSONWebKeySet, createLocalJWKSet, jwtVerify } from 'jose';
import { aad } from './aad-errors.js';
import type { App, FederatedCredential } from './apps.js';
import { type DecodedAssertion, type ReplayGuard, checkTime } from './assertion.js';

/** The documented default audience of federated identity credentials. */
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

/** How the emulator reaches external issuers. */
export interface FederationOptions {
  /** CA certificates (PEM) to trust for issuer HTTPS; default the system store. */
  readonly ca?: string | readonly string[];
  /** Accept `http://` issuers (Entra does not); default false. */
  readonly allowHttpIssuers?: boolean;
  /** Seconds a fetched JWKS is reused; default 60. */
  readonly cacheSeconds?: number;
}

const MAX_DOCUMENT = 1024 * 1024;

function getJson(url: string, options: FederationOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    if (!secure && !(options.allowHttpIssuers && target.protocol === 'http:')) {
      reject(new Error('issuer must use https'));
      return;
    }
    const ca = options.ca === undefined ? undefined : Array.isArray(options.ca) ? [...options.ca] : [options.ca as string];
    const send = secure ? httpsRequest : httpRequest;
    const req = send(
      target,
      { method: 'GET', timeout: 5000, headers: { accept: 'application/json' }, ...(secure && ca ? { ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_DOCUMENT) req.destroy(new Error('document too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Fetches and caches issuers' key sets. */
export class IssuerKeys {
  private readonly cache = new Map<string, { keys: JSONWebKeySet; until: number }>();

  constructor(private readonly options: FederationOptions) {}

  async keys(issuer: string, now: number): Promise<JSONWebKeySet> {
    const cached = this.cache.get(issuer);
    if (cached && cached.until > now) return cached.keys;
    let keys: JSONWebKeySet;
    try {
      const configuration = (await getJson(
        `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
        this.options,
      )) as Record<string, unknown>;
      if (configuration.issuer !== issuer || typeof configuration.jwks_uri !== 'string') throw new Error('issuer mismatch');
      keys = (await getJson(configuration.jwks_uri, this.options)) as JSONWebKeySet;
      if (!Array.isArray(keys?.keys)) throw new Error('no keys');
    } catch {
      throw aad.issuerUnreachable();
    }
    this.cache.set(issuer, { keys, until: now + (this.options.cacheSeconds ?? 60) * 1000 });
    return keys;
  }
}

/** Validates a federated assertion for `app`. */
export async function verifyFederatedAssertion(
  assertion: DecodedAssertion,
  app: App,
  issuers: IssuerKeys,
  now: number,
  replay: ReplayGuard,
): Promise<void> {
  const { claims } = assertion;
  const iss = String(claims.iss ?? '');
  const sub = String(claims.sub ?? '');
  const aud = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter((a): a is string => typeof a === 'string');
  const byIssuer = app.federated.filter((c) => c.issuer === iss);
  if (byIssuer.length === 0) throw aad.federatedIssuer(iss);
  const bySubject = byIssuer.filter((c) => c.subject === sub);
  if (bySubject.length === 0) throw aad.federatedSubject(sub);
  const audiences = (c: FederatedCredential) => c.audiences ?? [FEDERATION_AUDIENCE];
  if (!bySubject.some((c) => audiences(c).some((a) => aud.includes(a)))) throw aad.federatedAudience(aud.join(','));
  const keys = await issuers.keys(iss, now);
  try {
    await jwtVerify(assertion.token, createLocalJWKSet(keys), {
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'],
      currentDate: new Date(now),
      clockTolerance: 300,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'ERR_JWT_EXPIRED' ||
      (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { claim?: string }).claim === 'nbf')
    ) {
      throw aad.assertionTime(now, claims.nbf, claims.exp);
    }
    if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS')
      throw aad.federatedSignature('The key was not found.');
    throw aad.federatedSignature('Key was found, but use of the key to verify the signature failed.');
  }
  checkTime(claims, now);
  replay.use(`${app.clientId}\u0000${iss}`, claims.jti, claims.exp as number, now);
}
