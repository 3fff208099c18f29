/**
 * The order of the lists statement's rows, computed in the gateway for dialects that ask for it
 * (`sortListsInGateway`): what `ORDER BY scimgw_k, scimgw_o, scimgw_s, scimgw_f1` gives with NULLs
 * first, integers compared as integers (the driver returns BIGINTs beyond 2^53 as text) and text by
 * code point, as a binary collation compares it.
 */

const INTEGER = /^-?\d+$/;

function integerOf(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && INTEGER.test(v)) return BigInt(v);
  return undefined;
}

/** Code point order (UTF-16 `<` differs from it for characters beyond U+FFFF). */
function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** One column's values, NULL (or absent) first. */
export function compareValues(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ai = integerOf(a);
  const bi = integerOf(b);
  if (ai !== undefined && bi !== undefined) return ai === bi ? 0 : ai < bi ? -1 : 1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  return compareText(String(a), String(b));
}

/** Sorts `rows` by the given columns, in place. */
export function sortRows<R extends Record<string, unknown>>(rows: R[], columns: readonly string[]): R[] {
  return rows.sort((x, y) => {
    for (const c of columns) {
      const d = compareValues(x[c], y[c]);
      if (d !== 0) return d;
    }
    return 0;
  });
}
