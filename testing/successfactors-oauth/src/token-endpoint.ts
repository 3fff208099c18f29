import { repeatedParameter } from '@scimgw/testing-emulator-kit';
import { checkClaims } from './assertion.js';
import { decodeAssertion } from './base64.js';
import { type OAuthError, SAML2_BEARER, type TokenRefusal, tokenErrors } from './errors.js';
import { verifyAssertionSignature } from './signature.js';
import { type SuccessFactorsState, TOKEN_LIFETIME_SECONDS } from './state.js';
import { isElement, parseXml, SAML_NS } from './xml.js';

/** The body of a successful token response. */
export interface AccessTokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  /** Seconds: {@link TOKEN_LIFETIME_SECONDS} for a new token, what is left of it for one handed out again. */
  readonly expires_in: number;
}

/** The answer of the token endpoint, with the decoded assertion for the call log. */
export interface TokenOutcome {
  readonly status: number;
  readonly body: AccessTokenResponse | OAuthError;
  /** The decoded assertion, when it was base64 of UTF-8 text. */
  readonly assertionXml?: string;
}

/** What the exchange needs to decide. */
export interface TokenContext {
  readonly state: SuccessFactorsState;
  readonly tokenUrl: string;
  /** Milliseconds. */
  readonly now: number;
  readonly clockSkewSeconds: number;
}

/** The parameters of the token request the emulator reads. */
const PARAMETERS = ['grant_type', 'client_id', 'company_id', 'assertion', 'new_token'] as const;

/**
 * The SAML 2.0 bearer grant as SuccessFactors' `POST /oauth/token` takes it. Checks, in order:
 * no parameter repeated; `grant_type`; `company_id`; `client_id` (a registered, not revoked client
 * of that company); `assertion` (base64 of a SAML 2.0 Assertion); its signature by the client's
 * certificate; its claims. The first that fails answers.
 */
export function exchangeAssertion(form: URLSearchParams, ctx: TokenContext): TokenOutcome {
  const refuse = (refusal: TokenRefusal, assertionXml?: string): TokenOutcome => ({
    status: refusal.status,
    body: refusal.body,
    ...(assertionXml !== undefined ? { assertionXml } : {}),
  });

  // RFC 6749 §3.2: request parameters must not be included more than once.
  const repeated = repeatedParameter(form, PARAMETERS);
  if (repeated !== undefined) return refuse(tokenErrors.duplicate(repeated));

  const grantType = form.get('grant_type');
  if (grantType === null || grantType === '') return refuse(tokenErrors.missing('grant_type'));
  if (grantType !== SAML2_BEARER) return refuse(tokenErrors.unsupportedGrantType(grantType));

  const companyId = form.get('company_id');
  if (companyId === null || companyId === '') return refuse(tokenErrors.missing('company_id'));
  if (!ctx.state.hasCompany(companyId)) return refuse(tokenErrors.companyNotFound(companyId));

  const apiKey = form.get('client_id') ?? '';
  const client = ctx.state.client(apiKey);
  if (!client || client.companyId !== companyId) return refuse(tokenErrors.invalidClient());

  const decoded = decodeAssertion(form.get('assertion') ?? '');
  if (!decoded.ok) return refuse(tokenErrors.invalidGrant(decoded.reason));
  const xml = decoded.xml;
  const parsed = parseXml(xml);
  if (!parsed.ok) return refuse(tokenErrors.invalidGrant(parsed.reason), xml);
  const assertion = parsed.document.documentElement;
  if (!isElement(assertion, SAML_NS, 'Assertion')) {
    return refuse(
      tokenErrors.invalidGrant(`Invalid SAML assertion: the root element is not a SAML 2.0 Assertion (${SAML_NS})`),
      xml,
    );
  }

  if (!verifyAssertionSignature(xml, assertion, client.publicKey)) return refuse(tokenErrors.signature(), xml);

  const claims = checkClaims(assertion, {
    companyId,
    apiKey,
    tokenUrl: ctx.tokenUrl,
    now: ctx.now,
    clockSkewSeconds: ctx.clockSkewSeconds,
    hasUser: (userId) => ctx.state.hasUser(companyId, userId),
  });
  if (!claims.ok) return refuse(tokenErrors.invalidGrant(claims.reason), xml);

  const fresh = form.get('new_token') === 'true';
  const issued = ctx.state.issue({ companyId, apiKey, userId: claims.userId }, ctx.now, fresh);
  const left = Math.max(0, Math.floor((issued.expiresAt - ctx.now) / 1000));
  return {
    status: 200,
    body: { access_token: issued.token, token_type: 'Bearer', expires_in: Math.min(left, TOKEN_LIFETIME_SECONDS) },
    assertionXml: xml,
  };
}
