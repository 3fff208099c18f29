/** Minimal semver range check for `coreVersion` (`^`, `~`, `>=`, `<`, exact, `x`, `*`, `||`, spaces = and). */
import { CORE_VERSION } from '../version.js';

type V = [number, number, number];

function parse(v: string): V | undefined {
  const m = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:-[\w.]+)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = (s: string | undefined) => (s === undefined || s === 'x' || s === '*' ? -1 : Number(s));
  return [Number(m[1]), n(m[2]), n(m[3])];
}

function cmp(a: V, b: V): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

const fill = (v: V): V => [v[0], Math.max(v[1], 0), Math.max(v[2], 0)];

function one(version: V, comp: string): boolean {
  if (comp === '*' || comp === 'x' || comp === '') return true;
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.+)$/.exec(comp);
  if (!m) return false;
  const op = m[1] ?? '';
  const r = parse(m[2] ?? '');
  if (!r) return false;
  const lo = fill(r);
  switch (op) {
    case '>=':
      return cmp(version, lo) >= 0;
    case '>':
      return cmp(version, lo) > 0;
    case '<=':
      return cmp(version, lo) <= 0;
    case '<':
      return cmp(version, lo) < 0;
    case '^': {
      if (cmp(version, lo) < 0) return false;
      if (lo[0] > 0) return version[0] === lo[0];
      if (lo[1] > 0 || r[2] === -1) return version[0] === 0 && version[1] === lo[1];
      return cmp(version, lo) === 0;
    }
    case '~':
      return cmp(version, lo) >= 0 && version[0] === lo[0] && (r[1] === -1 || version[1] === lo[1]);
    default:
      return version[0] === r[0] && (r[1] === -1 || version[1] === r[1]) && (r[2] === -1 || version[2] === r[2]);
  }
}

/** True when `version` satisfies `range`. */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (!v) return false;
  return range.split('||').some((alt) =>
    alt
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .trim()
      .split(/\s+/)
      .every((c) => one(fill(v), c)),
  );
}

/**
 * Whether this `@scimgw/core` satisfies `range` (a connector's `coreVersion`, or the range its
 * package declares for `@scimgw/core`). Hosts check a connector package with it before loading it.
 *
 * @example coreSatisfies('^1.0.0') // true for core 1.x
 */
export function coreSatisfies(range: string): boolean {
  return satisfies(CORE_VERSION, range);
}
