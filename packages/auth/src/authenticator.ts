/**
 * The authenticator: one object the gateway and the chain proxy call for every request.
 */
import type { Logger } from '@scimgw/core';
import { BasicAuth, parseBasicCredentials } from './basic.js';
import { BearerTokens } from './bearer-token.js';
import { formatConfigPath } from '@scimgw/config';
import { authSection } from './config-schema.js';
import { listOf, optString, scopeOf, settingsOf } from './config.js';
import { tenantAllowed } from './authorize.js';
import { getHeader } from './headers.js';
import { IpMatcher } from './ip.js';
// jwt.js and oauth.js (and with them `jose`) are loaded only when a JWT or OAuth method is
// configured: a basic-auth-only gateway does not pay their memory.
import type { JwtFailure, JwtVerifier } from './jwt.js';
import type { OAuthIssuer } from './oauth.js';
import { resolveClientAddress } from './proxy.js';
import { FailureLimiter } from './ratelimit.js';
import { schemesFor } from './schemes.js';
import { handleTokenRequest } from './token-endpoint.js';
import type {
  AuthFailure,
  AuthOptions,
  AuthRequest,
  AuthResult,
  AuthScheme,
  Authenticator,
  OAuthClientCredential,
  Principal,
  TokenRequest,
  TokenResponse,
} from './types.js';
import type { CredentialVerifierOptions } from './credentials.js';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * Outcome of credential checking. `local` marks a failure that belongs to this gateway (a
 * configured Basic user name, a token this gateway issued): it is never handed to
 * pass-through, so pass-through cannot become a way around the failed-login limit.
 */
type Identified =
  | { ok: true; principal: Principal }
  | { ok: false; failure: AuthFailure; scheme: string; reason: string; local: boolean };

interface Parts {
  basic: BasicAuth | undefined;
  tokens: BearerTokens | undefined;
  jwt: JwtVerifier[];
  /** `verifyJwt` from jwt.js, present when `jwt` is non-empty. */
  verifyJwt?: typeof import('./jwt.js').verifyJwt;
  oauth: OAuthIssuer | undefined;
  passThrough: Pick<Principal, 'readOnly' | 'baseEntities'> | undefined;
}

/** Test seam: replace the scrypt verification to count it. Not part of the public API. */
export interface InternalOptions {
  credentials?: CredentialVerifierOptions;
}

function fail(status: AuthFailure['status'], detail: string, headers: Record<string, string> = {}): AuthFailure {
  return { ok: false, status, detail, headers };
}

class AuthenticatorImpl implements Authenticator {
  readonly enabled: boolean;
  readonly oauthEnabled: boolean;
  readonly #parts: Parts;
  readonly #allow: IpMatcher | undefined;
  readonly #trusted: IpMatcher | undefined;
  readonly #limiter: FailureLimiter | undefined;
  readonly #realm: string;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  readonly #schemes: AuthScheme[];

