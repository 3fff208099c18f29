/**
 * SQL fragments. A statement is built from code-owned text, validated identifiers and bound values;
 * nothing a client sends can become statement text, because there is no way to put a string into a
 * fragment except as a bound value (`sql\`… ${value}\``) or through {@link ident}, which accepts
 * only names that passed {@link assertIdentifier} (names from configuration, checked at startup).
 */
import { assertIdentifier } from './identifier.js';

const PARAM = Symbol('param');
const IDENT = Symbol('ident');

/** A bound value inside a fragment. */
interface Param {
  readonly [PARAM]: true;
  readonly value: unknown;
}

/** A validated identifier inside a fragment (one or more dot-separated parts). */
interface Ident {
  readonly [IDENT]: true;
  readonly parts: readonly string[];
}

type Chunk = string | Param | Ident;

/** A piece of SQL: trusted text, identifiers and bound values, in order. */
export class Sql {
  /** @internal */
  readonly chunks: readonly Chunk[];
  /** @internal */
  constructor(chunks: readonly Chunk[]) {
    this.chunks = chunks;
  }

  /** True when the fragment holds no text at all. */
  get isEmpty(): boolean {
    return this.chunks.every((c) => c === '');
  }
}

/** Anything that may be interpolated into {@link sql}: fragments inline, every other value is bound. */
export type SqlValue = Sql | unknown;

/**
 * Builds a fragment. Interpolated {@link Sql} fragments are inlined; every other value becomes a
 * bound parameter, whatever it contains.
 *
 * @example
 * sql`SELECT 1 FROM ${ident('scim_users')} WHERE ${ident('id')} = ${id}`
 */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  const out: Chunk[] = [];
  strings.forEach((s, i) => {
    if (s !== '') out.push(s);
    if (i < values.length) {
      const v = values[i];
      if (v instanceof Sql) out.push(...v.chunks);
      else out.push({ [PARAM]: true, value: v });
    }
  });
  return new Sql(out);
}

/** Text written by this code base (keywords, operators). Never pass data here. */
export function raw(text: string): Sql {
  return new Sql([text]);
}

/** A bound value as a fragment of its own. */
export function param(value: unknown): Sql {
  return new Sql([{ [PARAM]: true, value }]);
}

/**
 * A quoted identifier: `ident('scim.users')` is two parts, `ident('t', 'col')` a column of `t`.
 * Throws for a name that is not a plain identifier, so a bug can never quote client text.
 */
export function ident(...names: string[]): Sql {
  const parts: string[] = [];
  for (const n of names) for (const p of n.split('.')) parts.push(assertIdentifier(p));
  return new Sql([{ [IDENT]: true, parts }]);
}

/** Joins fragments with a separator (`, ` by default). */
export function join(list: readonly Sql[], separator = ', '): Sql {
  const out: Chunk[] = [];
  list.forEach((s, i) => {
    if (i > 0 && separator !== '') out.push(separator);
    out.push(...s.chunks);
  });
  return new Sql(out);
}

/** How a dialect writes the parts {@link render} cannot decide by itself. */
export interface RenderStyle {
  /** Quotes one validated identifier part. */
  quoteIdentifier(name: string): string;
  /** The placeholder of the `index`-th bound value (1-based): `$1`, `?`, `@p1`. */
  placeholder(index: number): string;
}

/** A statement ready for a driver: its text and bound values in placeholder order. */
export interface RenderedSql {
  text: string;
  values: unknown[];
}

/** Renders a fragment for one dialect. */
export function render(style: RenderStyle, fragment: Sql): RenderedSql {
  let text = '';
  const values: unknown[] = [];
  for (const c of fragment.chunks) {
    if (typeof c === 'string') text += c;
    else if (PARAM in c) {
      values.push(c.value);
      text += style.placeholder(values.length);
    } else text += c.parts.map((p) => style.quoteIdentifier(p)).join('.');
  }
  return { text, values };
}

/** Number of bound values in a fragment (dialects limit them per statement). */
export function countParams(fragment: Sql): number {
  let n = 0;
  for (const c of fragment.chunks) if (typeof c !== 'string' && PARAM in c) n++;
  return n;
}
