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
  /** The last rendering of it: identifiers are shared (see {@link ident}) and rendered on every read. */
  quoted?: { style: RenderStyle; text: string };
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
      if (v instanceof Sql) append(out, v.chunks);
      else out.push({ [PARAM]: true, value: v });
    }
  });
  return new Sql(out);
}

/**
 * Appends `chunks` to `out` one by one. Never `out.push(...chunks)`: a spread passes every chunk as
 * an argument on the stack, and a fragment can hold hundreds of thousands of them (the VALUES of a
 * 20,000-member group), which throws `RangeError: Maximum call stack size exceeded`.
 */
function append(out: Chunk[], chunks: readonly Chunk[]): void {
  for (const c of chunks) out.push(c);
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
  // The names come from configuration, so they are few: each distinct one is checked and made once
  // (fragments are immutable and can be shared), instead of on every statement a read builds.
  if (names.length === 1) {
    const name = names[0] as string;
    let made = singleIdents.get(name);
    if (!made) {
      made = makeIdent(names);
      if (singleIdents.size >= 10_000) singleIdents.clear();
      singleIdents.set(name, made);
    }
    return made;
  }
  if (names.length !== 2) return makeIdent(names);
  const [first, second] = names as [string, string];
  let bySecond = pairIdents.get(first);
  let made = bySecond?.get(second);
  if (!made) {
    made = makeIdent(names);
    if (!bySecond) {
      if (pairIdents.size >= 10_000) pairIdents.clear();
      bySecond = new Map();
      pairIdents.set(first, bySecond);
    }
    bySecond.set(second, made);
  }
  return made;
}

/** Identifiers made so far (only valid ones: {@link makeIdent} throws before anything is kept). */
const singleIdents = new Map<string, Sql>();
const pairIdents = new Map<string, Map<string, Sql>>();

function makeIdent(names: readonly string[]): Sql {
  const parts: string[] = [];
  for (const n of names) for (const p of n.split('.')) parts.push(assertIdentifier(p));
  return new Sql([{ [IDENT]: true, parts }]);
}

/** Joins fragments with a separator (`, ` by default). */
export function join(list: readonly Sql[], separator = ', '): Sql {
  const out: Chunk[] = [];
  list.forEach((s, i) => {
    if (i > 0 && separator !== '') out.push(separator);
    append(out, s.chunks);
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
    } else {
      if (c.quoted?.style !== style) c.quoted = { style, text: c.parts.map((p) => style.quoteIdentifier(p)).join('.') };
      text += c.quoted.text;
    }
  }
  return { text, values };
}

/** Number of bound values in a fragment (dialects limit them per statement). */
export function countParams(fragment: Sql): number {
  let n = 0;
  for (const c of fragment.chunks) if (typeof c !== 'string' && PARAM in c) n++;
  return n;
}

/** A statement already rendered for one dialect, with its values: what a {@link StatementCache} hands out. */
export class RenderedStatement implements RenderedSql {
  /** @internal */
  constructor(
    readonly style: RenderStyle,
    readonly text: string,
    readonly values: unknown[],
  ) {}
}

/** Stands for the `index`-th argument while a cached statement is built. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * Statement texts kept by shape. Many statements differ from call to call only in their bound values
 * (the lists of one user read by key), and building and rendering the same text again was most of
 * what such a read allocated. {@link StatementCache.statement} builds and renders a shape once per
 * dialect, with opaque slots standing for the arguments, and afterwards only binds the arguments to
 * the kept text. The text cannot depend on an argument: while it is built, the builder sees only
 * slots, which a fragment can hold only as bound values.
 */
export class StatementCache {
  private readonly byStyle = new WeakMap<RenderStyle, Map<string, { text: string; values: unknown[]; args: number }>>();
  private readonly limit: number;

  /** `limit`: shapes kept per dialect (the oldest is dropped beyond it). */
  constructor(limit = 64) {
    this.limit = limit;
  }

  /**
   * The statement of `shape` with `args` bound. `build(slots)` makes its fragment the first time per
   * dialect; `slots[i]` stands for `args[i]`, to be bound (`sql\`… ${slots[i]}\``), never inspected.
   * Everything else that decides the text must be part of `shape`.
   */
  statement(
    style: RenderStyle,
    shape: string,
    args: readonly unknown[],
    build: (slots: readonly unknown[]) => Sql,
  ): RenderedStatement {
    let shapes = this.byStyle.get(style);
    if (!shapes) {
      shapes = new Map();
      this.byStyle.set(style, shapes);
    }
    let kept = shapes.get(shape);
    if (!kept) {
      kept = { ...render(style, build(args.map((_, i) => new Slot(i)))), args: args.length };
      if (shapes.size >= this.limit) shapes.delete(shapes.keys().next().value as string);
      shapes.set(shape, kept);
    }
    if (args.length !== kept.args) throw new Error(`statement shape ${shape}: ${args.length} arguments, built with ${kept.args}`);
    const values = kept.values.map((v) => (v instanceof Slot ? args[v.index] : v));
    return new RenderedStatement(style, kept.text, values);
  }
}
