/**
 * Imports the older scimgateway product's Loki database file (what its plugin-loki persisted
 * with LokiJS's file adapter: one JSON document with a `collections` list, `users` and `groups`
 * among them) into a brand-new tenant store. Ids are kept, so identity providers that stored them
 * keep working; LokiJS's bookkeeping (`$loki`, its numeric `meta`) becomes SCIM `meta`, and group
 * `members` go to the membership index.
 */
import { readFileSync } from 'node:fs';
import { NEVER_STORED, newVersion } from './meta.js';
import type { Doc, TenantStore } from './store/tenant-store.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype', '$loki']);

/** What an import brought in. */
export interface LegacyImportResult {
  users: number;
  groups: number;
  memberships: number;
}

/** An error naming the configuration key and the file (the gateway prints it at startup). */
export class LegacyImportError extends Error {
  override name = 'LegacyImportError';
}

/** LokiJS meta (`created`/`updated` as epoch milliseconds, `revision`) as SCIM meta. */
function scimMeta(meta: unknown): Obj {
  const m = isObj(meta) ? meta : {};
  const iso = (v: unknown): string | undefined => {
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
    if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
    return undefined;
  };
  const created = iso(m.created) ?? new Date(0).toISOString();
  const lastModified = iso(m.updated) ?? iso(m.lastModified) ?? created;
  return { created, lastModified, version: newVersion() };
}

/** A document without LokiJS's keys, prototype-polluting keys, the computed attribute and a password. */
function cleanDoc(raw: Obj, computed: string): Doc | undefined {
  if (typeof raw.id !== 'string' && typeof raw.id !== 'number') return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(raw)) {
    if (UNSAFE.has(k) || k === computed || k === 'meta' || k === 'schemas' || k === NEVER_STORED) continue;
    out[k] = v;
  }
  out.id = String(raw.id);
  out.meta = scimMeta(raw.meta);
  return out as Doc;
}

function collection(db: Obj, name: string): Obj[] {
  const colls = Array.isArray(db.collections) ? db.collections : [];
  const c = colls.find((x) => isObj(x) && x.name === name);
  return isObj(c) && Array.isArray(c.data) ? c.data.filter(isObj) : [];
}

/**
 * Reads `file` and puts its users and groups into `store` (in memory; the store persists them
 * with its first snapshot). `configPath` names the setting in errors.
 *
 * @throws LegacyImportError when the file cannot be read or is not a Loki database.
 */
export function importLegacyLokiFile(store: TenantStore, file: string, configPath: string): LegacyImportResult {
  let db: unknown;
  try {
    db = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new LegacyImportError(`${configPath}: cannot import ${file}: ${why}`);
  }
  if (!isObj(db) || !Array.isArray(db.collections)) {
    throw new LegacyImportError(`${configPath}: ${file} is not a Loki database file (no "collections")`);
  }
  const result: LegacyImportResult = { users: 0, groups: 0, memberships: 0 };
  for (const raw of collection(db, 'users')) {
    const doc = cleanDoc(raw, 'groups');
    if (!doc) continue;
    store.putLocal('users', doc);
    result.users++;
  }
  for (const raw of collection(db, 'groups')) {
    const doc = cleanDoc(raw, 'members');
    if (!doc) continue;
    store.putLocal('groups', doc);
    result.groups++;
    const members = (Array.isArray(raw.members) ? raw.members : [])
      .filter(isObj)
      .filter((m) => typeof m.value === 'string' && m.value !== '')
      .map((m) => ({ value: m.value as string, ...(typeof m.display === 'string' ? { display: m.display } : {}), type: 'User' }));
    if (members.length > 0) {
      store.membership.set(doc.id, members);
      result.memberships += members.length;
    }
  }
  return result;
}
