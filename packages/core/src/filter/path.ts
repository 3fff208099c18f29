/** Attribute path parsing: `[urn:…:]attr[.sub]` (RFC 7644 §3.10). */
import { type ScimError, InvalidFilterError } from '../errors.js';
import type { AttrPath } from './ast.js';

const NAME = /^(\$ref|[A-Za-z][\w-]*)$/;

/**
 * Parses an attribute path. A URN prefix is split at its last colon, so
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`
 * gives `{ uri, attr: 'manager', sub: 'value' }`.
 *
 * @param mkError builds the error thrown for a malformed path (invalidFilter by default).
 */
export function parseAttrPath(text: string, mkError: (detail: string) => ScimError = (d) => new InvalidFilterError(d)): AttrPath {
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const cut = text.lastIndexOf(':');
    uri = text.slice(0, cut);
    rest = text.slice(cut + 1);
    if (!uri || rest === '') throw mkError(`Invalid attribute path "${text}"`);
  }
  const dot = rest.indexOf('.');
  const attrName = dot === -1 ? rest : rest.slice(0, dot);
  const sub = dot === -1 ? undefined : rest.slice(dot + 1);
  if (!NAME.test(attrName) || (sub !== undefined && !NAME.test(sub))) {
    throw mkError(`Invalid attribute path "${text}"`);
  }
  const p: AttrPath = { attr: attrName };
  if (uri !== undefined) p.uri = uri;
  if (sub !== undefined) p.sub = sub;
  return p;
}
