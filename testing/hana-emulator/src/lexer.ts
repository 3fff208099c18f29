/**
 * A tokenizer for SAP HANA SQL: '…' strings (quotes doubled, no backslash escapes), N'…'
 * strings, "…" delimited identifiers (quotes doubled), undelimited identifiers (a letter or `_`
 * first, then letters, digits, `_`, `#`, `$`), numbers, `?` parameters, `:name` (SQLScript
 * variables), `--` and `/* … *\/` comments. Every character is kept, so the token texts joined give
 * the input back. What HANA has no token for is refused with error 257: `$1`, `@p1`, back-quotes,
 * brackets, `::`, braces.
 */
import { syntaxError } from './errors.js';

export type TokenKind = 'ws' | 'string' | 'ident' | 'word' | 'number' | 'param' | 'variable' | 'op';

export interface Token {
  kind: TokenKind;
  /** Source text. */
  text: string;
  /** Decoded value: string contents, identifier name, upper-cased word. */
  value: string;
}

const WORD = /[A-Za-z_][A-Za-z0-9_#$]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const VARIABLE = /:[A-Za-z_][A-Za-z0-9_#$]*/y;
const OPS = ['<>', '!=', '<=', '>=', '||', '=', '<', '>', '(', ')', ',', '.', ';', '+', '-', '*', '/'];

/** Splits HANA SQL into tokens; throws a 257 `HanaError` on text HANA cannot tokenize. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m ? m[0] : undefined;
  };
  const quoted = (q: string, start: number): [string, number] => {
    let j = start;
    let value = '';
    for (;;) {
      if (j >= text.length)
        throw syntaxError(text.slice(start - 1, start + 19), `unterminated ${q === "'" ? 'string' : 'identifier'}`);
      const c = text[j] as string;
      if (c === q) {
        if (text[j + 1] === q) {
          value += q;
          j += 2;
          continue;
        }
        return [value, j + 1];
      }
      value += c;
      j++;
    }
  };
  while (i < text.length) {
    const ch = text[i] as string;
    const two = text.slice(i, i + 2);
    if (/\s/.test(ch)) {
      let j = i;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      out.push({ kind: 'ws', text: text.slice(i, j), value: ' ' });
      i = j;
    } else if (two === '--') {
      const j = text.indexOf('\n', i);
      const end = j < 0 ? text.length : j;
      out.push({ kind: 'ws', text: text.slice(i, end), value: ' ' });
      i = end;
    } else if (two === '/*') {
      const j = text.indexOf('*/', i + 2);
      if (j < 0) throw syntaxError('/*', 'unterminated comment');
      out.push({ kind: 'ws', text: text.slice(i, j + 2), value: ' ' });
      i = j + 2;
    } else if (ch === "'" || ((ch === 'N' || ch === 'n') && text[i + 1] === "'")) {
      const [value, end] = quoted("'", i + (ch === "'" ? 1 : 2));
      out.push({ kind: 'string', text: text.slice(i, end), value });
      i = end;
    } else if (ch === '"') {
      const [value, end] = quoted('"', i + 1);
      if (value.length === 0) throw syntaxError('""', 'zero-length identifier');
      out.push({ kind: 'ident', text: text.slice(i, end), value });
      i = end;
    } else if (ch === '?') {
      out.push({ kind: 'param', text: '?', value: '?' });
      i++;
    } else if (ch === ':' && text[i + 1] !== ':' && sticky(VARIABLE)) {
      const v = sticky(VARIABLE) as string;
      out.push({ kind: 'variable', text: v, value: v.slice(1).toUpperCase() });
      i += v.length;
    } else if (/[0-9.]/.test(ch) && sticky(NUMBER)) {
      const n = sticky(NUMBER) as string;
      out.push({ kind: 'number', text: n, value: n });
      i += n.length;
    } else if (sticky(WORD)) {
      const w = sticky(WORD) as string;
      out.push({ kind: 'word', text: w, value: w.toUpperCase() });
      i += w.length;
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      // `$1`, `@p1`, back-quotes, `[ ]`, `::`, `{ }`, `%`: no HANA token starts with these.
      if (!op) throw syntaxError(text.slice(i).match(/^\S{1,10}/)?.[0] ?? ch);
      out.push({ kind: 'op', text: op, value: op });
      i += op.length;
    }
  }
  return out;
}

/** True for a word token with one of these (upper-case) values. */
export function isWord(t: Token | undefined, ...values: string[]): boolean {
  return t?.kind === 'word' && values.includes(t.value);
}

/** True for this operator token. */
export function isOp(t: Token | undefined, value: string): boolean {
  return t?.kind === 'op' && t.value === value;
}
