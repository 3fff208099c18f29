/**
 * The stored form of a resource: its JSON text with the most common key sequences replaced by one
 * control character each. JSON text never holds a raw control character (JSON.stringify escapes
 * U+0000–U+001F inside strings, and there is no other place for one), so the codes cannot clash with
 * the text, and replacing them back gives exactly the JSON that was encoded, whatever its content.
 * A user of the usual shape takes about 60 % of its JSON's bytes; V8 and JavaScriptCore keep such a
 * string at one byte per character.
 */

/**
 * Code → the text it stands for (code 0 is unused). Tokens start at a `,` or `{`, never at the
 * closing quote of the value before them, so a string value is followed by a literal `"` (see
 * {@link storedId}). At one position the first token listed that matches is taken, so a
 * longer token is listed before a shorter one it begins with.
 */
export const TOKENS: readonly string[] = [
  '',
  '{"id":"',
  ',"userName":"',
  ',"externalId":"',
  ',"name":{"givenName":"',
  ',"familyName":"',
  ',"emails":[{"value":"',
  ',"type":"work"',
  ',"primary":true',
  ',"active":true',
  ',"meta":{"created":"',
  ',"lastModified":"',
  ',"version":"W/\\"',
  ',"displayName":"',
  '{"value":"',
  ',"value":"',
  ',"type":"',
  ',"formatted":"',
  ',"phoneNumbers":[',
  ',"addresses":[',
  ',"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{',
  ',"employeeNumber":"',
  ',"department":"',
  ',"manager":{',
  ',"title":"',
  ',"name":{',
  ',"emails":[',
  '{"givenName":"',
  ',"active":',
  ',"meta":{',
  ',"primary":',
  ',"roles":[',
];

/**
 * Codes of the tokens that can start at a position, by its first and third character (all tokens
 * are ASCII and start with `,"` or `{"`): [token, code] pairs in {@link TOKENS} order, so the
 * first that matches is the one a regex alternation of the tokens would take.
 */
const CANDIDATES: ([string, string][] | undefined)[] = [];
for (let i = 1; i < TOKENS.length; i++) {
  const t = TOKENS[i] as string;
  const slot = (t.charCodeAt(0) === 123 ? 128 : 0) + t.charCodeAt(2);
  (CANDIDATES[slot] ??= []).push([t, String.fromCharCode(i)]);
}

/**
 * Packs JSON text (as JSON.stringify writes it) into its stored form: each token, taken left to
 * right, becomes its code. A loop over the text rather than `replace` with a regex and a callback:
 * the same result (a property test checks it against the regex), at a fraction of the cost on
 * JavaScriptCore and somewhat less on V8, and it runs for every write.
 */
export function pack(json: string): string {
  let out = '';
  let last = 0;
  const n = json.length - 2;
  for (let i = 0; i < n; i++) {
    const c = json.charCodeAt(i);
    if (c !== 44 && c !== 123) continue; // ',' or '{'
    const third = json.charCodeAt(i + 2);
    if (third >= 128) continue;
    const cands = CANDIDATES[(c === 123 ? 128 : 0) + third];
    if (cands === undefined) continue;
    for (let j = 0; j < cands.length; j++) {
      const [token, code] = cands[j] as [string, string];
      if (json.startsWith(token, i)) {
        out += json.slice(last, i) + code;
        last = i + token.length;
        i = last - 1;
        break;
      }
    }
  }
  return last === 0 ? json : out + json.slice(last);
}

/** The JSON text of a stored form (a loop, as {@link pack}: every read and every update decodes). */
export function unpack(stored: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < stored.length; i++) {
    const c = stored.charCodeAt(i);
    if (c < 32 && c > 0) {
      out += stored.slice(last, i) + (TOKENS[c] as string);
      last = i + 1;
    }
  }
  return last === 0 ? stored : out + stored.slice(last);
}

/** Stores a resource: `id` first, so {@link storedId} can read it without decoding. */
export function encode(doc: Record<string, unknown>): string {
  return pack(JSON.stringify(doc));
}

/** The resource of a stored form: a new object on every call, the caller's to change. */
export function decode(stored: string): Record<string, unknown> & { id: string } {
  return JSON.parse(unpack(stored));
}

/** True when `id` is written as itself in JSON (no quote, backslash, control character or lone surrogate). */
export function plainId(id: string): boolean {
  return JSON.stringify(id).length === id.length + 2;
}

/**
 * The `id` of a stored form, read from its start when it was stored first and needs no escaping;
 * undefined otherwise (decode then).
 */
export function storedId(stored: string): string | undefined {
  if (stored.charCodeAt(0) !== 1) return undefined;
  const end = stored.indexOf('"', 1);
  if (end < 0) return undefined;
  const id = stored.slice(1, end);
  return id.includes('\\') ? undefined : id;
}

/** True when stored form `stored` has id `id` (fast when `id` is plain and stored first). */
export function hasId(stored: string, id: string, plain: boolean): boolean {
  if (plain && stored.charCodeAt(0) === 1) return stored.charCodeAt(1 + id.length) === 34 && stored.startsWith(id, 1);
  return decode(stored).id === id;
}
