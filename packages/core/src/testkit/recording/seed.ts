/**
 * Seed steps: one `POST` per resource a recording used but did not create (used.ts), so that the
 * recording replays on a target that does not hold them. Each captures the new id into the
 * variable the replay's steps name that resource by.
 */
import { URN } from '../../schema/urns.js';
import type { ReplayStep } from '../idp/step.js';
import type { Lookup } from './template.js';
import { READ_ONLY, type UsedResource } from './used.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

const ENTERPRISE = URN.EnterpriseUser.toLowerCase();

/** Users first, groups last (their members are users and groups), other resources between. */
const rankOf = (endpoint: string) => (endpoint === 'Users' ? 0 : endpoint === 'Groups' ? 2 : 1);

/** A key of `body` by its lower-cased name (attribute names are case-insensitive, RFC 7643 §2.1). */
const keyOf = (body: Json, lower: string) => Object.keys(body).find((k) => k.toLowerCase() === lower);

/** A user's enterprise `manager`: its key in the extension, and the extension. */
function managerOf(body: Json): { extension: Json; key: string } | undefined {
  const ext = keyOf(body, ENTERPRISE);
  const extension = ext === undefined ? undefined : body[ext];
  if (!isObject(extension)) return undefined;
  const key = keyOf(extension, 'manager');
  return key === undefined ? undefined : { extension, key };
}

/** The ids a resource's body refers to: its members' values and its manager's. */
function references(body: Json): string[] {
  const members = body[keyOf(body, 'members') ?? ''];
  const out = Array.isArray(members) ? members.flatMap((m) => (isObject(m) && typeof m.value === 'string' ? [m.value] : [])) : [];
  const manager = managerOf(body);
  const value = manager && (manager.extension[manager.key] as { value?: unknown } | undefined)?.value;
  if (typeof value === 'string') out.push(value);
  return out;
}

/**
 * The order to create `used` in: users first, groups last, each in order of first appearance,
 * except that a resource another one refers to (a member, a manager) is created before it. A
 * reference that closes a cycle is left out (the resource it names is not created yet).
 */
function creationOrder(used: readonly UsedResource[]): UsedResource[] {
  const byId = new Map(used.map((r) => [r.id, r]));
  const state = new Map<string, 'open' | 'done'>();
  const out: UsedResource[] = [];
  const roots = used.map((r, i) => ({ r, i })).sort((a, b) => rankOf(a.r.endpoint) - rankOf(b.r.endpoint) || a.i - b.i);
  for (const { r: root } of roots) {
    if (state.has(root.id)) continue;
    // Depth first without recursion: a chain of managers can be as long as a company is deep.
    const stack = [{ r: root, refs: references(root.body), next: 0 }];
    state.set(root.id, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as (typeof stack)[number];
      const ref = top.refs[top.next++];
      if (ref === undefined) {
        stack.pop();
        state.set(top.r.id, 'done');
        out.push(top.r);
        continue;
      }
      const dep = byId.get(ref);
      if (dep === undefined || state.has(ref)) continue;
      state.set(ref, 'open');
      stack.push({ r: dep, refs: references(dep.body), next: 0 });
    }
  }
  return out;
}

/** `{{name}}` for a seeded id created before, else `undefined`. */
const varOf = (id: string, created: ReadonlySet<string>, names: Lookup) => {
  const name = created.has(id) ? names.name(id) : undefined;
  return name === undefined ? undefined : `{{${name}}}`;
};

/**
 * The body to create a resource with: as shown, without `id`, `meta` and `groups`; only the
 * members and the manager created before it, as variables, a member with its `value` and `type`.
 */
function seedBody(resource: UsedResource, created: ReadonlySet<string>, names: Lookup): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(resource.body)) {
    if (READ_ONLY.has(key.toLowerCase())) continue;
    if (key.toLowerCase() !== 'members' || !Array.isArray(value)) {
      out[key] = value;
      continue;
    }
    const members = value.flatMap((m) => {
      const v = isObject(m) && typeof m.value === 'string' ? varOf(m.value, created, names) : undefined;
      return v === undefined ? [] : [{ value: v, ...(typeof m.type === 'string' ? { type: m.type } : {}) }];
    });
    if (members.length > 0) out[key] = members;
  }
  const manager = managerOf(out);
  if (manager) {
    const { [manager.key]: was, ...rest } = manager.extension;
    const value = (was as { value?: unknown } | undefined)?.value;
    const v = typeof value === 'string' ? varOf(value, created, names) : undefined;
    const ext = keyOf(out, ENTERPRISE) as string;
    out[ext] = v === undefined ? rest : { ...rest, [manager.key]: { value: v } };
  }
  return out;
}

/**
 * A step creating each resource of `used` (`POST <prefix>/<endpoint>`, expecting 201), in
 * {@link creationOrder}, capturing its new id as the variable `names` gives the recorded id.
 *
 * @param stepName - the name of the replay's step of an exchange (by index), for the seed step's name
 */
export function seedSteps(used: readonly UsedResource[], names: Lookup, stepName: (at: number) => string): ReplayStep[] {
  const created = new Set<string>();
  const out: ReplayStep[] = [];
  for (const resource of creationOrder(used)) {
    const name = names.name(resource.id);
    if (name === undefined) continue;
    const source = resource.placeholder
      ? `a stand-in: ${stepName(resource.shownAt)} names it, no answer shows it`
      : `as ${stepName(resource.shownAt)} ${resource.afterWrite ? 'left it' : 'showed it'}`;
    out.push({
      name: `seed ${name} (${source})`,
      method: 'POST',
      url: `${resource.prefix}/${resource.endpoint}`,
      body: seedBody(resource, created, names),
      status: 201,
      capture: { [name]: 'id' },
    });
    created.add(resource.id);
  }
  return out;
}
