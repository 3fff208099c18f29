import { oauthRefusal as refusal, tokenRequestErrors } from '@scimgw/testing-emulator-kit';

/**
 * The answers the emulator gives when it refuses. The token endpoint answers in the form of
 * RFC 6749 §5.2 (`{"error","error_description"}`); the OData resource answers in the OData V2 JSON
 * error form SuccessFactors uses (`{"error":{"code","message":{"lang","value"}}}`). SuccessFactors'
 * exact wording is not reproduced: only the `error` codes are meant to be relied on.
 */

/** The grant type of RFC 7522 §2.1 that SuccessFactors' `/oauth/token` takes. */
export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';

/** An RFC 6749 §5.2 error response of the token endpoint, and a refusal of it: HTTP status and body. */
export type { OAuthError, TokenRefusal } from '@scimgw/testing-emulator-kit';

/** Quotes a value from the request for an error description, shortened so that an answer stays small. */
export function quote(value: string): string {
  const short = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(short);
}

/** The refusals of `POST /oauth/token` (405, 413, a body not a form and a missing parameter: the kit's). */
export const tokenErrors = {
  ...tokenRequestErrors,
  duplicate: (name: string) => refusal(400, 'invalid_request', `Parameter must not be repeated: ${quote(name)}`),
  unsupportedGrantType: (value: string) => refusal(400, 'unsupported_grant_type', `Unsupported grant_type: ${quote(value)}`),
  companyNotFound: (companyId: string) => refusal(400, 'invalid_request', `company_id ${quote(companyId)} not found`),
  invalidClient: () =>
    refusal(401, 'invalid_client', 'Client authentication failed: unknown or revoked client_id for this company'),
  /** Any fault of the assertion: the description names it. */
  invalidGrant: (description: string) => refusal(400, 'invalid_grant', description),
  signature: () => refusal(400, 'invalid_grant', 'Invalid SAML assertion signature'),
} as const;

/** An OData V2 error as SuccessFactors' OData API sends it. */
export interface ODataError {
  readonly error: {
    readonly code: string;
    readonly message: { readonly lang: 'en-US'; readonly value: string };
  };
}

/** An answer of the OData resource that is not a success. */
export interface ApiRefusal {
  readonly status: number;
  readonly body: ODataError;
  readonly headers?: Readonly<Record<string, string>>;
}

const odataError = (status: number, code: string, value: string, headers?: Record<string, string>): ApiRefusal => ({
  status,
  body: { error: { code, message: { lang: 'en-US', value } } },
  ...(headers ? { headers } : {}),
});

/** The refusals of the OData resource. */
export const apiErrors = {
  missingToken: () =>
    odataError(401, 'UNAUTHORIZED', 'Missing bearer token: send Authorization: Bearer <access_token>.', {
      'WWW-Authenticate': 'Bearer',
    }),
  invalidToken: () =>
    odataError(401, 'UNAUTHORIZED', 'The access token is invalid or has expired.', {
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    }),
  userNotFound: (userId: string) =>
    odataError(404, 'COE_RESOURCE_NOT_FOUND', `Entity User with key userId=${quote(userId)} not found.`),
  notAcceptable: () =>
    odataError(406, 'NOT_ACCEPTABLE', 'The emulator answers JSON only: ask with $format=json or Accept: application/json.'),
  tooLarge: () => odataError(413, 'REQUEST_TOO_LARGE', 'Request body too large.'),
  noSuchPath: () => odataError(404, 'NOT_FOUND', 'No such resource in the emulator.'),
} as const;
