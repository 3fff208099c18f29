/** "Did you mean …?" for unknown configuration keys, from the JSON Schema of the section. */

type JsonSchema = Record<string, unknown>;

/** The property names a JSON Schema allows at `path` (object keys and array indexes walked). */
export function keysAt(schema: JsonSchema, path: readonly (string | number)[]): string[] {
  const out = new Set<string>();
  const visit = (s: unknown, rest: readonly (string | number)[]): void => {
    if (typeof s !== 'object' || s === null) return;
    const node = s as JsonSchema;
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const)
      if (Array.isArray(node[k])) for (const alt of node[k] as unknown[]) visit(alt, rest);
    if (rest.length === 0) {
      const props = node.properties;
      if (typeof props === 'object' && props !== null) for (const k of Object.keys(props)) out.add(k);
      return;
    }
    const [head, ...tail] = rest;
    if (typeof head === 'number') visit(node.items, tail);
    else {
      const props = node.properties as Record<string, unknown> | undefined;
      if (props && Object.hasOwn(props, head as string)) visit(props[head as string], tail);
      else if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, tail);
    }
  };
  visit(schema, path);
  return [...out];
}

/** Edit distance of two short strings, case-insensitive, a swap of neighbours counting as one edit. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= x.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[x.length] as number[])[y.length] as number;
}

/**
 * The known key `key` was most likely meant to be: the same name in another case, else the
 * closest one within two edits (one for short names).
 *
 * @example didYouMean('usrBase', ['userBase', 'groupBase']) // 'userBase'
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const same = known.find((k) => k.toLowerCase() === key.toLowerCase());
  if (same) return same;
  let best: string | undefined;
  let bestDistance = key.length <= 4 ? 1 : 2;
  for (const k of known) {
    const d = distance(key, k);
    if (d <= bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}
