/**
 * A T-SQL tokenizer: bracketed and double-quoted identifiers, N'…' strings, @variables,
 * @@functions, comments. It keeps every character so that a translation can be checked against
 * the input, and refuses characters T-SQL has no token for (`?`, `$n`, back-quotes, `::`).
 */
import { TsqlError } from './errors.js';

export type TokenKind = 'ws' | 'string' | 'bracket' | 'dquote' | 'variable' | 'sysvar' | 'number' | 'word' | 'op';

export interface Token {
  kind: TokenKind;
  /** Source text. */
  text: string;
  /** Decoded value: identifier name, string contents, upper-cased word. */
  value: string;
}

const WORD = /[A-Za-z_#\u0080-\uffff][A-Za-z0-9_#$@\u0080-\uffff]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const VARIABLE = /@@?[A-Za-z0-9_#$@]+/y;
const OPS = [
  '<>',
  '!=',
  '<=',
  '>=',
  '!<',
  '!>',
  '+=',
  '-=',
  '*=',
  '/=',
  '=',
  '<',
  '>',
  '(',
  ')',
  ',',
  '.',
  ';',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '~',
];

/** Splits T-SQL into tokens; throws {@link TsqlError} 102/105 on text SQL Server cannot tokenize. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m ? m[0] : undefined;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    const rest2 = text.slice(i, i + 2);
    if (/\s/.test(ch)) {
      let j = i;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      out.push({ kind: 'ws', text: text.slice(i, j), value: ' ' });
      i = j;
      continue;
    }
    if (rest2 === '--') {
      const j = text.indexOf('\n', i);
      const end = j < 0 ? text.length : j;
      out.push({ kind: 'ws', text: text.slice(i, end), value: ' ' });
      i = end;
      continue;
    }
    if (rest2 === '/*') {
      const j = text.indexOf('*/', i + 2);
      if (j < 0) throw new TsqlError(113, "Missing end comment mark '*/'.");
      out.push({ kind: 'ws', text: text.slice(i, j + 2), value: ' ' });
      i = j + 2;
      continue;
    }
    if (ch === "'" || ((ch === 'N' || ch === 'n') && text[i + 1] === "'")) {
      const start = i;
      i += ch === "'" ? 1 : 2;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new TsqlError(105, `Unclosed quotation mark after the character string '${value}'.`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      out.push({ kind: 'string', text: text.slice(start, i), value });
      continue;
    }
    if (ch === '[' || ch === '"') {
      const close = ch === '[' ? ']' : '"';
      const start = i;
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new TsqlError(105, `Unclosed quotation mark after the character string '${value}'.`);
        if (text[i] === close) {
          if (text[i + 1] === close) {
            value += close;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      out.push({ kind: ch === '[' ? 'bracket' : 'dquote', text: text.slice(start, i), value });
      continue;
    }
    if (ch === '@') {
      const v = sticky(VARIABLE);
      if (!v) throw new TsqlError(102, "Incorrect syntax near '@'.");
      out.push({ kind: v.startsWith('@@') ? 'sysvar' : 'variable', text: v, value: v.toLowerCase() });
      i += v.length;
      continue;
    }
    const num = /[0-9.]/.test(ch) ? sticky(NUMBER) : undefined;
    if (num) {
      out.push({ kind: 'number', text: num, value: num });
      i += num.length;
      continue;
    }
    const word = sticky(WORD);
    if (word) {
      out.push({ kind: 'word', text: word, value: word.toUpperCase() });
      i += word.length;
      continue;
    }
    if (rest2 === '::' || rest2 === '||') throw new TsqlError(102, `Incorrect syntax near '${rest2[0]}'.`);
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) {
      // `?`, `$1`, back-quotes, `{`: no T-SQL token starts with these.
      const near = text.slice(i).match(/^\S{1,10}/)?.[0] ?? ch;
      throw new TsqlError(102, `Incorrect syntax near '${near}'.`);
    }
    out.push({ kind: 'op', text: op, value: op });
    i += op.length;
  }
  return out;
}

/** True for a word token with this (upper-case) value. */
export function isWord(t: Token | undefined, ...values: string[]): boolean {
  return t?.kind === 'word' && values.includes(t.value);
}

/** True for an operator token. */
export function isOp(t: Token | undefined, value: string): boolean {
  return t?.kind === 'op' && t.value === value;
}
