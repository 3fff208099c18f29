/**
 * Header access that tolerates both lower-case (node:http, express) and mixed-case header bags.
 */
import type { HeaderBag } from './types.js';

/**
 * Read one header; repeated headers are joined with `, ` as RFC 9110 §5.3 allows.
 *
 * @param headers - the request's header bag
 * @param name - lower-case header name
 */
export function getHeader(headers: HeaderBag, name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        v = headers[key];
        break;
      }
    }
  }
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}
