import type { ServerResponse } from 'node:http';
import { firstValues, isForm } from './form.js';
import { type JsonReply, sendJson } from './json.js';
import type { JsonRequest } from './server.js';

/** An RFC 6749 §5.2 error response of a token endpoint. */
export interface OAuthError {
  readonly error: string;
  readonly error_description: string;
}

/** A refusal of a token endpoint: its HTTP status and body. */
export interface TokenRefusal {
  readonly status: number;
  readonly body: OAuthError;
}

/** A refusal in the form of RFC 6749 §5.2. */
export const oauthRefusal = (status: number, error: string, description: string): TokenRefusal => ({
  status,
  body: { error, error_description: description },
});

/** The refusals of a request that is not a token request at all, and of a missing parameter. */
export const tokenRequestErrors = {
  method: () => oauthRefusal(405, 'invalid_request', 'The token endpoint takes POST only.'),
  tooLarge: () => oauthRefusal(413, 'invalid_request', 'Request body too large.'),
  notForm: () => oauthRefusal(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.'),
  missing: (name: string) => oauthRefusal(400, 'invalid_request', `Missing required parameter: ${name}`),
} as const;

/**
 * A request to a token endpoint: its form, or its refusal. The form is read whenever the body is a
 * form within the limit (so that the call log shows it even when the method is wrong); the request
 * is refused, in this order, for a method other than POST (405), a body over the limit (413), a body
 * that is not `application/x-www-form-urlencoded` (400).
 */
export type TokenRequest =
  | { readonly ok: true; readonly form: URLSearchParams }
  | { readonly ok: false; readonly form: URLSearchParams | undefined; readonly refusal: TokenRefusal };

/** Reads a request to a token endpoint (RFC 6749 §3.2: POST, form-encoded). */
export function readTokenRequest(request: JsonRequest): TokenRequest {
  const { body } = request;
  const form = body.ok && isForm(request.req) ? new URLSearchParams(body.bytes.toString('utf8')) : undefined;
  if (request.method !== 'POST') return { ok: false, form, refusal: tokenRequestErrors.method() };
  if (!body.ok) return { ok: false, form, refusal: tokenRequestErrors.tooLarge() };
  if (!form) return { ok: false, form, refusal: tokenRequestErrors.notForm() };
  return { ok: true, form };
}

/** The form fields of a token request for the call log: the first of each name. */
export function loggedForm(request: TokenRequest): Record<string, string> {
  return request.form ? firstValues(request.form) : {};
}

/** Writes a token endpoint's reply: `Allow: POST` with a 405, and never to be cached (RFC 6749 §5.1). */
export function sendTokenResponse(res: ServerResponse, reply: JsonReply): void {
  sendJson(res, {
    ...reply,
    headers: {
      ...(reply.status === 405 ? { Allow: 'POST' } : {}),
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...reply.headers,
    },
  });
}
