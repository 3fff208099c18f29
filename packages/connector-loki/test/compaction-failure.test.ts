/**
 * A compaction that fails half-way loses nothing: the snapshot cannot be written (disk full,
 * injected at its second write), or the journal refuses a write the compaction's capture holds.
 * The store keeps answering, a restart brings back exactly the acknowledged writes, and the next
 * compaction succeeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { TenantStore } from '../src/store/tenant-store.js';
import { copyDir, dump, has, seedUsers, turn, user, write } from './store-helpers.js';

const fault = { snapshot: false, sync: false };
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC' });
const isTmp = (p: unknown) => String(p).endsWith('.json.tmp');

vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fsp,
    // The snapshot's temporary file takes one write, then the disk is full.
    open: (async (path: Parameters<typeof fsp.open>[0], ...rest: unknown[]) => {
      const fh = await (fsp.open as (...a: unknown[]) => ReturnType<typeof fsp.open>)(path, ...rest);
      if (!fault.snapshot || !isTmp(path)) return fh;
      let writes = 0;
      const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<unknown>;
      return Object.assign(Object.create(Object.getPrototypeOf(fh)), fh, {
        write: (...a: unknown[]) => (++writes > 1 ? Promise.reject(enospc()) : write(...a)),
        sync: () => fh.sync(),
        close: () => fh.close(),
      });
    }) as typeof fsp.open,
  };
});

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  // The same for a snapshot written with the synchronous calls.
  const tmpFds = new Set<number>();
  let writes = 0;
  return {
    ...fs,
    openSync: ((path: Parameters<typeof fs.openSync>[0], ...rest: unknown[]) => {
      const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
      if (fault.snapshot && isTmp(path)) {
        tmpFds.add(fd);
        writes = 0;
      }
      return fd;
    }) as typeof fs.openSync,
    writeSync: ((fd: number, ...rest: unknown[]) => {
      if (fault.snapshot && tmpFds.has(fd) && ++writes > 1) throw enospc();
      return (fs.writeSync as (...a: unknown[]) => number)(fd, ...rest);
    }) as typeof fs.writeSync,
    // A journal batch's sync fails once.
    fdatasync: ((fd: number, cb: (e: Error | null) => void) => {
      if (fault.sync) {
        fault.sync = false;
        setImmediate(() => cb(Object.assign(new Error('EIO: i/o error (injected)'), { code: 'EIO' })));
        return;
      }
      fs.fdatasync(fd, cb);
    }) as typeof fs.fdatasync,
  };
});

const dir = mkdtempSync(join(tmpdir(), 'loki-compaction-failure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  fault.snapshot = false;
  fault.sync = false;
});

const NEVER = 1e15;
const USERS = 20_000;
const values = ['u1', 'u2', 'u3'];

/** Opens a copy of the files at `from` (a crash now), returns its dump and closes it. */
async function restartFrom(from: string, to: string) {
  copyDir(from, to);
  const r = await TenantStore.open({ file: join(to, 'loki'), compactBytes: NEVER });
  const d = dump(r, values);
  await r.close();
  return d;
}

describe('TenantStore.compact: failures', () => {
  it('a snapshot that cannot be written leaves the store as it was, and the next compaction succeeds', async () => {
    const live = join(dir, 'enospc');
    const base = join(live, 'loki');
    const s = await TenantStore.open({ file: base, compactBytes: NEVER, seed: seedUsers(USERS) });
    await write.group(s, 'g1', [{ value: 'u1' }, { value: 'u2' }]);
    await write.put(s, user('before'));
    fault.snapshot = true;
    await expect(s.compact()).rejects.toThrow(/ENOSPC/);
    fault.snapshot = false;
    // No half-written snapshot left; the store answers and takes writes.
    expect(has(base, 'json.tmp')).toBe(false);
    expect(s.read('users', 'ubefore')?.userName).toBe('userbefore@example.com');
    await write.put(s, user('after'));
    await write.mdel(s, 'g1', ['u2']);
    await write.madd(s, 'g1', [{ value: 'u3' }]);
    const expected = dump(s, values);
    expect(expected.users.length).toBe(USERS + 2);
    // A crash now brings everything back.
    expect(await restartFrom(live, join(dir, 'enospc-crash'))).toEqual(expected);
    // A later compaction succeeds, and leaves one snapshot and one journal.
    await s.compact();
    expect(has(base, 'journal.next')).toBe(false);
    expect(await restartFrom(live, join(dir, 'enospc-retried'))).toEqual(expected);
    await s.close();
  });

  it('a background compaction that fails is reported to onCompactError and retried later', async () => {
    const base = join(dir, 'background', 'loki');
    const errors: unknown[] = [];
    const s = await TenantStore.open({
      file: base,
      compactBytes: 2048,
      seed: seedUsers(USERS),
      onCompactError: (e) => errors.push(e),
    });
    fault.snapshot = true;
    for (let i = 0; errors.length === 0; i++) await write.put(s, user(`x${i}`));
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOSPC');
    while (has(base, 'json.tmp')) await turn();
    fault.snapshot = false;
    // Retried once the journals grew further: then the second journal goes.
    for (let i = 0; has(base, 'journal.next'); i++) {
      await write.put(s, user(`y${i}`));
      await turn();
    }
    expect(errors.length).toBe(1);
    const count = s.count('users');
    await s.close();
    const again = await TenantStore.open({ file: base, compactBytes: NEVER });
    expect(again.count('users')).toBe(count);
    await again.close();
  });

  it('a write the capture holds and the journal then refuses is not brought back by the snapshot', async () => {
    const live = join(dir, 'refused');
    const base = join(live, 'loki');
    const s = await TenantStore.open({ file: base, compactBytes: NEVER, seed: seedUsers(100) });
    await write.group(s, 'g1', [{ value: 'u1' }]);
    // Applied in memory and queued, not yet durable, when the compaction captures the state.
    fault.sync = true;
    const refused = write.put(s, user('refused'));
    const member = write.madd(s, 'g1', [{ value: 'u2' }]);
    const compaction = s.compact();
    await expect(refused).rejects.toThrow(/EIO/);
    await expect(member).rejects.toThrow(/EIO/);
    await expect(compaction).rejects.toThrow(/abandoned/);
    expect(has(base, 'json.tmp')).toBe(false);
    expect(s.read('users', 'urefused')).toBeUndefined();
    const expected = dump(s, values);
    expect(expected.groupsOf[values.indexOf('u2')]).toEqual([]);
    expect(await restartFrom(live, join(dir, 'refused-crash'))).toEqual(expected);
    await s.compact();
    expect(await restartFrom(live, join(dir, 'refused-retried'))).toEqual(expected);
    await s.close();
  });
});
