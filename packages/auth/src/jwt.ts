/**
 * `bearerJwt`: verification of JWTs signed by an HMAC secret, a configured public key,
 * keys published through OpenID discovery/JWKS, or Microsoft Entra ID (provisioning).
 */
import type { Logger } from '@scimgw/core';
import type { KeyObject } from 'node:crypto';
import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { RemoteKeySet } from './jwks.js';
import { ASYMMETRIC_ALGS, algorithmsForKey, HMAC_ALGS, loadPublicKey } from './keys.js';
import type { BearerJwtCredential, JwtVerifyOptions, Principal } from './types.js';

import { ENTRA_PROVISIONING_AUDIENCE, entraIssuers } from './constants.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPTION_KEYS = new Set([
  'issuer',
  'audience',
  'algorithms',
  'clockTolerance',
  'maxTokenAge',
  'maxAge',
  'subject',
  'typ',
  'requiredClaims',
]);

/** Shared settings for building verifiers. */
export interface JwtBuildContext {
  certsDir: string;
  fetch: typeof fetch;
  now: () => number;
  jwksCacheMs: number;
  jwksCooldownMs: number;
  logger?: Logger | undefined;
}

type KeySource =
  | { kind: 'secret'; key: Uint8Array }
  | { kind: 'publicKey'; key: KeyObject }
  | { kind: 'jwks'; keys: RemoteKeySet };

/** One key source of one `bearerJwt` entry, ready to verify. */
export interface JwtVerifier {
  path: string;
  source: KeySource;
  algorithms: string[];
  /** Accepted issuers, used to skip verifiers cheaply before any crypto or JWKS traffic. */
  issuers: string[] | undefined;
  options: JWTVerifyOptions;
  tenantId: string | undefined;
  scope: Pick<Principal, 'readOnly' | 'baseEntities'>;
  fallbackName: string;
}

/** Failure of one verification: the jose error code, safe to log. */
export interface JwtFailure {
  code: string;
  expired: boolean;
}

function toList(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

function checkOptions(options: JwtVerifyOptions, path: string): void {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      throw new Error(`${path}.options.${key}: unsupported option (supported: ${[...OPTION_KEYS].join(', ')})`);
  }
}

function pickAlgorithms(allowed: readonly string[], configured: string[] | undefined, path: string): string[] {
  if (!configured) return [...allowed];
  const out = configured.filter((a) => allowed.includes(a));
  if (out.length === 0)
    throw new Error(
      `${path}.options.algorithms: none of ${configured.join(', ')} fits this key (allowed: ${allowed.join(', ')})`,
    );
  return out;
}

/**
 * Build the verifiers of one `bearerJwt` entry (one per key source it sets).
 *
 * @returns an empty list when the entry sets no key source (disabled)
 * @throws Error naming the config path on bad configuration
 */
