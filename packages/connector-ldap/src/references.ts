/**
 * `manager`: an id in SCIM (the enterprise extension's `manager.value`), a
 * DN in the directory. Reads turn the DNs of a whole page into ids with one
 * batched lookup; writes turn the id a client sends into the manager's DN,
 * refusing ids that name no user; filters on `manager.value` search by DN.
 *
 * @see RFC 7643 §4.3 (`manager`)
 */
import { type Change, errors, type ScimResource, URN } from '@scimgw/core';
import { type LdapEntry, values } from './entry.js';
import { dnKey } from './dn.js';
import type { Modification } from './directory.js';
import { chunks } from './ids.js';
import { permissiveModifyControl } from './pool.js';
import type { Tenant } from './tenant.js';

/** The SCIM path the manager's id is mapped from. */
export const MANAGER_PATH = `${URN.EnterpriseUser}:manager.value`;

/** The LDAP attribute holding the manager's DN, if the user map has one. */
export function managerAttribute(t: Tenant): string | undefined {
  return t.users.attributesFor(MANAGER_PATH)[0];
}

const text = (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('utf8'));

/** The extension object of a resource, found case-insensitively. */
function extensionOf(resource: ScimResource): Record<string, unknown> | undefined {
  const key = Object.keys(resource).find((k) => k.toLowerCase() === URN.EnterpriseUser.toLowerCase());
  const ext = key === undefined ? undefined : resource[key];
  return typeof ext === 'object' && ext !== null && !Array.isArray(ext) ? (ext as Record<string, unknown>) : undefined;
}

/**
 * Replaces the manager DNs of mapped users with ids (one lookup for the
 * whole list); a manager outside the user base, or no longer there, is left
 * out.
 *
 * @param resources - `toScim` results, index-aligned with `entries`
 */
export async function managerIdsIntoResources(
  t: Tenant,
  entries: LdapEntry[],
  resources: (ScimResource | undefined)[],
): Promise<void> {
  const attr = managerAttribute(t);
  if (!attr) return;
  const dns = entries.map((e) => values(e, attr).map(text)[0]);
  const wanted = dns.filter((d): d is string => d !== undefined);
  if (!wanted.length) return;
  const ids = await t.resolver.dnsToIds(wanted, t.scope(['user']));
  resources.forEach((r, i) => {
    const dn = dns[i];
    const ext = r ? extensionOf(r) : undefined;
    if (!r || !ext || dn === undefined) return;
    let id: string | undefined;
    try {
      id = ids.get(dnKey(dn));
    } catch {
      id = undefined;
    }
    if (id === undefined) delete ext.manager;
    else ext.manager = { value: id };
    if (!Object.keys(ext).length) {
      const key = Object.keys(r).find((k) => k.toLowerCase() === URN.EnterpriseUser.toLowerCase());
      if (key !== undefined) delete r[key];
    }
  });
}

/**
 * Removes one user's DN from the manager attribute of every user under `userBase` that names it,
 * or puts `replacement` in its place: the `manager` side of `maintainMembership`, for directories
 * without referential integrity (a deleted manager's DN would otherwise name whoever is created
 * under it next). As for groups (see `dropFromAllGroups`): after a delete best effort, each user
 * that cannot be updated logged; after a rename part of the write (`strict`), the first failure
 * thrown once the updates in flight have settled, and the rename's undo swaps back the users
 * already updated.
 */
export async function rewriteManagerRefs(t: Tenant, dn: string, replacement?: string, strict = false): Promise<void> {
  const attr = managerAttribute(t);
  if (!attr) return;
  const employees = await t.dir.search(
    { base: t.s.userBase, filter: { type: 'eq', attribute: attr, value: dn }, attributes: ['1.1'] },
    'find users of a manager',
  );
  // A value another client removed meanwhile is not an error (permissive modify).
  const controls = t.s.permissiveModify ? [permissiveModifyControl()] : undefined;
  const mods: Modification[] = [
    { operation: 'delete', type: attr, values: [dn] },
    ...(replacement ? [{ operation: 'add' as const, type: attr, values: [replacement] }] : []),
  ];
  for (const part of chunks(employees, 8)) {
    const results = await Promise.allSettled(part.map((e) => t.dir.modify(e.dn, mods, 'update the manager of a user', controls)));
    results.forEach((r, i) => {
      if (r.status === 'rejected' && !strict)
        t.log.warn('ldap: could not update a user whose manager changed', {
          user: part[i]?.dn,
          error: (r.reason as Error).message,
        });
    });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && strict) throw failed.reason;
  }
}

/** The manager's DN for an id a client sent. @throws errors.InvalidValueError when no user has that id */
async function dnOfManager(t: Tenant, id: string): Promise<string> {
  const dn = (await t.resolver.idsToDns([id], t.scope(['user']), true)).get(id);
  if (dn === undefined) throw new errors.InvalidValueError(`manager: no user has the id ${JSON.stringify(id).slice(0, 80)}`);
  return dn;
}

/** A manager value as a client sent it: an id, "no manager", or something without an id. */
type Sent = { id: string } | 'none' | 'invalid';

/** Reads a manager value: `{ value }` or a bare string; `""`, `null` or `{ value: "" }` mean no manager. */
function sentManager(v: unknown): Sent {
  if (v === null || v === '') return 'none';
  if (typeof v === 'string') return { id: v };
  if (typeof v === 'object' && !Array.isArray(v)) {
    const value = (v as Record<string, unknown>).value;
    if (value === null || value === '') return 'none';
    if (typeof value === 'string') return { id: value };
  }
  return 'invalid';
}

const invalid = () => new errors.InvalidValueError("manager needs a value: the manager's id");

/** A copy of a resource (create, replace) whose manager names a DN instead of an id. */
export async function managerDnIntoResource(t: Tenant, resource: ScimResource): Promise<ScimResource> {
  if (!managerAttribute(t)) return resource;
  const ext = extensionOf(resource);
  if (!ext || ext.manager === undefined) return resource;
  const key = Object.keys(resource).find((k) => k.toLowerCase() === URN.EnterpriseUser.toLowerCase()) as string;
  const sent = sentManager(ext.manager);
  if (sent === 'invalid') throw invalid();
  const { manager: _, ...rest } = ext;
  if (sent === 'none') return { ...resource, [key]: rest };
  return { ...resource, [key]: { ...rest, manager: { value: await dnOfManager(t, sent.id) } } };
}

/** PATCH changes whose manager values name DNs instead of ids. */
export async function managerDnIntoChanges(t: Tenant, changes: Change[]): Promise<Change[]> {
  if (!managerAttribute(t)) return changes;
  const out: Change[] = [];
  for (const ch of changes) {
    const p = ch.path;
    const isManager =
      p.extension?.toLowerCase() === URN.EnterpriseUser.toLowerCase() && p.attr.toLowerCase() === 'manager' && !p.where;
    if (!isManager || ch.op === 'remove') {
      out.push(ch);
      continue;
    }
    if (p.sub !== undefined && p.sub.toLowerCase() !== 'value') {
      // $ref and displayName are the server's to set.
      continue;
    }
    const sent = sentManager(ch.value);
    if (sent === 'invalid') throw invalid();
    if (sent === 'none') {
      // An empty manager clears it (Entra ID sends "" or { value: "" } for "no manager").
      out.push({ op: 'remove', path: { extension: p.extension as string, attr: p.attr } });
      continue;
    }
    const dn = await dnOfManager(t, sent.id);
    out.push({ ...ch, value: p.sub === undefined ? { value: dn } : dn });
  }
  return out;
}
