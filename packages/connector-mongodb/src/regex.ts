/**
 * Patterns for `co`, `sw`, `ew` and case-insensitive equality. A filter value only ever becomes a
 * pattern through {@link escapePattern}: every character that means something to a regular
 * expression is escaped, so client text matches itself and nothing else. The patterns are valid
 * and mean the same in MongoDB's PCRE and in JavaScript (which test servers use).
 */

const SAFE = /^[A-Za-z0-9_]$/;

/** Escapes `text` so that it matches itself literally. */
export function escapePattern(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (SAFE.test(ch) || code >= 0x80) out += ch;
    // Control characters (NUL among them, which MongoDB refuses inside a pattern) as \xHH.
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // Any other ASCII punctuation or space: a backslash makes it literal in PCRE and in JavaScript.
    else out += `\\${ch}`;
  }
  return out;
}

/**
 * End of input. PCRE's `$` also matches before a final newline; "no character follows" is the end
 * in both dialects.
 */
const END = '(?![\\s\\S])';

/** A MongoDB `$regex` condition. */
export interface RegexCondition {
  $regex: string;
  $options?: string;
}

/** The pattern condition for `co`, `sw`, `ew`, or exact equality (`eq`). */
export function patternCondition(op: 'co' | 'sw' | 'ew' | 'eq', text: string, caseInsensitive: boolean): RegexCondition {
  const body = escapePattern(text);
  const source = op === 'co' ? body : op === 'sw' ? `^${body}` : op === 'ew' ? `${body}${END}` : `^${body}${END}`;
  return caseInsensitive ? { $regex: source, $options: 'i' } : { $regex: source };
}

/** A RegExp for the same pattern (inside `$in`, where `$regex` cannot be used). */
export function patternRegExp(op: 'co' | 'sw' | 'ew' | 'eq', text: string, caseInsensitive: boolean): RegExp {
  const c = patternCondition(op, text, caseInsensitive);
  return new RegExp(c.$regex, c.$options ?? '');
}

/** Matches any string with at least one character (a present string value). */
export const NON_EMPTY_STRING: RegexCondition = { $regex: '[\\s\\S]' };
