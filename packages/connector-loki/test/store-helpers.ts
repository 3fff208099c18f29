/** Writes and a comparable dump of a TenantStore, for the compaction tests. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalRecord } from '../src/store/journal.js';
import type { Doc, TenantStore } from '../src/store/tenant-store.js';

export const user = (i: number | string, extra: Record<string, unknown> = {}): Doc => ({
  id: `u${i}`,
  userName: `user${i}@example.com`,
  name: { givenName: `Given${i}`, familyName: `Family${i}` },
  emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }],
  active: true,
  ...extra,
});

/** Fills a new store with `n` users u0 … u(n−1) (a seed: no journal). */
export const seedUsers = (n: number) => (s: TenantStore) => {
  for (let i = 0; i < n; i++) s.putLocal('users', user(i));
};

type Member = { value: string; display?: string };

/** One acknowledged write of each kind the stores' handlers make (the same records). */
export const write = {
  put: (s: TenantStore, doc: Doc) =>
    s.commit(() => {
      s.putLocal('users', doc);
      return [{ k: 'put', c: 'users', doc }];
    }),
  del: (s: TenantStore, c: 'users' | 'groups', id: string) =>
    s.commit(() => {
      s.deleteLocal(c, id);
      return [{ k: 'del', c, id }];
    }),
  group: (s: TenantStore, id: string, members: Member[]) =>
    s.commit(() => {
      const doc = { id, displayName: `group ${id}` };
      s.putLocal('groups', doc);
      s.membership.set(id, members);
      return [
        { k: 'put', c: 'groups', doc },
        { k: 'mset', g: id, m: members },
      ] as JournalRecord[];
    }),
  madd: (s: TenantStore, g: string, m: Member[]) =>
    s.commit(() => {
      const added = s.membership.add(g, m);
      return added.length ? [{ k: 'madd', g, m: added }] : [];
    }),
  mdel: (s: TenantStore, g: string, v: string[]) =>
    s.commit(() => {
      const removed = s.membership.remove(g, v);
      return removed.length ? [{ k: 'mdel', g, v: removed }] : [];
    }),
  mset: (s: TenantStore, g: string, m: Member[]) =>
    s.commit(() => {
      s.membership.set(g, m);
      return [{ k: 'mset', g, m }];
    }),
};

const byId = (a: Doc, b: Doc) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Everything a client can read of a store: its resources, each group's members, and the groups of
 * each of `values` (users' `groups`: a membership left behind for a deleted group shows there).
 */
export function dump(s: TenantStore, values: string[]) {
  const groups = [...s.scan('groups')].sort(byId);
  return {
    users: [...s.scan('users')].sort(byId),
    groups,
    members: groups.map((g) => s.membership.list(g.id).sort((a, b) => String(a.value).localeCompare(String(b.value)))),
    groupsOf: values.map((v) => [...s.membership.groupsOf(v)].sort()),
  };
}

/** Copies the files of directory `from` into a new directory `to` (what a crash there would leave). */
export function copyDir(from: string, to: string, only?: (name: string) => boolean): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) if (!only || only(f)) copyFileSync(join(from, f), join(to, f));
}

/**
 * What a crash (kill -9) of this process would leave of the store in directory `from`: its files
 * as they are now, copied into a new directory beside it, whose path is returned. A restart opens
 * that copy: the store in `from` stays open (a second opener there is refused: see lock.ts), and
 * the copied lock names this process but is not the lock it holds, so it is stale.
 */
export function crashCopy(from: string): string {
  const to = mkdtempSync(`${from}-crash-`);
  copyDir(from, to);
  return to;
}

/** Files a store at `base` has now, by suffix (`json`, `journal`, `journal.next`, `json.tmp`). */
export const has = (base: string, suffix: string) => existsSync(`${base}.${suffix}`);

/** One turn of the event loop. */
export const turn = () => new Promise<void>((r) => setImmediate(r));
