/**
 * SAML 2.0 bearer assertion grant (RFC 7522): the assertion — pre-built in
 * config or produced by a function per token request — is sent base64url
 * encoded as `assertion` with `grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer`.
 * `company_id` is added for SAP SuccessFactors, as the seed did.
 */
import { RestAuthError } from '../errors.js';
import { TokenCache } from '../token-cache.js';
import type { SamlBearerOptions } from '../types.js';
import { requestToken, tokenAuth, withExtra } from './token-endpoint.js';
import type { AuthDeps, AuthProvider } from './types.js';

/** `grant_type` of the SAML 2.0 bearer grant. */
export const GRANT_TYPE_SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';

/**
 * Encodes an assertion for the `assertion` parameter (RFC 7522 §2.1:
 * base64url, no padding). XML (starting with `<`) is encoded; anything else
 * is taken as already base64 or base64url and only normalized to base64url.
 */
export function encodeSamlAssertion(assertion: string): string {
  const a = assertion.trim();
  if (a.startsWith('<')) return Buffer.from(a, 'utf8').toString('base64url');
  return a.replace(/\s+/g, '').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Creates the provider for `auth.type: "oauthSamlBearer"`. */
export function samlBearerAuth(deps: AuthDeps, o: SamlBearerOptions): AuthProvider {
  const clientId = o.clientId ?? o.samlPayload?.clientId;
  const companyId = o.companyId ?? o.samlPayload?.companyId;
  if (typeof o.assertion === 'string') deps.secrets.add(o.assertion);
  const cache = new TokenCache(async () => {
    const raw = typeof o.assertion === 'function' ? await o.assertion(deps.conn.tenant) : o.assertion;
    if (typeof raw !== 'string' || raw.trim() === '') throw new RestAuthError('SAML assertion provider returned no assertion');
    deps.secrets.add(raw);
    const assertion = encodeSamlAssertion(raw);
    deps.secrets.add(assertion);
    const form: Record<string, string> = { grant_type: GRANT_TYPE_SAML2_BEARER, assertion };
    if (clientId) form.client_id = clientId;
    if (o.clientSecret) form.client_secret = o.clientSecret;
    if (companyId) form.company_id = companyId;
    if (o.scope) form.scope = o.scope;
    return requestToken(deps, o.tokenUrl, withExtra(form, o.extraParams));
  });
  return tokenAuth(cache);
}
