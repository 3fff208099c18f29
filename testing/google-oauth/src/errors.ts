import { oauthRefusal as refusal, tokenRequestErrors } from '@scimgw/testing-emulator-kit';

/**
 * The answers the emulator gives, in the words Google's documentation and services use. The OAuth
 * token endpoint answers in RFC 6749 §5.2 form (`error`, `error_description`); Google APIs answer
 * in the Google API error form (`{"error":{"code","message","status",…}}`).
 */

/** The grant type of RFC 7523 §2.1 that Google's token endpoint takes for service accounts. */
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** An RFC 6749 §5.2 error response of the token endpoint, and a refusal of it: HTTP status and body. */
export type { OAuthError, TokenRefusal } from '@scimgw/testing-emulator-kit';

/** The refusals of `POST /token` (405, 413, a body not a form and a missing parameter: the kit's). */
export const tokenErrors = {
  ...tokenRequestErrors,
  unsupportedGrantType: (value: string) => refusal(400, 'unsupported_grant_type', `Invalid grant_type: ${value}`),
  duplicate: (name: string) => refusal(400, 'invalid_request', `Parameter must not be repeated: ${name}`),
  malformed: () => refusal(400, 'invalid_grant', 'Invalid JWT: the assertion is not a well-formed JWT.'),
  signature: () => refusal(400, 'invalid_grant', 'Invalid JWT Signature.'),
  accountNotFound: () => refusal(400, 'invalid_grant', 'Invalid grant: account not found'),
  audience: () => refusal(400, 'invalid_grant', 'Invalid JWT: Failed audience check.'),
  timeframe: () =>
    refusal(
      400,
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. ' +
        'Check your iat and exp values in the JWT claim.',
    ),
  emptyScope: () => refusal(400, 'invalid_scope', 'Empty or missing scope not allowed.'),
  unauthorizedClient: () =>
    refusal(
      401,
      'unauthorized_client',
      'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    ),
  invalidSubject: () => refusal(400, 'invalid_grant', 'Invalid email or User ID'),
} as const;

/** An error answer of a Google API: HTTP status, body and extra headers. */
export interface ApiRefusal {
  readonly status: number;
  readonly body: { readonly error: Record<string, unknown> };
  readonly headers?: Readonly<Record<string, string>>;
}

/** The realm Google APIs name in `WWW-Authenticate` (RFC 6750 §3). */
export const GOOGLE_REALM = 'https://accounts.google.com/';

const SIGN_IN_HELP = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';

const notAuthorized = 'Not Authorized to access this resource/api';
const userNotFound = 'Resource Not Found: userKey';

/** The refusals of the protected Admin SDK Directory resource. */
export const apiErrors = {
  /** No credential at all (RFC 6750 §3.1: no error code in the challenge). */
  missingCredential: (): ApiRefusal => ({
    status: 401,
    headers: { 'WWW-Authenticate': `Bearer realm="${GOOGLE_REALM}"` },
    body: {
      error: {
        code: 401,
        message: `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SIGN_IN_HELP}`,
        status: 'UNAUTHENTICATED',
      },
    },
  }),
  /** A bearer token that is unknown, expired or revoked, or an Authorization header that is not Bearer. */
  invalidCredential: (): ApiRefusal => ({
    status: 401,
    headers: { 'WWW-Authenticate': `Bearer realm="${GOOGLE_REALM}", error="invalid_token"` },
    body: {
      error: {
        code: 401,
        message: `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SIGN_IN_HELP}`,
        status: 'UNAUTHENTICATED',
      },
    },
  }),
  insufficientScope: (scopes: readonly string[]): ApiRefusal => ({
    status: 403,
    headers: {
      'WWW-Authenticate': `Bearer realm="${GOOGLE_REALM}", error="insufficient_scope", scope="${scopes.join(' ')}"`,
    },
    body: {
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
          },
        ],
      },
    },
  }),
  forbidden: (): ApiRefusal => ({
    status: 403,
    body: {
      error: { code: 403, message: notAuthorized, errors: [{ message: notAuthorized, domain: 'global', reason: 'forbidden' }] },
    },
  }),
  userNotFound: (): ApiRefusal => ({
    status: 404,
    body: {
      error: { code: 404, message: userNotFound, errors: [{ message: userNotFound, domain: 'global', reason: 'notFound' }] },
    },
  }),
  noSuchPath: (): ApiRefusal => ({
    status: 404,
    body: { error: { code: 404, message: 'The requested URL was not found on this server.', status: 'NOT_FOUND' } },
  }),
  tooLarge: (): ApiRefusal => ({
    status: 413,
    body: { error: { code: 413, message: 'Request body too large.', status: 'INVALID_ARGUMENT' } },
  }),
} as const;