  constructor(
    parts: Parts,
    allow: IpMatcher | undefined,
    trusted: IpMatcher | undefined,
    limiter: FailureLimiter | undefined,
    realm: string,
    now: () => number,
    log: Logger | undefined,
  ) {
    this.#parts = parts;
    this.#allow = allow;
    this.#trusted = trusted;
    this.#limiter = limiter;
    this.#realm = realm;
    this.#now = now;
    this.#log = log;
    this.enabled = !!(parts.basic || parts.tokens || parts.jwt.length > 0 || parts.oauth || parts.passThrough);
    this.oauthEnabled = !!parts.oauth;
    this.#schemes = schemesFor({
      basic: !!parts.basic,
      bearerToken: !!parts.tokens,
      bearerJwt: parts.jwt.length > 0,
      bearerOAuth: !!parts.oauth,
      passThrough: !!parts.passThrough,
    });
  }

  clientAddress(req: Pick<AuthRequest, 'headers' | 'remoteAddress'>): string {
    return resolveClientAddress(req.headers, req.remoteAddress, this.#trusted);
  }

  schemes(): AuthScheme[] {
    return this.#schemes.map((s) => ({ ...s }));
  }

  tokenEndpoint(req: TokenRequest): Promise<TokenResponse> {
    return handleTokenRequest(req, {
      issuer: this.#parts.oauth,
      allowList: this.#allow,
      limiter: this.#limiter,
      clientAddress: (r) => this.clientAddress(r),
      realm: this.#realm,
      logger: this.#log,
    });
  }

  passThroughRefused(
    req: Pick<AuthRequest, 'headers' | 'remoteAddress'>,
    reason = 'the backend refused them',
  ): Record<string, string> {
    const address = this.clientAddress(req);
    const blocked = this.#limiter?.recordFailure(address);
    this.#log?.warn('auth: passed-through credentials refused', { address, reason });
    if (blocked) this.#log?.warn('auth: too many failed logins, address blocked for the rest of the window', { address });
    return { 'WWW-Authenticate': this.#challenges() };
  }

  authenticate(req: AuthRequest): Promise<AuthResult> {
    return this.#run(req, true);
  }

  validate(req: Omit<AuthRequest, 'method' | 'access'> & { method?: string }): Promise<AuthResult> {
    return this.#run({ ...req, method: req.method ?? 'GET', access: 'read' }, false);
  }

  /** Every challenge this configuration can answer, for 401s without usable credentials. */
  #challenges(): string {
    const c: string[] = [];
    if (this.#parts.basic) c.push(`Basic realm="${this.#realm}", charset="UTF-8"`);
    if (this.#parts.tokens || this.#parts.jwt.length > 0 || this.#parts.oauth || this.#parts.passThrough || c.length === 0) {
      c.push(`Bearer realm="${this.#realm}"`);
    }
    return c.join(', ');
  }

  async #run(req: AuthRequest, checkMethod: boolean): Promise<AuthResult> {
    const address = this.clientAddress(req);
    if (this.#allow && !this.#allow.matches(address)) {
      this.#log?.warn('auth: address not in ipAllowList', { address });
      return fail(403, 'client address not allowed');
    }
    const limit = this.#limiter?.check(address);
    if (limit?.blocked) {
      // Logged once per window when the limit is reached; repeats only at debug level.
      this.#log?.debug('auth: refused, too many failed logins', { address, retryAfter: limit.retryAfterSeconds });
      return fail(429, 'too many failed authentication attempts', { 'Retry-After': String(limit.retryAfterSeconds) });
    }
    if (!this.enabled) return fail(401, 'no authentication method is configured', { 'WWW-Authenticate': this.#challenges() });

    const header = getHeader(req.headers, 'authorization');
    if (!header) return fail(401, 'authentication required', { 'WWW-Authenticate': this.#challenges() });

    const outcome = await this.#identify(header);
    let principal: Principal;
    let authorization: string | undefined;
    if (outcome.ok) {
      principal = outcome.principal;
    } else if (this.#parts.passThrough && !outcome.local) {
      // The backend judges credentials we do not know; its refusals are counted by passThroughRefused.
      principal = { name: 'passThrough', method: 'passThrough', ...this.#parts.passThrough };
      authorization = header;
    } else {
      const blocked = this.#limiter?.recordFailure(address);
      this.#log?.warn('auth: authentication failed', { address, scheme: outcome.scheme, reason: outcome.reason });
      if (blocked) this.#log?.warn('auth: too many failed logins, address blocked for the rest of the window', { address });
      return outcome.failure;
    }

    if (checkMethod && principal.readOnly && req.access !== 'read') {
      this.#log?.info('auth: write refused for read-only credential', { principal: principal.name, method: req.method });
      // No `Allow` here: which methods read depends on the route, which the host knows (it adds one).
      return fail(405, 'this credential is read-only');
    }
    if ((checkMethod || req.tenant !== undefined) && !tenantAllowed(principal, req.tenant)) {
      this.#log?.info('auth: tenant refused for credential', { principal: principal.name, tenant: req.tenant });
      return fail(403, 'this credential is not allowed for this tenant');
    }
    this.#log?.debug('auth: authenticated', { principal: principal.name, method: principal.method, address });
    return authorization === undefined ? { ok: true, principal } : { ok: true, principal, authorization };
  }

  async #identify(header: string): Promise<Identified> {
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();

    if (scheme === 'basic' && this.#parts.basic) {
      const creds = parseBasicCredentials(value);
      const principal = creds && (await this.#parts.basic.verify(creds.username, creds.password));
      if (principal) return { ok: true, principal };
      const challenge = `Basic realm="${this.#realm}", charset="UTF-8"`;
      return {
        ok: false,
        local: !!creds && this.#parts.passThrough !== undefined && this.#parts.basic.knows(creds.username),
        scheme,
        reason: creds ? 'unknown user or wrong password' : 'malformed credentials',
        failure: fail(401, 'invalid credentials', { 'WWW-Authenticate': challenge }),
      };
    }
    if (scheme === 'bearer' && (this.#parts.tokens || this.#parts.jwt.length > 0 || this.#parts.oauth)) {
      return this.#bearer(value);
    }
    return {
      ok: false,
      // The scheme text is not logged: a client that sends a bare token would put it there.
      scheme: 'other',
      local: false,
      reason: 'unsupported scheme',
      failure: fail(401, 'unsupported authentication scheme', { 'WWW-Authenticate': this.#challenges() }),
    };
  }

  async #bearer(token: string): Promise<Identified> {
    const fromTable = token !== '' ? this.#parts.tokens?.verify(token) : undefined;
    if (fromTable) return { ok: true, principal: fromTable };
    let failures: JwtFailure[] = [];
    let local = false;
    if (JWT_SHAPE.test(token)) {
      const oauth = this.#parts.oauth;
      if (oauth?.owns(token)) {
        local = true;
        const r = await oauth.verify(token);
        if (r.ok) return r;
        failures = [r.failure];
      } else if (this.#parts.jwt.length > 0 && this.#parts.verifyJwt) {
        const r = await this.#parts.verifyJwt(token, this.#parts.jwt, this.#now());
        if (r.ok) return r;
        failures = r.failures;
      }
    }
    const expired = failures.some((f) => f.expired);
    const description = expired ? 'The access token expired' : 'The access token is invalid';
    return {
      ok: false,
      local,
      scheme: 'bearer',
      reason: failures.length > 0 ? failures.map((f) => f.code).join(',') : 'unknown token',
      failure: fail(401, description, {
        'WWW-Authenticate': `Bearer realm="${this.#realm}", error="invalid_token", error_description="${description}"`,
      }),
    };
  }
}

function stringList(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${path}: must be an array`);
  return value;
}

/**
 * Create the authenticator for a gateway configuration. Validates everything up front and
 * throws an `Error` whose message starts with the offending config path
 * (`auth.bearerJwt[0].publicKey: file not found (…)`); messages never contain secrets.
 *
 * @param options - the `auth` section plus host settings
 * @example
 * const auth = await createAuthenticator({ auth: { basic: [{ username: 'gwadmin', password: 'password' }] } });
 * const r = await auth.authenticate({ method: 'GET', path: '/Users', headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '' });
 * if (!r.ok) { res.writeHead(r.status, r.headers); res.end(r.detail); }
 */
export function createAuthenticator(options: AuthOptions): Promise<Authenticator> {
  return createAuthenticatorWith(options, {});
}

/** {@link createAuthenticator} with test seams (not exported from the package). */
export async function createAuthenticatorWith(options: AuthOptions, internal: InternalOptions): Promise<Authenticator> {
  const settings = settingsOf(options);
  // The shape of the section, checked by the one schema the gateway's configuration loader runs too.
  const checked = authSection.validate(options.auth);
  if (!checked.ok) {
    throw new Error(checked.issues.map((i) => `${formatConfigPath(i.path, 'auth')}: ${i.message}`).join('\n'));
  }
  const now = options.now ?? Date.now;
  const log = options.logger;
  const auth = options.auth;
  const basic = BasicAuth.compile(auth.basic, internal.credentials);
  const tokens = BearerTokens.compile(auth.bearerToken);

  const jwt: JwtVerifier[] = [];
  const jwtEntries = listOf(auth.bearerJwt, 'auth.bearerJwt');
  const jwtMod = jwtEntries.length > 0 ? await import('./jwt.js') : undefined;
  for (let i = 0; i < jwtEntries.length; i++) {
    const path = `auth.bearerJwt[${i}]`;
    const entry = jwtEntries[i]!;
    for (const k of ['secret', 'publicKey', 'wellKnownUri', 'azureTenantId', 'name'] as const)
      optString(entry[k], `${path}.${k}`);
    const built = await (jwtMod as typeof import('./jwt.js')).buildJwtVerifiers(entry, path, scopeOf(entry, path), {
      certsDir: options.certsDir ?? process.cwd(),
      fetch: options.fetch ?? globalThis.fetch,
      now,
      jwksCacheMs: settings.jwksCacheMs,
      jwksCooldownMs: settings.jwksCooldownMs,
      logger: log,
    });
    jwt.push(...built);
  }

  const oauthEntries = listOf(auth.bearerOAuth, 'auth.bearerOAuth').flatMap((c: OAuthClientCredential, i) => {
    const path = `auth.bearerOAuth[${i}]`;
    const clientId = optString(c.clientId, `${path}.clientId`);
    if (clientId === undefined) return [];
    const clientSecret = optString(c.clientSecret, `${path}.clientSecret`);
    if (clientSecret === undefined) throw new Error(`${path}.clientSecret: required when clientId is set`);
    return [{ client: { ...c, clientId, clientSecret }, path, scope: scopeOf(c, path) }];
  });
  const oauth =
    oauthEntries.length > 0
      ? new (await import('./oauth.js')).OAuthIssuer(oauthEntries, {
          ...internal.credentials,
          seed: options.tokenSigningSeed,
          lifetimeSeconds: settings.oauthLifetime,
          now,
        })
      : undefined;

  let passThrough: Parts['passThrough'];
  const pt = auth.passThrough;
  if (pt !== undefined && pt !== null) {
    if (typeof pt !== 'object' || Array.isArray(pt)) throw new Error('auth.passThrough: must be an object');
    if (pt.enabled !== undefined && pt.enabled !== null && typeof pt.enabled !== 'boolean') {
      throw new Error('auth.passThrough.enabled: must be true or false');
    }
    if (pt.enabled) passThrough = scopeOf(pt, 'auth.passThrough');
  }

  const allowList = stringList(options.ipAllowList, 'ipAllowList');
  const proxies = stringList(options.trustedProxies, 'trustedProxies');
  const allow = allowList.length > 0 ? IpMatcher.compile(allowList, 'ipAllowList') : undefined;
  const trusted = proxies.length > 0 ? IpMatcher.compile(proxies, 'trustedProxies') : undefined;
  const limiter = settings.rateLimit ? new FailureLimiter(settings.rateLimit, now) : undefined;

  const verify = jwtMod?.verifyJwt;
  const a = new AuthenticatorImpl(
    { basic, tokens, jwt, ...(verify ? { verifyJwt: verify } : {}), oauth, passThrough },
    allow,
    trusted,
    limiter,
    settings.realm,
    now,
    log,
  );
  log?.info('auth: ready', { schemes: a.schemes().map((s) => s.name), ipAllowList: allow?.cidrs.length ?? 0 });
  return a;
}
