/**
 * `POST /oauth/token`: the client-credentials grant (RFC 6749 §4.4) with client
 * authentication by HTTP Basic or by form parameters (§2.3.1).
 */
import type { Logger } from '@scimgw/core';
import { getHeader } from './headers.js';
import type { IpMatcher } from './ip.js';
import type { OAuthIssuer } from './oauth.js';
import type { FailureLimiter } from './ratelimit.js';
import type { TokenRequest, TokenResponse } from './types.js';

/** What the endpoint needs from the authenticator. */
export interface TokenEndpointDeps {
  issuer: OAuthIssuer | undefined;
  allowList: IpMatcher | undefined;
  limiter: FailureLimiter | undefined;
  clientAddress: (req: Pick<TokenRequest, 'headers' | 'remoteAddress'>) => string;
  realm: string;
  logger?: Logger | undefined;
}

const NO_STORE = { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function oauthError(status: number, error: string, description: string, extra: Record<string, string> = {}): TokenResponse {
  return { status, headers: { ...NO_STORE, ...extra }, body: { error, error_description: description } };
}

/** Form-urlencoded component decoding (`+` is a space), per RFC 6749 appendix B. */
function formDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function parseBody(req: TokenRequest): Map<string, string> | string {
  const params = new Map<string, string>();
  const type = (getHeader(req.headers, 'content-type') ?? '').toLowerCase();
  if (type.includes('json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body || '{}');
    } catch {
      return 'body is not valid JSON';
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'body must be an object';
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') params.set(k, v);
    return params;
  }
  for (const pair of req.body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = formDecode(eq < 0 ? pair : pair.slice(0, eq));
    const v = formDecode(eq < 0 ? '' : pair.slice(eq + 1));
    if (k === undefined || v === undefined) return 'malformed form body';
    // RFC 6749 §3.2: parameters MUST NOT be included more than once.
    if (params.has(k)) return `parameter ${k} repeated`;
    params.set(k, v);
  }
  return params;
}

function basicClient(header: string | undefined): { id: string; secret: string } | undefined | 'malformed' {
  if (!header) return undefined;
  const m = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return /^basic\b/i.test(header) ? 'malformed' : undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return id === undefined || secret === undefined ? 'malformed' : { id, secret };
}

/**
 * Handle one token request.
 *
 * @returns a JSON response; `invalid_client` failures count toward the failed-login limit
 */
export async function handleTokenRequest(req: TokenRequest, deps: TokenEndpointDeps): Promise<TokenResponse> {
  const address = deps.clientAddress(req);
  if (deps.allowList && !deps.allowList.matches(address)) {
    deps.logger?.warn('auth: token request from address not in ipAllowList', { address });
    return oauthError(403, 'access_denied', 'client address not allowed');
  }
  const limit = deps.limiter?.check(address);
  if (limit?.blocked) {
    return oauthError(429, 'temporarily_unavailable', 'too many failed attempts', {
      'Retry-After': String(limit.retryAfterSeconds),
    });
  }
  if (!deps.issuer) return oauthError(404, 'invalid_request', 'the token endpoint is not enabled');

  const params = parseBody(req);
  if (typeof params === 'string') return oauthError(400, 'invalid_request', params);
  const grant = params.get('grant_type');
  if (!grant) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'only client_credentials is supported');

  const fromHeader = basicClient(getHeader(req.headers, 'authorization'));
  if (fromHeader === 'malformed') return oauthError(400, 'invalid_request', 'malformed Authorization header');
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (fromHeader && bodySecret !== undefined) return oauthError(400, 'invalid_request', 'use one client authentication method');
  if (fromHeader && bodyId !== undefined && bodyId !== fromHeader.id)
    return oauthError(400, 'invalid_request', 'client_id mismatch');
  const id = fromHeader?.id ?? bodyId;
  const secret = fromHeader?.secret ?? bodySecret;

  const challenge = { 'WWW-Authenticate': `Basic realm="${deps.realm}"` };
  if (id === undefined || secret === undefined) {
    return oauthError(401, 'invalid_client', 'client authentication required', challenge);
  }
  const issued = await deps.issuer.issue(id, secret);
  if (!issued) {
    const blocked = deps.limiter?.recordFailure(address);
    deps.logger?.warn('auth: token request with invalid client credentials', { address });
    if (blocked) deps.logger?.warn('auth: too many failed logins, address blocked for the rest of the window', { address });
    return oauthError(401, 'invalid_client', 'client authentication failed', challenge);
  }
  deps.logger?.info('auth: access token issued', { client: id, address, expiresIn: issued.expiresIn });
  return {
    status: 200,
    headers: { ...NO_STORE },
    body: { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn },
  };
}
