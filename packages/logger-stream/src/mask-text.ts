/**
 * Masking inside free text: log messages, stack traces, raw bodies, SOAP/XML
 * payloads and query strings. Structured values are handled by `masking.ts`;
 * this file covers what arrives as one string.
 */

/** The replacement for every masked value. */
export const MASK = '********';

/** Largest string we try to parse as JSON; beyond it only the textual patterns run. */
const MAX_PARSE_CHARS = 1_000_000;
/** Embedded JSON candidates tried per string, so a pathological string cannot cost O(n²). */
const MAX_EMBEDDED_TRIES = 25;

type NameTest = (name: string) => boolean;
/** Masks a parsed JSON value; returns the same reference when nothing changed. */
type WalkFn = (value: unknown) => unknown;

/**
 * Tries `text` as one JSON document. Returns the masked JSON text, `text`
 * itself when nothing needed masking, or `undefined` when it is not JSON.
 */
export function maskWholeJson(text: string, walk: WalkFn): string | undefined {
  const t = text.trim();
  const first = t[0];
  const last = t[t.length - 1];
  if (!((first === '{' && last === '}') || (first === '[' && last === ']'))) return undefined;
  if (t.length > MAX_PARSE_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  const masked = walk(parsed);
  return masked === parsed ? text : JSON.stringify(masked);
}

/** End index (exclusive) of the balanced JSON value starting at `start`, or -1. */
function matchingEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** Masks JSON documents embedded in prose, e.g. `body={"op":"replace","path":"password","value":"x"}`. */
export function maskEmbeddedJson(text: string, walk: WalkFn): string {
  if (text.length > MAX_PARSE_CHARS) return text;
  let out = '';
  let from = 0;
  let tries = 0;
  let i = 0;
  while (i < text.length && tries < MAX_EMBEDDED_TRIES) {
    const c = text[i];
    if (c !== '{' && c !== '[') {
      i++;
      continue;
    }
    const end = matchingEnd(text, i);
    if (end < 0) {
      i++;
      continue;
    }
    tries++;
    const candidate = text.slice(i, end);
    const masked = maskWholeJson(candidate, walk);
    if (masked !== undefined) {
      out += text.slice(from, i) + masked;
      from = end;
      i = end;
    } else {
      i++;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

const QUOTED_PAIR = /(["'])([^"'\\\s]{1,200})\1(\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,}\]\s]+)/g;
const ESCAPED_PAIR = /\\"([^"\\]{1,200})\\"(\s*:\s*)(\\"(?:[^\\]|\\(?!"))*\\"|[^,}\]\s\\]+)/g;
// Leaf elements only (text or CDATA inside), so an enclosing <soap:Body> cannot swallow the <ns:password> within it.
const XML_ELEMENT = /<((?:[\w.-]+:)?([\w.-]+))(\s[^>]*)?>((?:<!\[CDATA\[[\s\S]*?\]\]>|[^<])*)<\/\1\s*>/g;
const AUTH_HEADER =
  /\b(authorization|proxy-authorization|x-api-key|api-key|cookie|set-cookie)(["']?\s*[:=]\s*["']?)([^"'\r\n,}]+)/gi;
// Neither the character before the key (lookbehind) nor the value (lookahead) is consumed, so
// `Error: token: x` still reaches `token`.
const KEY_EQUALS = /(?<=^|[\s?&;,{(])([\w.:-]{1,100})(\s*=\s*)(?=("[^"]*"|'[^']*'|[^\s&;,)}]+))/g;
const KEY_COLON = /(?<=^|[\s,{;(])([\w-]{1,100})(:[ \t]*)(?=([^\s,;"'{}[\]]+))/g;
const BEARER = /\b(Bearer|SharedAccessSignature)(\s+)([A-Za-z0-9\-._~+/=%&:]{6,})/g;
const BASIC = /\b(Basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)([^@/\s]+)@/gi;
/** A SCIM filter comparison, `attr op value` (RFC 7644 §3.4.2.2), as in a logged query or search body. */
const FILTER_TERM =
  /(?<![\w.:$-])([A-Za-z][\w.:$-]{0,200})(\s+(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)("(?:[^"\\]|\\.)*"|[^\s)\]"]+)/gi;
const PEM = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

/**
 * Replaces the value after each sensitive `key=`/`key:` match. The patterns
 * capture the value in a lookahead, so a non-matching key consumes nothing
 * beyond itself and the next key in the text is still examined.
 */
function maskKeyValues(text: string, re: RegExp, isSensitive: NameTest, skipValue: (v: string) => boolean): string {
  re.lastIndex = 0;
  let out = '';
  let from = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [whole, key = '', sep = '', value = ''] = m;
    if (whole.length === 0) re.lastIndex++;
    if (!isSensitive(key) || skipValue(value)) continue;
    const valueStart = m.index + whole.length;
    out += text.slice(from, m.index) + key + sep + MASK;
    from = valueStart + value.length;
    re.lastIndex = from;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** True when a `Basic` credential decodes to `user:password` (so the word "Basic" in prose is left alone). */
function looksLikeBasicCredential(b64: string): boolean {
  if (b64.length % 4 !== 0) return false;
  const decoded = Buffer.from(b64, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/**
 * Masks secrets written as text: quoted JSON-like pairs (also backslash-escaped
 * ones inside JSON strings), XML elements (`<ns:password>x</ns:password>`),
 * `key=value` and `key: value` forms, Authorization-style headers, bearer and
 * basic credentials, passwords in URLs and PEM private keys.
 *
 * @param text - any string
 * @param isSensitive - the name test
 * @returns the masked string (the same string when nothing matched)
 */
export function maskTextPatterns(text: string, isSensitive: NameTest): string {
  let out = text;
  if (out.includes('PRIVATE KEY-----')) out = out.replace(PEM, MASK);
  if (out.includes('"') || out.includes("'")) {
    out = out.replace(QUOTED_PAIR, (m, q: string, key: string, sep: string, value: string) =>
      isSensitive(key) && !value.includes(MASK) ? `${q}${key}${q}${sep}"${MASK}"` : m,
    );
  }
  if (out.includes('\\"')) {
    out = out.replace(ESCAPED_PAIR, (m, key: string, sep: string, value: string) =>
      isSensitive(key) && !value.includes(MASK) ? `\\"${key}\\"${sep}\\"${MASK}\\"` : m,
    );
  }
  if (out.includes('</')) {
    out = out.replace(XML_ELEMENT, (m, qname: string, local: string, attrs: string | undefined, body: string) =>
      isSensitive(local) && body !== MASK ? `<${qname}${attrs ?? ''}>${MASK}</${qname}>` : m,
    );
  }
  out = out.replace(AUTH_HEADER, (_m, name: string, sep: string) => `${name}${sep}${MASK}`);
  out = out.replace(BEARER, (_m, scheme: string, sp: string) => `${scheme}${sp}${MASK}`);
  out = out.replace(BASIC, (m, scheme: string, sp: string, cred: string) =>
    looksLikeBasicCredential(cred) ? `${scheme}${sp}${MASK}` : m,
  );
  // `password eq "…"`, `urn:…:User:ssn eq "…"`: the value a filter compares a secret attribute with.
  if (/\s(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s/i.test(out)) {
    out = out.replace(FILTER_TERM, (m, attr: string, op: string, value: string) => {
      const name = attr.slice(Math.max(attr.lastIndexOf(':'), attr.lastIndexOf('.')) + 1);
      return isSensitive(name) && !value.includes(MASK) ? `${attr}${op}"${MASK}"` : m;
    });
  }
  if (out.includes('=')) out = maskKeyValues(out, KEY_EQUALS, isSensitive, (v) => v.includes(MASK));
  if (out.includes(':')) {
    out = maskKeyValues(out, KEY_COLON, isSensitive, (v) => v.includes(MASK) || v.startsWith('//'));
    if (out.includes('://')) out = out.replace(URL_USERINFO, (_m, pre: string) => `${pre}${MASK}@`);
  }
  return out;
}
