/**
 * Token endpoint requests (RFC 6749 §3.2, §5): POST a form, read the token
 * response, turn error responses into {@link RestAuthError}. Shared by all
 * token-based flows, and the one place fetched tokens are registered with
 * the log masker.
 */
import { HelperRestError, RestAuthError, RestError } from '../errors.js';
import { maskUrl } from '../mask.js';
import type { AccessToken, TokenCache } from '../token-cache.js';
import type { AuthDeps, AuthProvider } from './types.js';

function normalizeType(t: unknown): string {
  if (typeof t !== 'string' || t === '' || t.toLowerCase() === 'bearer') return 'Bearer';
  return t;
}

/**
 * Requests a token. Accepts `access_token` (standard) and the `token` /
 * `accessToken` spellings some non-standard APIs use.
 */
export async function requestToken(
  deps: AuthDeps,
  tokenUrl: string,
  form: Record<string, string>,
  headers?: Record<string, string>,
): Promise<AccessToken> {
  const where = maskUrl(tokenUrl, deps.secrets);
  deps.log.debug('requesting access token', { tenant: deps.conn.tenant, tokenUrl: where, grantType: form.grant_type });
  let body: unknown;
  try {
    body = (await deps.postForm(tokenUrl, form, headers)).body;
  } catch (e) {
    if (e instanceof RestError) {
      const b = e.body as Record<string, unknown> | undefined;
      const oauthError = typeof b?.error === 'string' ? b.error : undefined;
      const desc = typeof b?.error_description === 'string' ? `: ${b.error_description.split('\n')[0]}` : '';
      throw new RestAuthError(
        deps.secrets.maskString(
          `Token request to ${where} failed with status ${e.status}${oauthError ? ` (${oauthError})` : ''}${desc}`,
        ),
        { status: e.status, ...(oauthError ? { oauthError } : {}), cause: e },
      );
    }
    if (e instanceof HelperRestError) throw e;
    throw new RestAuthError(`Token request to ${where} failed`, { cause: e });
  }
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const value = [b.access_token, b.token, b.accessToken].find((v): v is string => typeof v === 'string' && v !== '');
  if (!value) throw new RestAuthError(`Token response from ${where} has no access_token`);
  deps.secrets.add(value);
  if (typeof b.refresh_token === 'string') deps.secrets.add(b.refresh_token);
  const expires = Number(b.expires_in);
  const token: AccessToken = { value, tokenType: normalizeType(b.token_type) };
  if (Number.isFinite(expires) && expires > 0) token.expiresIn = expires;
  deps.log.debug('access token received', { tenant: deps.conn.tenant, expiresIn: token.expiresIn });
  return token;
}

/** An {@link AuthProvider} around a token cache: refreshes once when the backend rejects the token. */
export function tokenAuth(cache: TokenCache): AuthProvider {
  return {
    cache,
    async authorize() {
      const t = await cache.get();
      return `${t.tokenType} ${t.value}`;
    },
    ready() {
      const t = cache.peek();
      return t ? `${t.tokenType} ${t.value}` : false;
    },
    refresh(rejected) {
      cache.invalidate(rejected.slice(rejected.indexOf(' ') + 1));
      return true;
    },
  };
}

/** Copies defined extra parameters into a form. */
export function withExtra(form: Record<string, string>, extra: Record<string, string> | undefined): Record<string, string> {
  for (const [k, v] of Object.entries(extra ?? {})) if (typeof v === 'string' && !(k in form)) form[k] = v;
  return form;
}
