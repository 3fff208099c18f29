/**
 * `$filter` tokens. Unquoted GUIDs and date-times are literals in OData, so they are tried
 * before numbers and names; keywords are matched case-insensitively later by the parser
 * (Graph accepts `NOT`, `OR`, `startswith` as its own docs write them).
 */
import { badRequest, echo } from '../graph/errors.js';

/** One token with its offset in the source (for error messages). */
export type Token =
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: 'guid' | 'datetime'; readonly text: string; readonly at: number }
  | { readonly kind: '(' | ')' | ',' | ':' | '/'; readonly at: number }
  | { readonly kind: 'end'; readonly at: number };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2}))?/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_$][A-Za-z0-9_$.]*/;

/** The longest `$filter` the emulator reads; longer ones are refused before any parsing. */
export const MAX_FILTER_LENGTH = 8192;

/** Raised for any lexical or syntax error: Graph answers 400 for a filter it cannot parse. */
export function syntaxError(source: string, at: number): Error {
  return badRequest(`Invalid filter clause: Syntax error at position ${at} in '${echo(source)}'.`);
}

function readString(source: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === "'") {
      if (source[i + 1] === "'") {
        text += "'";
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += ch;
    i++;
  }
  throw syntaxError(source, start);
}

/** Splits a `$filter` value into tokens. */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_FILTER_LENGTH) throw badRequest('The $filter expression is too long.');
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === ':' || ch === '/') {
      tokens.push({ kind: ch, at: i });
      i++;
      continue;
    }
    if (ch === "'") {
      const { text, end } = readString(source, i);
      tokens.push({ kind: 'string', text, at: i });
      i = end;
      continue;
    }
    const rest = source.slice(i, i + 64);
    const guid = GUID.exec(rest);
    if (guid && !/[0-9A-Za-z_-]/.test(source[i + guid[0].length] ?? '')) {
      tokens.push({ kind: 'guid', text: guid[0].toLowerCase(), at: i });
      i += guid[0].length;
      continue;
    }
    const datetime = DATETIME.exec(rest);
    if (datetime && !/[0-9A-Za-z_]/.test(source[i + datetime[0].length] ?? '')) {
      tokens.push({ kind: 'datetime', text: datetime[0], at: i });
      i += datetime[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number && !/[A-Za-z_]/.test(source[i + number[0].length] ?? '')) {
      tokens.push({ kind: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = NAME.exec(source.slice(i, i + 256));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    throw syntaxError(source, i);
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}
