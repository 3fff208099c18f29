/**
 * Changes to multi-valued keys, row by row: elements of a child table are inserted and deleted
 * one by one (a batch of single-row changes when a request names many), so adding one member to a
 * 50,000-member group touches one row. JSON columns are read, changed and written back (the
 * owner's row is locked by then). Memberships written through a user's `groups` are in
 * `memberships.ts`.
 */
import { errors } from '@scimgw/core';
import type { Session } from '../database.js';
import {
  type ChildStorage,
  type ColumnFacts,
  type ElementField,
  type JsonStorage,
  valueColumnOf,
  type NumericColumns,
  numericColumn,
} from '../layout/catalog.js';
import { chunks } from '../read.js';
import { ident, join, type Sql, sql } from '../sql.js';
import { toColumn } from '../values.js';

/**
 * Whether `v` names a value of a numeric column: a number, or the text the column shows for one
 * (`1`; not `01`, `+1`, ` 1` or `1.0`, which the database would read as 1 too). Ids are opaque
 * strings (RFC 7643 §3.1), so a key the database numbers is named by its canonical text only; any
 * other text can never be stored there, and removing it is a no-op.
 */
export function fitsColumn(kind: 'integer' | 'number' | undefined, v: unknown): boolean {
  if (!kind || v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isFinite(v) && (kind === 'number' || Number.isInteger(v));
  if (typeof v === 'bigint') return true;
  const text = String(v);
  if (kind === 'integer') return /^(?:0|-?[1-9]\d*)$/.test(text);
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && String(n) === text;
}

/**
 * `value` for a column, refused with 400 naming the attribute and column when the column cannot
 * hold it as it is: text longer than a bounded text column holds (counted in characters, as
 * `varchar(n)` counts them), or text that only looks like a number to a numeric column (`01`
 * would be stored as 1: a member `01` would become the member `1`).
 */
export function storable(facts: ColumnFacts | undefined, table: string, column: string, value: unknown): unknown {
  if (typeof value !== 'string' || !facts) return value;
  const kind = numericColumn(facts.numeric, table, column);
  if (kind && !fitsColumn(kind, value)) {
    throw new errors.InvalidValueError(
      `The value of ${describe(facts, table, column)} is not a number as the database writes it ("1", not "01", "+1" or " 1")`,
    );
  }
  const max = facts.lengths.get(`${(table.split('.').pop() as string).toLowerCase()}.${column.toLowerCase()}`);
  // Spaces past the end are cut off by the database (SQL's rule for varchar), not refused.
  if (max !== undefined && value.length > max && characters(value.replace(/ +$/, '')) > max) {
    throw new errors.InvalidValueError(
      `The value of ${describe(facts, table, column)} is longer than the ${max} characters it holds`,
    );
  }
  return value;
}

const describe = (facts: ColumnFacts, table: string, column: string) => facts.nameColumn(table, column) ?? `column ${column}`;

/** Code points, as the database counts characters (a UTF-16 surrogate pair is one). */
function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A member of an element, with the key matched case-insensitively (elements come from clients). */
export function member(el: unknown, name: string): unknown {
  if (!isObject(el)) return undefined;
  if (name in el) return el[name];
  const k = Object.keys(el).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : el[k];
}

/**
 * Two elements are the same when their `value`s are — compared case-insensitively unless
 * `caseExact` — or, without values, when they are equal: the core's rule for multi-valued
 * attributes (RFC 7644 §3.5.2).
 */
export function sameElement(a: unknown, b: unknown, caseExact = true): boolean {
  if (isObject(a) && isObject(b)) {
    const av = member(a, 'value');
    const bv = member(b, 'value');
    if (av !== undefined || bv !== undefined) {
      if (!caseExact && typeof av === 'string' && typeof bv === 'string') return av.toLowerCase() === bv.toLowerCase();
      return av === bv;
    }
  }
  if (!caseExact && typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** At most one element is primary (RFC 7643 §2.4): a later `primary: true` wins, as in the core. */
export function primaryUnique<T>(list: T[]): T[] {
  const out = list.map((el) => (isObject(el) ? ({ ...el } as T) : el));
  for (const el of out) {
    if (!isObject(el) || el.primary !== true) continue;
    for (const other of out) {
      if (other !== el && isObject(other) && other.primary === true) (other as Record<string, unknown>).primary = false;
    }
  }
  return out;
}

function storedFields(s: ChildStorage): ElementField[] {
  return [...s.fields.values()].filter((f) => f.column !== undefined);
}

/** The column values of one element (`undefined` when it stores nothing). */
function elementRow(s: ChildStorage, owner: unknown, el: unknown, facts: ColumnFacts | undefined): Sql[] | undefined {
  const ownerValue = storable(facts, s.table, s.owner, owner);
  if (s.scalar) {
    const v = isObject(el) ? member(el, 'value') : el;
    if (v === undefined || v === null) return undefined;
    return [sql`${ownerValue}`, sql`${storable(facts, s.table, s.valueColumn as string, toColumn(v, s.scalar.type))}`];
  }
  const values = storedFields(s).map((f) => storable(facts, s.table, f.column as string, toColumn(member(el, f.name), f.type)));
  if (values.every((v) => v === null)) return undefined;
  return [sql`${ownerValue}`, ...values.map((v) => sql`${v}`)];
}

function elementColumns(s: ChildStorage): Sql[] {
  return [
    ident(s.owner),
    ...(s.scalar ? [ident(s.valueColumn as string)] : storedFields(s).map((f) => ident(f.column as string))),
  ];
}

const valueColumn = valueColumnOf;

function elementValue(s: ChildStorage, el: unknown): unknown {
  if (s.scalar) return isObject(el) ? member(el, 'value') : el;
  return member(el, 'value');
}

/** Whether a child table's values compare case-exactly. */
function valueCaseExact(s: ChildStorage): boolean {
  return s.scalar ? s.scalar.caseExact : (s.fields.get('value')?.caseExact ?? true);
}

/** `column = ?`, or `LOWER(column) = LOWER(?)` for values that compare case-insensitively. */
function valueMatches(session: Session, s: ChildStorage, column: string, value: unknown): Sql {
  if (valueCaseExact(s) || typeof value !== 'string') return sql`${ident(column)} = ${value}`;
  return sql`${session.dialect.lower(ident(column))} = ${session.dialect.lower(sql`${value}`)}`;
}

/**
 * Inserts elements as given (a create, or a list replaced whole). At most one stays primary.
 * Tables that hold a value once per owner (members) ignore repeats. Returns the rows inserted.
 */
export async function insertElements(
  session: Session,
  s: ChildStorage,
  owner: unknown,
  elements: readonly unknown[],
  facts?: ColumnFacts,
): Promise<number> {
  const rows = primaryUnique([...elements])
    .map((el) => elementRow(s, owner, el, facts))
    .filter((r): r is Sql[] => r !== undefined);
  if (rows.length === 0) return 0;
  const columns = elementColumns(s);
  const d = session.dialect;
  const vcol = valueColumn(s);
  let written = 0;
  for (const part of chunks(rows, d.maxParameters, columns.length)) {
    const res =
      s.unique && vcol
        ? await session.query(
            d.upsert({ table: ident(s.table), columns, rows: part, conflict: [ident(s.owner), ident(vcol)], update: [] }),
          )
        : await session.query(d.insert({ table: ident(s.table), columns, rows: part }));
    written += res.rowCount;
  }
  return written;
}

/**
 * The elements of a PATCH `add`, each value once: a repeated value is merged into its first
 * occurrence (its members overwrite). Keyed by value, so 15,000 members take one pass, not
 * 15,000 × 15,000 comparisons; elements without a value are compared whole, as `sameElement` does.
 */
function mergeRepeats(elements: readonly unknown[]): unknown[] {
  const list: unknown[] = [];
  const byValue = new Map<unknown, number>();
  const byJson = new Map<string, number>();
  for (const el of elements) {
    const value = isObject(el) ? member(el, 'value') : undefined;
    const json = value === undefined ? JSON.stringify(el) : '';
    const at = value === undefined ? byJson.get(json) : byValue.get(value);
    if (at === undefined) {
      if (value === undefined) byJson.set(json, list.length);
      else byValue.set(value, list.length);
      list.push(el);
    } else list[at] = isObject(list[at]) && isObject(el) ? { ...(list[at] as object), ...el } : el;
  }
  return list;
}

/**
 * Adds elements (PATCH `add`): an element whose value the owner holds already is merged into it
 * (the members it names overwrite the stored ones), any other is inserted; an added
 * `primary: true` clears the others'. Tables that hold a value once per owner (members) do this
 * in one batched upsert per few thousand rows, so adding 10,000 members is a handful of statements.
 * Returns the rows inserted or changed as the database counts them (see `SqlDialect.upsert`): 0
 * when every element was there already, as it was.
 */
export async function addElements(
  session: Session,
  s: ChildStorage,
  owner: unknown,
  elements: readonly unknown[],
  facts?: ColumnFacts,
): Promise<number> {
  const vcol = valueColumn(s);
  const d = session.dialect;
  let written = 0;
  if (s.unique && vcol && valueCaseExact(s)) {
    const rows = mergeRepeats(elements)
      .map((el) => elementRow(s, owner, el, facts))
      .filter((r): r is Sql[] => r !== undefined);
    const columns = elementColumns(s);
    const update = s.scalar
      ? []
      : storedFields(s)
          .filter((f) => f.column !== vcol)
          .map((f) => ident(f.column as string));
    for (const part of chunks(rows, d.maxParameters, columns.length)) {
      const res = await session.query(
        d.upsert({ table: ident(s.table), columns, rows: part, conflict: [ident(s.owner), ident(vcol)], update }),
      );
      written += res.rowCount;
    }
    return written;
  }
  const primaryColumn = s.scalar ? undefined : s.fields.get('primary')?.column;
  for (const el of elements) {
    const v = elementValue(s, el);
    let merged = false;
    if (vcol && v !== undefined && v !== null) {
      const sets = s.scalar
        ? [sql`${ident(vcol)} = ${storable(facts, s.table, vcol, toColumn(v, s.scalar.type))}`]
        : storedFields(s)
            .filter((f) => member(el, f.name) !== undefined)
            .map(
              (f) =>
                sql`${ident(f.column as string)} = ${storable(facts, s.table, f.column as string, toColumn(member(el, f.name), f.type))}`,
            );
      const res = await session.query(
        sql`UPDATE ${ident(s.table)} SET ${join(sets)} WHERE ${ident(s.owner)} = ${owner} AND ${valueMatches(session, s, vcol, v)}`,
      );
      merged = res.rowCount > 0;
      // Rows matched, which some databases count even when the values were already those.
      written += res.rowCount;
    }
    if (!merged) {
      const row = elementRow(s, owner, el, facts);
      if (row)
        written += (await session.query(d.insert({ table: ident(s.table), columns: elementColumns(s), rows: [row] }))).rowCount;
    }
    if (primaryColumn && isObject(el) && member(el, 'primary') === true && vcol && v !== undefined && v !== null) {
      const res = await session.query(
        sql`UPDATE ${ident(s.table)} SET ${ident(primaryColumn)} = ${false} WHERE ${ident(s.owner)} = ${owner} AND ${ident(primaryColumn)} = ${true} AND NOT (${valueMatches(session, s, vcol, v)})`,
      );
      written += res.rowCount;
    }
  }
  return written;
}

/** Deletes the elements equal to the given ones (by `value` when they have one); returns the rows deleted. */
export async function deleteElements(
  session: Session,
  s: ChildStorage,
  owner: unknown,
  elements: readonly unknown[],
  numeric?: NumericColumns,
): Promise<number> {
  let deleted = 0;
  const vcol = valueColumn(s);
  const byValue: unknown[] = [];
  const storable = (v: unknown) => session.dialect.storesNul || typeof v !== 'string' || !v.includes('\u0000');
  for (const el of elements) {
    if (isObject(el) ? !Object.values(el).every(storable) : !storable(el)) continue;
    const v = elementValue(s, el);
    if (v !== undefined && v !== null && vcol) byValue.push(v);
    else if (isObject(el) && !s.scalar) {
      // No value: every stored member given must match.
      const conds: Sql[] = [];
      let matchable = true;
      for (const [k, v] of Object.entries(el)) {
        const f = s.fields.get(k.toLowerCase());
        if (!f?.column) {
          matchable = false;
          break;
        }
        const d = session.dialect;
        conds.push(
          v === null
            ? sql`${ident(f.column)} IS NULL`
            : typeof v === 'string' && !f.caseExact && f.type === 'string'
              ? sql`${d.lower(ident(f.column))} = ${d.lower(sql`${v}`)}`
              : sql`${ident(f.column)} = ${toColumn(v, f.type)}`,
        );
      }
      if (matchable && conds.length) {
        const res = await session.query(
          sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner} AND ${join(conds, ' AND ')}`,
        );
        deleted += res.rowCount;
      }
    }
  }
  if (!vcol) return deleted;
  const kind = numeric ? numericColumn(numeric, s.table, vcol) : undefined;
  const typed = (s.scalar ? byValue.map((v) => toColumn(v, s.scalar?.type ?? 'string')) : byValue).filter((v) =>
    fitsColumn(kind, v),
  );
  if (!valueCaseExact(s)) {
    // Values that compare case-insensitively are removed whatever their case, as the core does.
    const d = session.dialect;
    for (const part of chunks(typed, d.maxParameters)) {
      const res = await session.query(
        sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner} AND ${d.lower(ident(vcol))} IN (${join(part.map((v) => (typeof v === 'string' ? d.lower(sql`${v}`) : sql`${v}`)))})`,
      );
      deleted += res.rowCount;
    }
    return deleted;
  }
  for (const part of chunks(typed, session.dialect.maxParameters)) {
    const res = await session.query(
      sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner} AND ${ident(vcol)} IN (${join(part.map((v) => sql`${v}`))})`,
    );
    deleted += res.rowCount;
  }
  return deleted;
}

/** Deletes every element of an owner; returns the rows deleted. */
export async function clearElements(session: Session, s: ChildStorage, owner: unknown): Promise<number> {
  return (await session.query(sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner}`)).rowCount;
}

/** Whether element `el` has every member of `seed` (a removal by selector: `addresses[type eq "home"]`). */
function matchesSeed(s: JsonStorage, el: unknown, seed: Record<string, unknown>): boolean {
  if (!isObject(el)) return false;
  return Object.entries(seed).every(([k, v]) => {
    const got = member(el, k);
    if (typeof got === 'string' && typeof v === 'string' && s.fields.get(k.toLowerCase())?.caseExact === false) {
      return got.toLowerCase() === v.toLowerCase();
    }
    return got === v;
  });
}

/** The new value of a JSON column after the endpoint changes for its key (and nested keys), with the core's list rules. */
export function changedJson(
  s: JsonStorage,
  current: unknown,
  change: { set?: unknown; clear?: boolean; add?: unknown[]; remove?: unknown[]; members?: Record<string, unknown> },
): unknown {
  let value: unknown = current;
  if (change.clear) value = undefined;
  if (change.set !== undefined) value = Array.isArray(change.set) ? primaryUnique([...change.set]) : change.set;
  if (s.object) {
    if (change.members) {
      const obj: Record<string, unknown> = isObject(value) ? { ...value } : {};
      for (const [k, v] of Object.entries(change.members)) {
        if (v === undefined || v === null) delete obj[k];
        else obj[k] = v;
      }
      value = obj;
    }
    return isObject(value) && Object.keys(value).length > 0 ? value : undefined;
  }
  const caseExact = s.scalar ? s.scalar.caseExact : (s.fields.get('value')?.caseExact ?? true);
  let list = Array.isArray(value)
    ? value.map((x) => (isObject(x) ? { ...x } : x))
    : value === undefined || value === null
      ? []
      : [value];
  if (change.remove?.length) {
    const gone = (x: unknown, r: unknown) =>
      isObject(r) && member(r, 'value') === undefined ? matchesSeed(s, x, r) : sameElement(x, r, caseExact);
    list = list.filter((x) => !change.remove?.some((r) => gone(x, r)));
  }
  for (const a of change.add ?? []) {
    const i = list.findIndex((x) => sameElement(x, a, caseExact));
    const el = i >= 0 && isObject(list[i]) && isObject(a) ? Object.assign(list[i] as object, a) : a;
    if (i < 0) list.push(el);
    else list[i] = el;
    if (isObject(el) && el.primary === true) {
      for (const other of list) if (other !== el && isObject(other) && other.primary === true) other.primary = false;
    }
  }
  return list.length ? list : undefined;
}
