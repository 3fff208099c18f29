/**
 * Encrypting secrets in place without reformatting the file: only the string tokens of secret
 * values are replaced, so the user's indentation, key order, line breaks and one-line objects stay
 * as they were. The text has already been parsed as strict JSON by then.
 */

/**
 * Returns `text` with every string value whose key `replace` answers for replaced by the answer
 * (JSON-encoded), or `undefined` when nothing was replaced. Only a string directly after `"key":`
 * counts (strings in arrays have no key), as in the parsed tree.
 */
export function replaceStringValues(
  text: string,
  replace: (key: string, value: string) => string | undefined,
): string | undefined {
  let out = '';
  let copied = 0;
  let lastKey: string | undefined;
  let afterColon = false;
  let changed = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++; // the closing quote
      const token = text.slice(start, i);
      if (afterColon && lastKey !== undefined) {
        const next = replace(lastKey, JSON.parse(token) as string);
        if (next !== undefined) {
          out += text.slice(copied, start) + JSON.stringify(next);
          copied = i;
          changed = true;
        }
        afterColon = false;
        continue;
      }
      // A key is a string followed by a colon.
      let j = i;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (text[j] === ':') lastKey = JSON.parse(token) as string;
      afterColon = false;
      continue;
    }
    if (ch === ':') afterColon = true;
    else if (!/\s/.test(ch)) afterColon = false;
    i++;
  }
  if (!changed) return undefined;
  return out + text.slice(copied);
}
