import { repeatedParameter } from '@scimgw/testing-emulator-kit';
import type { AccountKey, AccountStore } from './accounts.js';
import { JWT_BEARER, type TokenRefusal, tokenErrors } from './errors.js';
import { type DecodedJws, decodeJws, type JsonObject, member, verifyRs256 } from './jws.js';
import { TOKEN_LIFETIME_SECONDS, type TokenStore, type UserStore } from './state.js';

/** Google refuses assertions that live longer than an hour ("Using OAuth 2.0 for Server to Server Applications"). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

/** What the token endpoint needs to decide. */
export interface TokenEndpointContext {
  readonly accounts: AccountStore;
  readonly users: UserStore;
  readonly tokens: TokenStore;
  /** The `aud` every assertion must carry, exactly. */
  readonly tokenUri: string;
  /** Milliseconds. */
  readonly now: number;
  readonly clockSkewSeconds: number;
}

/** The access token response of RFC 6749 §5.1, as Google's token endpoint writes it. */
export interface AccessTokenResponse {
  readonly access_token: string;
  readonly expires_in: number;
  readonly token_type: 'Bearer';
}

/** The endpoint's answer, with what could be decoded of the assertion (for the call log). */
export interface TokenOutcome {
  readonly status: number;
  readonly body: AccessTokenResponse | TokenRefusal['body'];
  readonly header?: JsonObject;
  readonly claims?: JsonObject;
}

/**
 * The JWT bearer grant (RFC 7523 §2.1) as Google's token endpoint takes it from a service account:
 * form fields `grant_type` and `assertion`, the assertion an RS256 JWT signed with one of the
 * account's keys whose claims are `iss`, `scope`, `aud`, `iat`, `exp` and, for domain-wide
 * delegation, `sub`.
 */
export function exchangeAssertion(form: URLSearchParams, ctx: TokenEndpointContext): TokenOutcome {
  // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
  const repeated = repeatedParameter(form);
  if (repeated !== undefined) return refused(tokenErrors.duplicate(repeated));
  const grantType = form.get('grant_type') ?? '';
  if (grantType !== JWT_BEARER) return refused(tokenErrors.unsupportedGrantType(grantType));
  const assertion = form.get('assertion');
  if (!assertion) return refused(tokenErrors.missing('assertion'));

  const decoded = decodeJws(assertion);
  if (!decoded.ok) return refused(tokenErrors.malformed(), decoded.header, decoded.claims);
  const { jws } = decoded;
  const { header, claims } = jws;
  const refuse = (refusal: TokenRefusal): TokenOutcome => refused(refusal, header, claims);

  // RFC 7515 §4.1: Google signs and accepts RS256 only; an unknown critical extension invalidates the JWS.
  if (member(header, 'alg') !== 'RS256') return refuse(tokenErrors.signature());
  const typ = member(header, 'typ');
  if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) return refuse(tokenErrors.malformed());
  if (member(header, 'crit') !== undefined) return refuse(tokenErrors.malformed());

  const iss = member(claims, 'iss');
  const account = typeof iss === 'string' ? ctx.accounts.get(iss) : undefined;
  if (!account) return refuse(tokenErrors.accountNotFound());
  if (!signedByAccountKey(jws, account.keys)) return refuse(tokenErrors.signature());

  if (member(claims, 'aud') !== ctx.tokenUri) return refuse(tokenErrors.audience());
  if (!inTimeframe(claims, ctx.now / 1000, ctx.clockSkewSeconds)) return refuse(tokenErrors.timeframe());

  const scopeClaim = member(claims, 'scope');
  const scopes = typeof scopeClaim === 'string' ? scopeClaim.split(' ').filter((scope) => scope !== '') : [];
  if (scopes.length === 0) return refuse(tokenErrors.emptyScope());

  let sub: string | undefined;
  if (member(claims, 'sub') !== undefined) {
    // Domain-wide delegation: the administrator must have allowed every requested scope to this client ID.
    if (!scopes.every((scope) => account.delegation.has(scope))) return refuse(tokenErrors.unauthorizedClient());
    // `sub` is "the email address of the user for which the application is requesting delegated access".
    const subject = member(claims, 'sub');
    const user = typeof subject === 'string' ? ctx.users.findByEmail(subject) : undefined;
    if (!user) return refuse(tokenErrors.invalidSubject());
    sub = user.primaryEmail;
  }

  const issued = ctx.tokens.issue({ clientEmail: account.email, scopes, ...(sub ? { sub } : {}) }, ctx.now);
  return {
    status: 200,
    body: { access_token: issued.token, expires_in: TOKEN_LIFETIME_SECONDS, token_type: 'Bearer' },
    header,
    claims,
  };
}

function refused(refusal: TokenRefusal, header?: JsonObject, claims?: JsonObject): TokenOutcome {
  return { status: refusal.status, body: refusal.body, ...(header ? { header } : {}), ...(claims ? { claims } : {}) };
}

/**
 * With `kid`, the key of that ID must exist, be enabled and verify the signature; without it, any
 * enabled key of the account that verifies it will do.
 */
function signedByAccountKey(jws: DecodedJws, keys: ReadonlyMap<string, AccountKey>): boolean {
  const kid = member(jws.header, 'kid');
  if (kid !== undefined) {
    if (typeof kid !== 'string') return false;
    const key = keys.get(kid);
    return key?.enabled === true && verifyRs256(jws, key.publicKey);
  }
  for (const key of keys.values()) {
    if (key.enabled && verifyRs256(jws, key.publicKey)) return true;
  }
  return false;
}

/**
 * `iat` and `exp` are NumericDates (seconds); the assertion may live at most an hour, must not be
 * issued in the future nor have expired, each with `skew` seconds of allowance for clocks.
 */
function inTimeframe(claims: JsonObject, nowSeconds: number, skew: number): boolean {
  const iat = member(claims, 'iat');
  const exp = member(claims, 'exp');
  if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(iat) || !Number.isFinite(exp)) return false;
  const lifetime = exp - iat;
  if (lifetime <= 0 || lifetime > MAX_ASSERTION_LIFETIME_SECONDS) return false;
  return iat <= nowSeconds + skew && exp >= nowSeconds - skew;
}
