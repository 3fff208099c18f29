/**
 * Memberships written through a user's `groups` (`scim.groupMemberOfUser`): each is a row of the
 * groups' members table, (group, user), added and removed one group at a time, so that the groups
 * whose members changed (and only those) get a new version.
 */
import type { Session } from '../database.js';
import { type ColumnFacts, type MemberOfStorage, type NumericColumns, numericColumn, valueColumnOf } from '../layout/catalog.js';
import { chunks } from '../read.js';
import { ident, join, sql } from '../sql.js';
import { addElements, fitsColumn } from './elements.js';

/** Membership rows written through a user's `groups`: one row per group. Returns the groups whose members changed. */
export async function addMemberships(
  session: Session,
  s: MemberOfStorage,
  member: unknown,
  groupIds: readonly unknown[],
  facts?: ColumnFacts,
): Promise<unknown[]> {
  const via = s.via;
  if (!via || groupIds.length === 0) return [];
  const changed: unknown[] = [];
  // Each group gets the user as a member: one row (group, user) per group.
  for (const g of groupIds) {
    if ((await addElements(session, via.members, g, [{ value: member, type: 'User' }], facts)) > 0) changed.push(g);
  }
  return changed;
}

/** The groups (of `groupIds`, or all) that hold the user as a member. */
export async function membershipsOf(
  session: Session,
  s: MemberOfStorage,
  member: unknown,
  groupIds?: readonly unknown[],
  numeric?: NumericColumns,
): Promise<unknown[]> {
  const via = s.via;
  if (!via) return [];
  const vcol = valueColumnOf(via.members) as string;
  const owner = ident(via.members.owner);
  const from = sql`SELECT ${owner} AS ${ident('g')} FROM ${ident(via.members.table)} WHERE ${ident(vcol)} = ${member}`;
  if (groupIds === undefined) return (await session.query(from)).rows.map((r) => r.g);
  const kind = numeric ? numericColumn(numeric, via.members.table, via.members.owner) : undefined;
  const out: unknown[] = [];
  for (const part of chunks(
    groupIds.filter((g) => fitsColumn(kind, g)),
    session.dialect.maxParameters,
  )) {
    const res = await session.query(sql`${from} AND ${owner} IN (${join(part.map((g) => sql`${g}`))})`);
    for (const r of res.rows) out.push(r.g);
  }
  return out;
}

/** Removes the user from the given groups (all of them with `undefined`); returns the rows deleted. */
export async function removeMemberships(
  session: Session,
  s: MemberOfStorage,
  member: unknown,
  groupIds: readonly unknown[] | undefined,
  numeric?: NumericColumns,
): Promise<number> {
  const via = s.via;
  if (!via) return 0;
  const vcol = valueColumnOf(via.members) as string;
  if (groupIds === undefined) {
    return (await session.query(sql`DELETE FROM ${ident(via.members.table)} WHERE ${ident(vcol)} = ${member}`)).rowCount;
  }
  const kind = numeric ? numericColumn(numeric, via.members.table, via.members.owner) : undefined;
  let deleted = 0;
  for (const part of chunks(
    groupIds.filter((g) => fitsColumn(kind, g)),
    session.dialect.maxParameters,
  )) {
    const res = await session.query(
      sql`DELETE FROM ${ident(via.members.table)} WHERE ${ident(vcol)} = ${member} AND ${ident(via.members.owner)} IN (${join(part.map((g) => sql`${g}`))})`,
    );
    deleted += res.rowCount;
  }
  return deleted;
}
