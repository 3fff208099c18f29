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
 * {@link storedId}). At one position the regex takes the first token listed that matches, so a
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

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ENCODE = new RegExp(TOKENS.slice(1).map(literal).join('|'), 'g');

/**
 * A token's slot in {@link CODE_AT}: from its length and three of its characters, which tell the
 * tokens apart. (A Map keyed by the token hashed every matched string anew: a third of `pack`.)
 */
const slotOf = (t: string) => (t.length * 7 + t.charCodeAt(0) * 3 + t.charCodeAt(2) + t.charCodeAt(3) * 7) & 127;
/** Slot → the code of the token in it ({@link slotOf} gives every token a slot of its own). */
const CODE_AT: string[] = new Array(128).fill('');
for (let i = 1; i < TOKENS.length; i++) {
  const t = TOKENS[i] as string;
  if (CODE_AT[slotOf(t)] !== '') throw new Error(`codec: tokens share slot ${slotOf(t)}; change slotOf`);
  CODE_AT[slotOf(t)] = String.fromCharCode(i);
}

const toCode = (t: string) => CODE_AT[slotOf(t)] as string;

/**
 * Packs JSON text (as JSON.stringify writes it) into its stored form. (`replace` gives a flat
 * string; a loop that appends pieces gives a rope that would keep the JSON text alive in the table:
 * four times the memory until something flattens it.)
 */
export function pack(json: string): string {
  return json.replace(ENCODE, toCode);
}

/**
 * The JSON text of a stored form, for `JSON.parse` or a search to read at once. A loop rather than
 * `replace` with a regex and a callback, which costs a callback per token: every read and every
 * update decodes, and on JavaScriptCore the loop takes a tenth of the time (on V8 about four
 * fifths). Its result is a rope, fine for what reads it at once; nothing keeps it.
 */
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

/** Characters JSON may write otherwise than as themselves (surrogates: lone ones are escaped). */
const NOT_PLAIN = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * True when `id` is written as itself in JSON: no quote, backslash, control character or surrogate
 * (a pair is written as itself, but telling it from a lone one is not worth it for an id: such an
 * id is compared decoded, as one that is not plain).
 */
export function plainId(id: string): boolean {
  return !NOT_PLAIN.test(id);
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