export async function buildJwtVerifiers(
  entry: BearerJwtCredential,
  path: string,
  scope: Pick<Principal, 'readOnly' | 'baseEntities'>,
  ctx: JwtBuildContext,
): Promise<JwtVerifier[]> {
  const options = entry.options ?? {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new Error(`${path}.options: must be an object`);
  checkOptions(options, path);
  const tenantId = entry.azureTenantId ? entry.azureTenantId.toLowerCase() : undefined;
  if (tenantId !== undefined && !GUID.test(tenantId)) throw new Error(`${path}.azureTenantId: must be the tenant GUID`);

  const sources: KeySource[] = [];
  if (entry.secret) sources.push({ kind: 'secret', key: new TextEncoder().encode(entry.secret) });
  if (entry.publicKey)
    sources.push({ kind: 'publicKey', key: await loadPublicKey(entry.publicKey, ctx.certsDir, `${path}.publicKey`) });
  const wellKnown =
    entry.wellKnownUri ??
    (tenantId ? `https://login.microsoftonline.com/${tenantId}/.well-known/openid-configuration` : undefined);
  if (wellKnown) {
    let url: URL;
    try {
      url = new URL(wellKnown);
    } catch {
      throw new Error(`${path}.wellKnownUri: not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${path}.wellKnownUri: must be http(s)`);
    const keys = new RemoteKeySet(url.href, {
      fetch: ctx.fetch,
      now: ctx.now,
      cacheMs: ctx.jwksCacheMs,
      cooldownMs: ctx.jwksCooldownMs,
      logger: ctx.logger,
      path,
    });
    sources.push({ kind: 'jwks', keys });
  }
  if (sources.length === 0) return [];

  let issuers = toList(options.issuer);
  let audience = toList(options.audience);
  if (tenantId) {
    issuers ??= entraIssuers(tenantId);
    audience ??= [ENTRA_PROVISIONING_AUDIENCE];
  }
  if (entry.wellKnownUri && !issuers && !audience) {
    // IdPs sign tokens for every application (and, for Entra's common keys, every tenant)
    // with the same keys: without issuer or audience any of them would be accepted.
    throw new Error(`${path}.options: issuer or audience is required with wellKnownUri`);
  }
  if (entry.secret && entry.secret.length < 32) {
    ctx.logger?.warn('auth: bearerJwt secret is shorter than 32 characters', { path: `${path}.secret` });
  }
  const maxTokenAge = options.maxTokenAge ?? options.maxAge;
  const base: JWTVerifyOptions = {
    ...(issuers ? { issuer: issuers } : {}),
    ...(audience ? { audience } : {}),
    ...(options.clockTolerance !== undefined ? { clockTolerance: options.clockTolerance } : {}),
    ...(maxTokenAge !== undefined ? { maxTokenAge } : {}),
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.typ ? { typ: options.typ } : {}),
    // A token without `exp` would never expire.
    requiredClaims: [...new Set(['exp', ...(options.requiredClaims ?? [])])],
  };
  const fallbackName = entry.name ?? path.replace(/^auth\./, '');
  return sources.map((source) => {
    const allowed =
      source.kind === 'secret' ? HMAC_ALGS : source.kind === 'publicKey' ? algorithmsForKey(source.key) : ASYMMETRIC_ALGS;
    const algorithms = pickAlgorithms(allowed, options.algorithms, path);
    return { path, source, algorithms, issuers, options: { ...base, algorithms }, tenantId, scope, fallbackName };
  });
}

async function verifyWith(v: JwtVerifier, token: string, currentDate: Date): Promise<JWTPayload> {
  const opts: JWTVerifyOptions = { ...v.options, currentDate };
  let payload: JWTPayload;
  if (v.source.kind === 'jwks') {
    const getKey: JWTVerifyGetKey = v.source.keys.getKey;
    try {
      payload = (await jwtVerify(token, getKey, opts)).payload;
    } catch (err) {
      // Several keys fit a token without `kid`: try each.
      if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
      let last: unknown = err;
      for await (const key of err) {
        try {
          payload = (await jwtVerify(token, key, opts)).payload;
          last = undefined;
          break;
        } catch (e) {
          last = e;
        }
      }
      if (last !== undefined) throw last;
    }
  } else {
    payload = (await jwtVerify(token, v.source.key, opts)).payload;
  }
  if (v.tenantId && (typeof payload!.tid !== 'string' || payload!.tid.toLowerCase() !== v.tenantId)) {
    throw new errors.JWTClaimValidationFailed('unexpected "tid" claim value', payload!, 'tid', 'check_failed');
  }
  return payload!;
}

/** Outcome of {@link verifyJwt}. */
export type JwtOutcome = { ok: true; principal: Principal } | { ok: false; failures: JwtFailure[] };

/**
 * Try every verifier that could have produced this token (algorithm and issuer fit) in order.
 *
 * @param token - compact JWS
 * @param verifiers - all configured verifiers
 * @param now - epoch milliseconds
 */
export async function verifyJwt(token: string, verifiers: readonly JwtVerifier[], now: number): Promise<JwtOutcome> {
  let alg: unknown;
  let iss: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
    iss = decodeJwt(token).iss;
  } catch {
    return { ok: false, failures: [{ code: 'ERR_JWT_INVALID', expired: false }] };
  }
  const failures: JwtFailure[] = [];
  const currentDate = new Date(now);
  for (const v of verifiers) {
    if (typeof alg !== 'string' || !v.algorithms.includes(alg)) {
      failures.push({ code: 'ERR_JOSE_ALG_NOT_ALLOWED', expired: false });
      continue;
    }
    if (v.issuers && (typeof iss !== 'string' || !v.issuers.includes(iss))) {
      failures.push({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', expired: false });
      continue;
    }
    try {
      const payload = await verifyWith(v, token, currentDate);
      const name = [payload.sub, payload.azp, payload.appid, payload.client_id].find((x) => typeof x === 'string' && x !== '');
      return {
        ok: true,
        principal: { name: (name as string | undefined) ?? v.fallbackName, method: 'bearerJwt', ...v.scope },
      };
    } catch (err) {
      const code = err instanceof errors.JOSEError ? err.code : 'ERR_JWT_VERIFY';
      failures.push({ code, expired: err instanceof errors.JWTExpired });
    }
  }
  return { ok: false, failures };
}
