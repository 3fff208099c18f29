/**
 * Ids inside a message are the publisher's: a group's `members[].value`, a user's `groups[].value`
 * and the enterprise `manager.value`. Before a message is applied they become this side's ids,
 * through the records of the resources they name.
 */
import type { Change, ScimResource } from '@scimgw/core';
import { idToken } from '../message.js';
import type { ResourceRecord } from './records.js';
import { RetryableError } from './target.js';

/** The enterprise extension, whose `manager.value` is a user id. */
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Record key of a resource: `<type>.<id token>`. */
export function recordKey(resourceType: string, publisherId: string): string {
  return `${resourceType.replace(/[^A-Za-z0-9_-]/g, '_')}.${idToken(publisherId)}`;
}

/** What translating needs: the records, and a way to wait for a resource still being applied. */
export interface ReferenceLookup {
  record(key: string): Promise<ResourceRecord | undefined>;
  /** Resolves once messages of `key` that are in flight here are settled. */
  settled(key: string): Promise<void>;
}

/** This side's id of a resource the publisher calls `id`, trying the types in order. */
export async function localIdOf(lookup: ReferenceLookup, id: string, types: readonly string[]): Promise<string | undefined> {
  for (const type of types) {
    const key = recordKey(type, id);
    await lookup.settled(key);
    const rec = await lookup.record(key);
    if (rec?.id) return rec.id;
  }
  return undefined;
}

function typesFor(element: Record<string, unknown>, fallback: readonly string[]): readonly string[] {
  const t = element.type;
  if (t === 'User') return ['User', 'Group'];
  if (t === 'Group') return ['Group', 'User'];
  return fallback;
}

/**
 * Translates a list of references (`[{ value, type?, display? }]`). Unknown references are an
 * error to retry when `required` (they may not be applied here yet), and left out otherwise
 * (removing what is not here is nothing to do). `$ref` is dropped: it points at the publisher.
 */
export async function translateList(
  lookup: ReferenceLookup,
  list: unknown,
  types: readonly string[],
  required: boolean,
  what: string,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const el of Array.isArray(list) ? list : [list]) {
    if (typeof el !== 'object' || el === null || typeof (el as { value?: unknown }).value !== 'string') {
      out.push(el);
      continue;
    }
    const { $ref: _ref, ...element } = el as Record<string, unknown>;
    const local = await localIdOf(lookup, element.value as string, typesFor(element, types));
    if (local !== undefined) out.push({ ...element, value: local });
    else if (required) throw new RetryableError(`${what} "${String(element.value)}" is not known here (yet)`);
  }
  return out;
}

/** A manager reference: translated, or `undefined` when the manager is not known here. */
async function translateManager(lookup: ReferenceLookup, manager: unknown): Promise<unknown> {
  if (typeof manager === 'string') return localIdOf(lookup, manager, ['User']);
  if (typeof manager !== 'object' || manager === null) return manager;
  const { $ref: _ref, ...m } = manager as Record<string, unknown>;
  if (typeof m.value !== 'string') return m;
  const local = await localIdOf(lookup, m.value, ['User']);
  return local === undefined ? undefined : { ...m, value: local };
}

/**
 * A resource with its references translated. Members and groups must all be known here; a
 * manager who is not is left out (with `dropped` naming it).
 */
export async function translateResource(
  lookup: ReferenceLookup,
  resourceType: string,
  resource: ScimResource,
  dropped: string[],
): Promise<ScimResource> {
  const out: ScimResource = { ...resource };
  if (resourceType === 'Group' && out.members !== undefined)
    out.members = await translateList(lookup, out.members, ['User', 'Group'], true, 'member');
  if (resourceType === 'User' && out.groups !== undefined)
    out.groups = await translateList(lookup, out.groups, ['Group'], true, 'group');
  const ext = out[ENTERPRISE_USER];
  if (resourceType === 'User' && typeof ext === 'object' && ext !== null && 'manager' in ext) {
    const e = { ...(ext as Record<string, unknown>) };
    const manager = await translateManager(lookup, e.manager);
    if (manager === undefined) {
      dropped.push(`manager ${JSON.stringify(e.manager)}`);
      delete e.manager;
    } else e.manager = manager;
    out[ENTERPRISE_USER] = e;
  }
  return out;
}

function isRefAttr(resourceType: string, c: Change): 'members' | 'groups' | 'manager' | undefined {
  if (resourceType === 'Group' && c.path.extension === undefined && c.path.attr === 'members') return 'members';
  if (resourceType === 'User' && c.path.extension === undefined && c.path.attr === 'groups') return 'groups';
  if (resourceType === 'User' && c.path.extension === ENTERPRISE_USER && c.path.attr === 'manager') return 'manager';
  return undefined;
}

/**
 * Changes with their references translated. Added members and groups must be known here;
 * removals of unknown ones are left out (an emptied removal is dropped), and so is a manager
 * who is not known here.
 */
export async function translateChanges(
  lookup: ReferenceLookup,
  resourceType: string,
  changes: readonly Change[],
  dropped: string[],
): Promise<Change[]> {
  const out: Change[] = [];
  for (const c of changes) {
    const kind = isRefAttr(resourceType, c);
    if (!kind || c.value === undefined || (c.path.sub !== undefined && !(kind === 'manager' && c.path.sub === 'value'))) {
      out.push(c);
      continue;
    }
    if (kind === 'manager') {
      const value =
        c.path.sub === 'value' ? await localIdOf(lookup, String(c.value), ['User']) : await translateManager(lookup, c.value);
      if (value === undefined) dropped.push(`manager ${JSON.stringify(c.value)}`);
      else out.push({ ...c, value } as Change);
      continue;
    }
    const types = kind === 'members' ? ['User', 'Group'] : ['Group'];
    const removal = c.op === 'remove';
    const list = await translateList(lookup, c.value, types, !removal, kind === 'members' ? 'member' : 'group');
    if (removal && list.length === 0) continue;
    // `members[value eq "x"]` replaced by one element stays one element.
    out.push({ ...c, value: c.path.where && !Array.isArray(c.value) ? list[0] : list } as Change);
  }
  return out;
}

/** The `value` of each element of a reference list (or of one reference). */
function valuesOf(list: unknown): string[] {
  const out: string[] = [];
  for (const el of Array.isArray(list) ? list : [list]) {
    const v = typeof el === 'string' ? el : (el as { value?: unknown } | null)?.value;
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

/**
 * The publisher ids a message makes this side write references to: members and groups it adds or
 * sets, and a manager. (Removals are left out: removing what is gone changes nothing.)
 */
export function referencedIds(
  resourceType: string,
  resource: ScimResource | undefined,
  changes: readonly Change[] | undefined,
): string[] {
  const ids = new Set<string>();
  if (resourceType === 'Group') for (const v of valuesOf(resource?.members ?? [])) ids.add(v);
  if (resourceType === 'User') {
    for (const v of valuesOf(resource?.groups ?? [])) ids.add(v);
    const ext = resource?.[ENTERPRISE_USER] as { manager?: unknown } | undefined;
    if (ext?.manager !== undefined) for (const v of valuesOf(ext.manager)) ids.add(v);
  }
  for (const c of changes ?? []) {
    if (c.op === 'remove' || !isRefAttr(resourceType, c)) continue;
    for (const v of valuesOf(c.value)) ids.add(v);
  }
  return [...ids];
}
