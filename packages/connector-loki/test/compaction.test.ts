/**
 * Compaction runs beside the store's work: the event loop turns while the snapshot is written,
 * writes made meanwhile go to a second journal, and a crash at any point of it leaves files from
 * which open() brings back exactly the acknowledged writes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../src/store/journal.js';
import { TenantStore } from '../src/store/tenant-store.js';
import { copyDir, crashCopy, dump, has, seedUsers, turn, user, write } from './store-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'loki-compaction-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Users enough for a snapshot of several MiB (several chunks). */
const USERS = 20_000;
const NEVER = 1e15;

describe('TenantStore.compact: in the background', () => {
  it('the event loop turns, and reads and writes are served, while the snapshot is written', async () => {
    const base = join(dir, 'loop', 'loki');
    const s = await TenantStore.open({ file: base, compactBytes: NEVER, seed: seedUsers(USERS) });
    let turns = 0;
    let finished = false;
    const compaction = s.compact().then(() => {
      finished = true;
    });
    const count = () => {
      if (finished) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    await turn();
    expect(finished).toBe(false);
    // A read, and a write made durable, in the middle of it: in the second journal.
    expect(s.read('users', 'u7')?.userName).toBe('user7@example.com');
    expect(has(base, 'journal.next')).toBe(true);
    await write.put(s, user('during'));
    expect(Journal.read(`${base}.journal.next`).records).toEqual([
      { k: 'put', c: 'users', doc: expect.objectContaining({ id: 'uduring' }) },
    ]);
    await compaction;
    expect(turns).toBeGreaterThan(1);
    // Done: one journal (the second, renamed), holding the write; no temporary file.
    expect(has(base, 'journal.next')).toBe(false);
    expect(has(base, 'json.tmp')).toBe(false);
    expect(Journal.read(`${base}.journal`).records.map((r) => (r as unknown as { doc: { id: string } }).doc.id)).toEqual([
      'uduring',
    ]);
    // A crash now (no close): the write comes back.
    const again = await TenantStore.open({ file: join(crashCopy(dirname(base)), 'loki'), compactBytes: NEVER });
    expect(again.read('users', 'uduring')?.userName).toBe('userduring@example.com');
    expect(again.count('users')).toBe(USERS + 1);
    await again.close();
    await s.close();
  });

  it('a crash at any point of a compaction loses no acknowledged write and brings back no other', async () => {
    const root = join(dir, 'windows');
    const live = join(root, 'live');
    const base = join(live, 'loki');
    const s = await TenantStore.open({ file: base, compactBytes: NEVER, seed: seedUsers(USERS) });
    await write.group(s, 'g1', [{ value: 'u0' }, { value: 'u1' }, { value: 'u2' }]);
    await write.group(s, 'g2', [{ value: 'u3' }]);
    await write.group(s, 'g3', [{ value: 'u9' }]);
    await s.compact();
    // Before the compaction (in the first journal): every kind of record, among them members added
    // to a group that is deleted afterwards, and a member's new display.
    await write.madd(s, 'g2', [{ value: 'u4' }]);
    await write.del(s, 'groups', 'g2');
    await write.mdel(s, 'g1', ['u1']);
    await write.madd(s, 'g1', [{ value: 'u0', display: 'Zero' }]);
    await write.put(s, user(5, { title: 'changed' }));
    await write.del(s, 'users', 'u6');
    await write.put(s, user('n1'));
    await write.mset(s, 'g3', [{ value: 'u10' }, { value: 'u11' }]);
    // The files as they are when the compaction starts.
    const before = join(root, 'before');
    copyDir(live, before);

    const compaction = s.compact();
    await turn();
    expect(has(base, 'journal.next')).toBe(true);
    // During the compaction (in the second journal): writes over what the snapshot holds.
    await Promise.all([
      write.put(s, user('n2')),
      write.madd(s, 'g1', [{ value: 'u7' }]),
      write.del(s, 'users', 'u8'),
      write.del(s, 'users', 'un1'),
      write.mdel(s, 'g3', ['u10']),
      write.put(s, user(5, { title: 'changed again' })),
    ]);
    await compaction;
    const after = join(root, 'after');
    copyDir(live, after);
    const values = ['u0', 'u1', 'u2', 'u3', 'u4', 'u7', 'u9', 'u10', 'u11'];
    const expected = dump(s, values);
    expect(expected.users.find((u) => u.id === 'u5')?.title).toBe('changed again');
    expect(expected.groupsOf[values.indexOf('u4')]).toEqual([]);

    // The second journal of the crash windows: what the compaction's journal holds at its end.
    const second = `${after}/loki.journal`;
    const windows: Record<string, (to: string) => void> = {
      // Before the snapshot's rename: the old snapshot, both journals, a half-written snapshot.
      'before the snapshot is in place': (to) => {
        copyDir(before, to);
        copyFileSync(second, join(to, 'loki.journal.next'));
        writeFileSync(join(to, 'loki.json.tmp'), readFileSync(join(after, 'loki.json')).subarray(0, 3000));
      },
      // Between the renames: the new snapshot, and both journals.
      'after the snapshot, before the journal': (to) => {
        copyDir(after, to, (f) => f === 'loki.json');
        copyFileSync(join(before, 'loki.journal'), join(to, 'loki.journal'));
        copyFileSync(second, join(to, 'loki.journal.next'));
      },
      // After both.
      'after both renames': (to) => copyDir(after, to),
    };
    for (const [name, make] of Object.entries(windows)) {
      const to = join(root, name.replace(/\W+/g, '-'));
      make(to);
      const r = await TenantStore.open({ file: join(to, 'loki'), compactBytes: NEVER });
      expect(dump(r, values), name).toEqual(expected);
      // open() compacted: one snapshot and one journal, nothing left of the interrupted compaction.
      expect(has(join(to, 'loki'), 'journal.next'), name).toBe(false);
      expect(has(join(to, 'loki'), 'json.tmp'), name).toBe(false);
      await r.close();
      const again = await TenantStore.open({ file: join(to, 'loki'), compactBytes: NEVER });
      expect(dump(again, values), name).toEqual(expected);
      await again.close();
    }
    await s.close();
  });

  it('a compaction started by the journal passing compactBytes leaves one journal behind', async () => {
    const base = join(dir, 'auto', 'loki');
    const s = await TenantStore.open({ file: base, compactBytes: 4096, seed: seedUsers(100) });
    for (let i = 0; i < 100; i++) await write.put(s, user(`a${i}`));
    await s.close();
    expect(has(base, 'journal.next')).toBe(false);
    const again = await TenantStore.open({ file: base, compactBytes: NEVER });
    expect(again.count('users')).toBe(200);
    await again.close();
  });

  it('a first start that crashed before its first snapshot seeds again on the next', async () => {
    const base = join(dir, 'first', 'loki');
    mkdirSync(dirname(base), { recursive: true });
    // What the crash left: an empty journal, the start's compaction under way, no snapshot yet.
    writeFileSync(`${base}.journal`, '');
    writeFileSync(`${base}.journal.next`, '');
    writeFileSync(`${base}.json.tmp`, '{"format":"scimgw-lo');
    const s = await TenantStore.open({ file: base, compactBytes: NEVER, seed: seedUsers(10) });
    expect(s.count('users')).toBe(10);
    await s.close();
    expect(has(base, 'journal.next') || has(base, 'json.tmp')).toBe(false);
    const again = await TenantStore.open({ file: base, compactBytes: NEVER, seed: seedUsers(3) });
    expect(again.count('users')).toBe(10);
    await again.close();
  });
});
