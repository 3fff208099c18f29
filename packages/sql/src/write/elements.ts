/**
 * Changes to multi-valued keys, row by row: elements of a child table are inserted and deleted
 * one by one (a batch of single-row changes when a request names many), so adding one member to a
 * 50,000-member group touches one row. JSON columns are read, changed and written back (the
 * owner's row is locked by then). Memberships written through a user's `groups` change the groups'
 * member rows.
 */
import type { Session } from '../database.js';
import {
  type ChildStorage,
  type ElementField,
  type JsonStorage,
  type MemberOfStorage,
  valueColumnOf,
  type NumericColumns,
  numericColumn,
} from '../layout/catalog.js';
import { chunks } from '../read.js';
import { ident, join, type Sql, sql } from '../sql.js';
import { toColumn } from '../values.js';

/** Values a numeric column can hold; others can never be stored there, so removing them is a no-op. */
export function fitsColumn(kind: 'integer' | 'number' | undefined, v: unknown): boolean {
  if (!kind || v === null || v === undefined) return true;
  const text = String(v).trim();
  if (text === '' || !Number.isFinite(Number(text))) return false;
  return kind === 'number' || /^-?\d+$/.test(text);
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
function elementRow(s: ChildStorage, owner: unknown, el: unknown): Sql[] | undefined {
  if (s.scalar) {
    const v = isObject(el) ? member(el, 'value') : el;
    if (v === undefined || v === null) return undefined;
    return [sql`${owner}`, sql`${toColumn(v, s.scalar.type)}`];
  }
  const values = storedFields(s).map((f) => toColumn(member(el, f.name), f.type));
  if (values.every((v) => v === null)) return undefined;
  return [sql`${owner}`, ...values.map((v) => sql`${v}`)];
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
 * Tables that hold a value once per owner (members) ignore repeats.
 */
export async function insertElements(
  session: Session,
  s: ChildStorage,
  owner: unknown,
  elements: readonly unknown[],
): Promise<void> {
  const rows = primaryUnique([...elements])
    .map((el) => elementRow(s, owner, el))
    .filter((r): r is Sql[] => r !== undefined);
  if (rows.length === 0) return;
  const columns = elementColumns(s);
  const d = session.dialect;
  const vcol = valueColumn(s);
  for (const part of chunks(rows, d.maxParameters, columns.length)) {
    if (s.unique && vcol) {
      await session.query(
        d.upsert({ table: ident(s.table), columns, rows: part, conflict: [ident(s.owner), ident(vcol)], update: [] }),
      );
    } else await session.query(d.insert({ table: ident(s.table), columns, rows: part }));
  }
}

/**
 * Adds elements (PATCH `add`): an element whose value the owner holds already is merged into it
 * (the members it names overwrite the stored ones), any other is inserted; an added
 * `primary: true` clears the others'. Tables that hold a value once per owner (members) do this
 * in one batched upsert per few thousand rows, so adding 10,000 members is a handful of statements.
 */
export async function addElements(
  session: Session,
  s: ChildStorage,
  owner: unknown,
  elements: readonly unknown[],
): Promise<void> {
  const vcol = valueColumn(s);
  const d = session.dialect;
  if (s.unique && vcol && valueCaseExact(s)) {
    const list: unknown[] = [];
    for (const el of elements) {
      const i = list.findIndex((x) => sameElement(x, el));
      if (i < 0) list.push(el);
      else list[i] = isObject(list[i]) && isObject(el) ? { ...(list[i] as object), ...el } : el;
    }
    const rows = list.map((el) => elementRow(s, owner, el)).filter((r): r is Sql[] => r !== undefined);
    const columns = elementColumns(s);
    const update = s.scalar
      ? []
      : storedFields(s)
          .filter((f) => f.column !== vcol)
          .map((f) => ident(f.column as string));
    for (const part of chunks(rows, d.maxParameters, columns.length)) {
      await session.query(
        d.upsert({ table: ident(s.table), columns, rows: part, conflict: [ident(s.owner), ident(vcol)], update }),
      );
    }
    return;
  }
  const primaryColumn = s.scalar ? undefined : s.fields.get('primary')?.column;
  for (const el of elements) {
    const v = elementValue(s, el);
    let merged = false;
    if (vcol && v !== undefined && v !== null) {
      const sets = s.scalar
        ? [sql`${ident(vcol)} = ${toColumn(v, s.scalar.type)}`]
        : storedFields(s)
            .filter((f) => member(el, f.name) !== undefined)
            .map((f) => sql`${ident(f.column as string)} = ${toColumn(member(el, f.name), f.type)}`);
      const res = await session.query(
        sql`UPDATE ${ident(s.table)} SET ${join(sets)} WHERE ${ident(s.owner)} = ${owner} AND ${valueMatches(session, s, vcol, v)}`,
      );
      merged = res.rowCount > 0;
    }
    if (!merged) {
      const row = elementRow(s, owner, el);
      if (row) await session.query(d.insert({ table: ident(s.table), columns: elementColumns(s), rows: [row] }));
    }
    if (primaryColumn && isObject(el) && member(el, 'primary') === true && vcol && v !== undefined && v !== null) {
      await session.query(
        sql`UPDATE ${ident(s.table)} SET ${ident(primaryColumn)} = ${false} WHERE ${ident(s.owner)} = ${owner} AND ${ident(primaryColumn)} = ${true} AND NOT (${valueMatches(session, s, vcol, v)})`,
      );
    }
  }
}

/** Deletes the elements equal to the given ones (by `value` when they have one). */
export async function deleteElements(
  session: Session,
  s: ChildStorage,
  owner: unknown,
  elements: readonly unknown[],
  numeric?: NumericColumns,
): Promise<void> {
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
        await session.query(sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner} AND ${join(conds, ' AND ')}`);
      }
    }
  }
  if (!vcol) return;
  const kind = numeric ? numericColumn(numeric, s.table, vcol) : undefined;
  const typed = (s.scalar ? byValue.map((v) => toColumn(v, s.scalar?.type ?? 'string')) : byValue).filter((v) =>
    fitsColumn(kind, v),
  );
  if (!valueCaseExact(s)) {
    // Values that compare case-insensitively are removed whatever their case, as the core does.
    const d = session.dialect;
    for (const part of chunks(typed, d.maxParameters)) {
      await session.query(
        sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner} AND ${d.lower(ident(vcol))} IN (${join(part.map((v) => (typeof v === 'string' ? d.lower(sql`${v}`) : sql`${v}`)))})`,
      );
    }
    return;
  }
  for (const part of chunks(typed, session.dialect.maxParameters)) {
    await session.query(
      sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner} AND ${ident(vcol)} IN (${join(part.map((v) => sql`${v}`))})`,
    );
  }
}

/** Deletes every element of an owner. */
export async function clearElements(session: Session, s: ChildStorage, owner: unknown): Promise<void> {
  await session.query(sql`DELETE FROM ${ident(s.table)} WHERE ${ident(s.owner)} = ${owner}`);
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

/** Membership rows written through a user's `groups`: one row per group. */
export async function addMemberships(
  session: Session,
  s: MemberOfStorage,
  member: unknown,
  groupIds: readonly unknown[],
): Promise<void> {
  const via = s.via;
  if (!via || groupIds.length === 0) return;
  // Each group gets the user as a member: one row (group, user) per group.
  for (const g of groupIds) await addElements(session, via.members, g, [{ value: member, type: 'User' }]);
}

/** Removes the user from the given groups (all of them with `undefined`). */
export async function removeMemberships(
  session: Session,
  s: MemberOfStorage,
  member: unknown,
  groupIds: readonly unknown[] | undefined,
  numeric?: NumericColumns,
): Promise<void> {
  const via = s.via;
  if (!via) return;
  const vcol = valueColumnOf(via.members) as string;
  if (groupIds === undefined) {
    await session.query(sql`DELETE FROM ${ident(via.members.table)} WHERE ${ident(vcol)} = ${member}`);
    return;
  }
  const kind = numeric ? numericColumn(numeric, via.members.table, via.members.owner) : undefined;
  for (const part of chunks(
    groupIds.filter((g) => fitsColumn(kind, g)),
    session.dialect.maxParameters,
  )) {
    await session.query(
      sql`DELETE FROM ${ident(via.members.table)} WHERE ${ident(vcol)} = ${member} AND ${ident(via.members.owner)} IN (${join(part.map((g) => sql`${g}`))})`,
    );
  }
}
