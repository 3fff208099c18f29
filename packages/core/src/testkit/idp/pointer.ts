/** JSON Pointers (RFC 6901) into a replay step's answer, for captures such as `/Resources/0/id`. */

/** An array index token: `0` or a decimal without leading zeros (RFC 6901 §4). */
const INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * The value `pointer` names in `doc`, or `undefined` when there is none. Tokens are unescaped as
 * RFC 6901 §4 says (`~1` → `/`, then `~0` → `~`); only own properties are followed.
 *
 * @example readPointer({ Resources: [{ id: 'a' }] }, '/Resources/0/id') // 'a'
 * @see RFC 6901
 */
export function readPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) return undefined;
  let at: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      if (!INDEX.test(token)) return undefined;
      at = at[Number(token)];
    } else if (at !== null && typeof at === 'object' && Object.hasOwn(at, token)) {
      at = (at as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return at;
}
