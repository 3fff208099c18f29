/** Tokenizer for SCIM filters and attribute paths. Internal. */
import { InvalidFilterError } from '../errors.js';

export type TokenKind = '(' | ')' | '[' | ']' | 'string' | 'word';

export interface Token {
  kind: TokenKind;
  /** Raw text for words, decoded text for strings. */
  text: string;
  /** Offset in the source, for error messages. */
  pos: number;
  /** Whether whitespace separates this token from the previous one. */
  spaced: boolean;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const PUNCT = new Set(['(', ')', '[', ']']);

/** Splits `src` into tokens; throws {@link InvalidFilterError} on an unterminated string. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let spaced = false;
  while (i < src.length) {
    const c = src.charAt(i);
    if (isSpace(c)) {
      spaced = true;
      i++;
      continue;
    }
    if (PUNCT.has(c)) {
      out.push({ kind: c as TokenKind, text: c, pos: i, spaced });
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      let raw = '';
      let closed = false;
      while (i < src.length) {
        const d = src.charAt(i);
        if (d === '\\') {
          raw += d + src.charAt(i + 1);
          i += 2;
          continue;
        }
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        raw += d;
        i++;
      }
      if (!closed) throw new InvalidFilterError(`Unterminated string starting at position ${start}`);
      out.push({ kind: 'string', text: decodeString(raw, start), pos: start, spaced });
    } else {
      const start = i;
      while (i < src.length) {
        const d = src.charAt(i);
        if (isSpace(d) || PUNCT.has(d) || d === '"') break;
        i++;
      }
      out.push({ kind: 'word', text: src.slice(start, i), pos: start, spaced });
    }
    spaced = false;
  }
  return out;
}

function decodeString(raw: string, pos: number): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(
      `"${raw.replace(/[\u0000-\u001f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`,
    ) as string;
  } catch {
    // Lenient: a backslash that is not a JSON escape stands for itself.
    try {
      return raw.replace(/\\(["\\/])/g, '$1');
    } catch {
      throw new InvalidFilterError(`Invalid escape in string at position ${pos}`);
    }
  }
}
