/** PATCH path grammar (RFC 7644 §3.5.2): `attrPath`, `valuePath[.subAttr]`, or a bare extension URN. */
import { InvalidFilterError, InvalidPathError, isScimError } from '../errors.js';
import type { AttrPath, FilterNode } from '../filter/ast.js';
import { parseFilter } from '../filter/parser.js';
import { parseAttrPath } from '../filter/path.js';

/** A parsed PATCH path. */
export interface PatchPath extends AttrPath {
  /** Element selector of a value path (`emails[type eq "work"]`). */
  where?: FilterNode;
}

const invalid = (d: string) => new InvalidPathError(d);

/**
 * Parses a PATCH `path`. Throws `invalidPath` (or `invalidFilter` for a bad
 * selector); never anything else.
 *
 * @example
 * parsePatchPath('emails[type eq "work"].value') // { attr: 'emails', where: …, sub: 'value' }
 */
export function parsePatchPath(text: string): PatchPath {
  if (typeof text !== 'string' || text.trim() === '') throw invalid('Empty PATCH path');
  const src = text.trim();
  const open = src.indexOf('[');
  if (open === -1) return parseAttrPath(src, invalid);
  const close = src.lastIndexOf(']');
  if (close < open) throw invalid(`Unbalanced brackets in path "${src}"`);
  const head = parseAttrPath(src.slice(0, open), invalid);
  if (head.sub) throw invalid(`Value filter on a sub-attribute in "${src}"`);
  let where: FilterNode;
  try {
    where = parseFilter(src.slice(open + 1, close));
  } catch (e) {
    if (isScimError(e)) throw new InvalidFilterError(`Invalid value filter in path "${src}": ${e.detail}`);
    throw e;
  }
  const tail = src.slice(close + 1);
  const out: PatchPath = { ...head, where };
  if (tail !== '') {
    if (!tail.startsWith('.') || !/^\.(\$ref|[A-Za-z][\w-]*)$/.test(tail))
      throw invalid(`Invalid text after value filter in "${src}"`);
    out.sub = tail.slice(1);
  }
  return out;
}
