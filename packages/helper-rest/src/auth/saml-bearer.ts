/**
 * SAML 2.0 bearer assertion grant (RFC 7522): the assertion — pre-built in
 * config, produced by a function per token request, or built and signed here from `samlPayload`
 * (saml-assertion.ts) — is sent base64url
 * encoded as `assertion` with `grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer`.
 * `company_id` is added for SAP SuccessFactors, as the seed did.
 */
import { createPrivateKey } from 'node:crypto';
import { RestAuthError, RestConfigError } from '../errors.js';
import { readPem } from '../tls.js';
import { TokenCache } from '../token-cache.js';
import type { SamlBearerOptions } from '../types.js';
import { checkSamlText, type SamlAssertionInput, SUCCESSFACTORS_AUDIENCE, signedSamlAssertion } from './saml-assertion.js';
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

/**
 * Without a configured assertion: one signed here per token request from `samlPayload` and the
 * key in `tls` (read now, so a wrong file or a key that is not RSA fails at startup).
 */
function assertionBuilder(deps: AuthDeps, o: SamlBearerOptions, clientId: string | undefined): () => string {
  const p = o.samlPayload ?? {};
  const keyPem = readPem(o.tls?.key as string, deps.certsDir, 'auth tls.key');
  const certificatePem = o.tls?.cert ? readPem(o.tls.cert, deps.certsDir, 'auth tls.cert') : undefined;
  const passphrase = o.tls?.passphrase ?? undefined;
  let type: string | undefined;
  try {
    type = createPrivateKey(passphrase ? { key: keyPem, passphrase } : keyPem).asymmetricKeyType;
  } catch (e) {
    throw new RestConfigError(`Cannot use auth tls.key to sign SAML assertions: ${(e as Error).message}`, { cause: e });
  }
  if (type !== 'rsa') throw new RestConfigError(`auth tls.key is ${type} key; SAML assertions are signed with RSA-SHA256`);
  deps.secrets.add(keyPem);
  const input: SamlAssertionInput = {
    issuer: (p.issuer ?? clientId) as string,
    nameId: p.userId as string,
    nameIdFormat: p.userIdFormat,
    recipient: p.recipient ?? o.tokenUrl,
    audience: p.audience ?? SUCCESSFACTORS_AUDIENCE,
    lifetimeSeconds: p.lifetimeSeconds ?? 600,
    attributes: clientId ? { api_key: clientId } : {},
    privateKeyPem: keyPem,
    passphrase,
    certificatePem,
  };
  // A value XML cannot carry fails at startup (the key was checked above).
  try {
    checkSamlText(input);
  } catch (e) {
    throw new RestConfigError(`Cannot build a SAML assertion from auth samlPayload and tls.key: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return () => signedSamlAssertion(input);
}

/** Creates the provider for `auth.type: "oauthSamlBearer"`. */
export function samlBearerAuth(deps: AuthDeps, o: SamlBearerOptions): AuthProvider {
  const clientId = o.clientId ?? o.samlPayload?.clientId;
  const companyId = o.companyId ?? o.samlPayload?.companyId;
  if (typeof o.assertion === 'string') deps.secrets.add(o.assertion);
  const build = o.assertion === undefined ? assertionBuilder(deps, o, clientId) : undefined;
  const cache = new TokenCache(async () => {
    const raw = build ? build() : typeof o.assertion === 'function' ? await o.assertion(deps.conn.tenant) : o.assertion;
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
