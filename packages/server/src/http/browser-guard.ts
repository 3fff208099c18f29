/**
 * Requests a browser sends for another site (cross-site request forgery). IdP clients are servers:
 * they send no `Origin` and no `Sec-Fetch-Site`. A browser that holds the gateway's Basic
 * credentials (someone opened `/logger` and signed in) sends them along with any request a page on
 * another site makes, and a plain HTML form can POST a JSON text as `text/plain`. So a request that
 * could change something is refused before it is authenticated when a browser says another site
 * sent it, and a body in one of the content types a page may send without asking (the CORS
 * "simple" types) is refused on every route that reads JSON. Hosts leave out the routes with a
 * rule of their own: the gateway's `/mcp` (`scimgateway.mcp.allowedOrigins`) and `/oauth/token`,
 * which takes a form by definition and authenticates from its body.
 */
import { errors } from '@scimgw/core';

type Headers = Record<string, string | string[] | undefined>;

/** Content types a page on any site may send without a CORS preflight, none of them JSON. */
const FORM_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The host (`name:port`) of an `Origin` value; `undefined` for `null` or anything not an origin. */
function originHost(origin: string): string | undefined {
  if (origin === 'null') return undefined;
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Why a request must be refused as sent by a browser for another site: 403 when the browser says
 * so (`Sec-Fetch-Site: cross-site` or `same-site`, or an `Origin` other than the gateway's own
 * host), 415 for a body in a form content type; `undefined` to go on. Reads (GET, HEAD) are let
 * through: another site cannot read their answers, and they change nothing.
 *
 * @param ownHost the host (`name:port`) the request was sent to: the `Host` header, or the
 *   forwarded host where forwarded headers are trusted.
 */
export function browserRefusal(method: string, headers: Headers, ownHost: string): errors.ScimError | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const site = first(headers['sec-fetch-site'])?.trim().toLowerCase();
  if (site === 'cross-site' || site === 'same-site')
    return new errors.ForbiddenError(`A browser sent this request for another site (Sec-Fetch-Site: ${site}): refused`);
  const origin = first(headers.origin)?.trim();
  if (origin !== undefined && origin !== '' && originHost(origin) !== ownHost.toLowerCase())
    return new errors.ForbiddenError('A browser sent this request for another origin (Origin): refused');
  const type = first(headers['content-type'])?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && FORM_TYPES.has(type))
    return new errors.ScimError(415, `Content-Type ${type} is not accepted: send application/scim+json or application/json`);
  return undefined;
}

/** The host a request was sent to: the forwarded host where forwarded headers are trusted, else `Host`. */
export function requestHost(headers: Headers, trustForwarded: boolean): string {
  const forwarded = trustForwarded ? first(headers['x-forwarded-host'])?.split(',')[0]?.trim() : undefined;
  return forwarded || first(headers.host) || '';
}
