/**
 * One process at a time per store (src/store/lock.ts): a second opener, in this process or in
 * another, is refused and changes no byte; a lock whose holder is gone (kill -9, a dead pid, a
 * host that stopped refreshing it) is taken over, by exactly one of the processes racing for it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SchemaRegistry } from '@scimgw/core';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConnector, createLokiConnector } from '../src/index.js';
import {
  LOCK_FORMAT,
  type LockRecord,
  StoreLock,
  StoreLockedError,
  StoreLockLostError,
  takeoverMarker,
} from '../src/store/lock.js';
import { processState, thisProcess } from '../src/store/process-info.js';
import { TenantStore } from '../src/store/tenant-store.js';
import { crashCopy, seedUsers, user, write } from './store-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'loki-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const NEVER = 1e15;
let n = 0;
/** A new directory and the base path of a store in it. */
function fresh(): { dir: string; file: string; lock: string } {
  const dir = join(root, `d${++n}`);
  mkdirSync(dir);
  return { dir, file: join(dir, 'loki'), lock: join(dir, 'loki.lock') };
}

/** Every file of a directory: its inode and a digest of its bytes (what "changed nothing" compares). */
function state(dir: string): Record<string, { ino: number; sha: string }> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        {
          ino: statSync(join(dir, f)).ino,
          sha: createHash('sha256')
            .update(readFileSync(join(dir, f)))
            .digest('hex'),
        },
      ]),
  );
}

/** A lock file as another process would have written it; `age` seconds old. */
function plantLock(path: string, holder: Partial<LockRecord>, age = 0): LockRecord {
  const record = { format: LOCK_FORMAT, token: crypto.randomUUID(), since: new Date().toISOString(), ...holder } as LockRecord;
  writeFileSync(path, `${JSON.stringify(record)}\n`);
  const t = Date.now() / 1000 - age;
  utimesSync(path, t, t);
  return record;
}

/** A holder on this host, in this pid namespace (as far as /proc tells). */
const here = (pid: number): Partial<LockRecord> => {
  const { host, bootId, pidNamespace } = thisProcess();
  return { pid, host, bootId, pidNamespace };
};
const elsewhere = { pid: 4242, host: 'elsewhere.example' };

/** The lock record at `path`. */
const holderOf = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as LockRecord;

/** A process id that ran and is gone. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;

async function refusal(p: Promise<unknown>): Promise<StoreLockedError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StoreLockedError);
  return e as StoreLockedError;
}

describe('a second opener in this process', () => {
  it('is refused naming the directory and the holder, changes nothing, and the first keeps its files', async () => {
    const { dir, file, lock } = fresh();
    const first = await TenantStore.open({ file, compactBytes: NEVER, seed: seedUsers(5) });
    await write.put(first, user('before'));
    const before = state(dir);
    const e = await refusal(TenantStore.open({ file, compactBytes: NEVER }));
    expect(e.code).toBe('ESTORELOCKED');
    expect(e.message).toContain(`The embedded store in ${dir} is in use`);
    expect(e.message).toContain(`process ${process.pid} on host ${hostname()}`);
    expect(e.message).toMatch(/stop that process first/);
    expect(state(dir)).toEqual(before);
    // The first store still writes into the directory's files: what it acknowledges is there.
    await write.put(first, user('after'));
    const copy = await TenantStore.open({ file: join(crashCopy(dir), 'loki'), compactBytes: NEVER });
    expect(copy.read('users', 'uafter')?.userName).toBe('userafter@example.com');
    expect(copy.count('users')).toBe(7);
    await copy.close();
    // A clean close releases the lock: the next opener takes it.
    await first.close();
    expect(existsSync(lock)).toBe(false);
    const again = await TenantStore.open({ file, compactBytes: NEVER });
    expect(again.count('users')).toBe(7);
    await again.close();
  });

  it('through a second connector on the same directory: refused; a failed createConnector releases what it opened', async () => {
    const { dir } = fresh();
    const first = createLokiConnector({ directory: dir, exampleData: false });
    await first.open(['t1']);
    const before = state(dir);
    await refusal(createLokiConnector({ directory: dir, exampleData: false }).open());
    expect(state(dir)).toEqual(before);
    await first.close?.();
    // Tenant t1 held elsewhere: the start fails, and the default tenant's store it had opened is closed.
    const t1 = await TenantStore.open({ file: join(dir, 'loki-t1') });
    const context = {
      config: { directory: dir, exampleData: false },
      baseDir: dir,
      tenants: ['t1'],
      certsDir: dir,
      registry: new SchemaRegistry(),
      log: { debug() {}, info() {}, warn() {}, error() {} },
    };
    await refusal(createConnector(context));
    expect(existsSync(join(dir, 'loki.lock'))).toBe(false);
    await t1.close();
    await (await createConnector(context)).close?.();
  });

  it('a store that fails to open releases its lock', async () => {
    const { file, lock } = fresh();
    writeFileSync(`${file}.json`, '{"format":"something-else"}');
    await expect(TenantStore.open({ file })).rejects.toThrow(/snapshot format/);
    expect(existsSync(lock)).toBe(false);
    rmSync(`${file}.json`);
    await (await TenantStore.open({ file })).close();
  });
});

describe('a lock whose holder is gone is taken over', () => {
  it('a process of this host that no longer runs (kill -9, a crash)', async () => {
    const { file, lock } = fresh();
    plantLock(lock, here(deadPid()));
    const s = await TenantStore.open({ file });
    expect(holderOf(lock)).toMatchObject({ pid: process.pid, host: hostname() });
    await s.close();
  });

  it("this process's own pid, in a lock it does not hold (pid 1 of a restarted container)", async () => {
    const { file, lock } = fresh();
    const old = plantLock(lock, here(process.pid));
    const s = await TenantStore.open({ file });
    expect(holderOf(lock).token).not.toBe(old.token);
    await s.close();
  });

  it.skipIf(processState(process.ppid).start === undefined)(
    'a pid that runs another process (started at another time)',
    async () => {
      const { dir, file, lock } = fresh();
      // The parent of this process runs; the lock says it started at another time: not the holder.
      plantLock(lock, { ...here(process.ppid), processStart: '1' });
      await (await TenantStore.open({ file })).close();
      // With its real start time it is the holder: refused.
      plantLock(lock, { ...here(process.ppid), processStart: processState(process.ppid).start });
      const before = state(dir);
      const e = await refusal(TenantStore.open({ file }));
      expect(e.message).toContain(`process ${process.ppid} on host ${hostname()}`);
      expect(e.message).toContain(`process ${process.ppid} is running`);
      expect(state(dir)).toEqual(before);
    },
  );

  it('another host: refused while refreshed within 30 s, taken over once not refreshed for longer', async () => {
    const { dir, file, lock } = fresh();
    plantLock(lock, elsewhere, 5);
    const before = state(dir);
    const e = await refusal(TenantStore.open({ file }));
    expect(e.message).toContain(`The embedded store in ${dir} is in use`);
    expect(e.message).toContain('process 4242 on host elsewhere.example');
    expect(e.message).toMatch(/last refreshed [4-6] s ago/);
    expect(e.message).toMatch(/taken over once it has not been refreshed for 30 s/);
    expect(state(dir)).toEqual(before);
    // The same lock judged 31 s later (a clock passed in) …
    const later = StoreLock.acquire(lock, { now: () => Date.now() + 26_000 });
    expect(holderOf(lock).token).toBe(later.record.token);
    later.release();
    // … or not refreshed for 31 s.
    plantLock(lock, elsewhere, 31);
    const s = await TenantStore.open({ file });
    expect(holderOf(lock)).toMatchObject({ pid: process.pid, host: hostname() });
    await s.close();
  });

  it.skipIf(thisProcess().pidNamespace === undefined)(
    'another container of this host (another pid namespace): judged by its refresh, never by a pid seen from here',
    async () => {
      const { dir, file, lock } = fresh();
      // The same host name and pid as this process (containers sharing the host's network and name):
      // not this process, and not known to be gone.
      plantLock(lock, { ...here(process.pid), pidNamespace: 'pid:[1]' }, 2);
      const before = state(dir);
      await refusal(TenantStore.open({ file }));
      expect(state(dir)).toEqual(before);
      plantLock(lock, { ...here(process.pid), pidNamespace: 'pid:[1]' }, 31);
      await (await TenantStore.open({ file })).close();
    },
  );

  it('a lock file this release cannot read: refused while fresh, taken over once old', async () => {
    const { dir, file, lock } = fresh();
    writeFileSync(lock, '');
    const before = state(dir);
    const e = await refusal(TenantStore.open({ file }));
    expect(e.message).toContain('held by an unknown process');
    expect(state(dir)).toEqual(before);
    const t = Date.now() / 1000 - 31;
    utimesSync(lock, t, t);
    await (await TenantStore.open({ file })).close();
  });

  it('a takeover under way in another process is not raced; one a crash interrupted is passed over', async () => {
    const { dir, file, lock } = fresh();
    plantLock(lock, elsewhere, 60);
    const { ino } = statSync(lock, { bigint: true });
    const marker = takeoverMarker(lock, ino.toString(), readFileSync(lock, 'utf8'), 1);
    // Another process of this host is replacing that stale lock right now.
    writeFileSync(marker, JSON.stringify({ format: LOCK_FORMAT, token: 'x', since: '', ...here(process.ppid) }));
    const before = state(dir);
    const e = await refusal(TenantStore.open({ file }));
    expect(e.message).toContain(`process ${process.ppid} on host ${hostname()} is taking it over right now`);
    expect(state(dir)).toEqual(before);
    // It died half-way: its marker is passed over, and every marker is gone afterwards.
    writeFileSync(marker, JSON.stringify({ format: LOCK_FORMAT, token: 'x', since: '', ...here(deadPid()) }));
    const s = await TenantStore.open({ file });
    expect(holderOf(lock).pid).toBe(process.pid);
    expect(readdirSync(dir).filter((f) => f.includes('.lock.'))).toEqual([]);
    await s.close();
  });
});

describe('the holder', () => {
  it('refreshes the lock; when another process takes it over, writes are refused and nothing is compacted', async () => {
    const { dir, file, lock } = fresh();
    const lost = vi.fn();
    const s = await TenantStore.open({
      file,
      compactBytes: NEVER,
      seed: seedUsers(3),
      lock: { heartbeatMs: 20 },
      onLockLost: lost,
    });
    const t = Date.now() / 1000 - 60;
    utimesSync(lock, t, t);
    await vi.waitFor(() => expect(statSync(lock).mtimeMs).toBeGreaterThan(Date.now() - 10_000));
    // Another host judged it stale (a paused VM) and put its own in place.
    const theirs = plantLock(`${lock}.theirs`, elsewhere);
    renameSync(`${lock}.theirs`, lock);
    await vi.waitFor(() => expect(lost).toHaveBeenCalledWith(expect.any(StoreLockLostError)));
    const before = state(dir);
    await expect(write.put(s, user('late'))).rejects.toMatchObject({ status: 503 });
    expect(s.read('users', 'ulate')).toBeUndefined();
    await expect(s.compact()).rejects.toBeInstanceOf(StoreLockLostError);
    await s.close();
    expect(state(dir)).toEqual(before);
    expect(holderOf(lock).token).toBe(theirs.token);
  });

  it('a clean stop whose lock was taken before a heartbeat noticed renames nothing and leaves their lock', async () => {
    const { dir, file, lock } = fresh();
    const s = await TenantStore.open({ file, compactBytes: NEVER, seed: seedUsers(3) });
    await write.put(s, user('mine'));
    const theirs = plantLock(`${lock}.theirs`, elsewhere);
    renameSync(`${lock}.theirs`, lock);
    const before = state(dir);
    // close() compacts: the compaction finds the lock is not this store's before it touches a file.
    await s.close();
    expect(state(dir)).toEqual(before);
    expect(holderOf(lock).token).toBe(theirs.token);
  });
});

describe('a store in memory (persistence: false)', () => {
  it('takes no lock', async () => {
    const { dir } = fresh();
    const data = join(dir, 'data');
    const a = createLokiConnector({ persistence: false, directory: data });
    const b = createLokiConnector({ persistence: false, directory: data });
    await a.open(['t1']);
    await b.open(['t1']);
    expect(existsSync(data)).toBe(false);
    await a.close?.();
    await b.close?.();
  });
});

describe('in two processes', () => {
  let bundle: string;
  beforeAll(async () => {
    // The children run the store's current source, bundled (node runs no TypeScript).
    bundle = join(root, 'bundle');
    await build({
      entry: { 'hold-store': 'test/fixtures/hold-store.ts', 'race-lock': 'test/fixtures/race-lock.ts' },
      outDir: bundle,
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      config: false,
      dts: false,
      silent: true,
      noExternal: [/.*/],
    });
  }, 60_000);

  /** A child process running a fixture; `next()` is its next line on stdout (`exit <code>` once it ended). */
  function child(script: string, ...args: string[]) {
    const p = spawn(process.execPath, [join(bundle, `${script}.js`), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(p);
    const lines: string[] = [];
    const waiting: ((line: string) => void)[] = [];
    const take = (line: string) => {
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    };
    createInterface({ input: p.stdout }).on('line', take);
    const exited = new Promise<void>((resolve) =>
      p.on('exit', (code, signal) => {
        take(`exit ${code ?? signal}`);
        resolve();
      }),
    );
    const next = () =>
      new Promise<string>((resolve) => (lines.length ? resolve(lines.shift() as string) : waiting.push(resolve)));
    return { pid: p.pid as number, next, exited, send: (line: string) => p.stdin.write(`${line}\n`), process: p };
  }

  it('refused while the holder runs; after its kill -9 the next opener takes over and finds every acknowledged write', async () => {
    const { dir, file } = fresh();
    const holder = child('hold-store', file);
    expect(await holder.next()).toBe('open');
    holder.send('put 20');
    expect(await holder.next()).toBe('ok 20');
    const before = state(dir);
    const e = await refusal(TenantStore.open({ file, compactBytes: NEVER }));
    expect(e.message).toContain(`The embedded store in ${dir} is in use`);
    expect(e.message).toContain(`process ${holder.pid} on host ${hostname()}`);
    expect(e.message).toContain(`process ${holder.pid} is running`);
    expect(state(dir)).toEqual(before);
    // The holder goes on acknowledging writes, into the files in the directory.
    holder.send('put 30');
    expect(await holder.next()).toBe('ok 50');
    holder.process.kill('SIGKILL');
    await holder.exited;
    const after = await TenantStore.open({ file, compactBytes: NEVER });
    expect(after.count('users')).toBe(50);
    for (let i = 0; i < 50; i++) expect(after.read('users', `uchild${i}`), `uchild${i}`).toBeDefined();
    await after.close();
  });

  it('processes racing for one stale lock: exactly one takes it, the others are refused, nothing is left behind', async () => {
    for (let round = 0; round < 4; round++) {
      const { dir, lock } = fresh();
      plantLock(lock, elsewhere, 60);
      const racers = Array.from({ length: 6 }, () => child('race-lock', lock));
      for (const r of racers) expect(await r.next()).toBe('ready');
      const at = Date.now() + 300;
      for (const r of racers) r.send(`go ${at}`);
      const answers = await Promise.all(racers.map((r) => r.next()));
      expect(
        answers.filter((a) => a === 'won'),
        answers.join(', '),
      ).toHaveLength(1);
      expect(answers.filter((a) => a !== 'won')).toEqual(Array(5).fill('refused ESTORELOCKED'));
      const winner = racers[answers.indexOf('won')];
      expect(holderOf(lock).pid).toBe(winner?.pid);
      for (const r of racers) r.process.stdin.end();
      await Promise.all(racers.map((r) => r.exited));
      // The winner released it; no marker or temporary file remains.
      expect(readdirSync(dir)).toEqual([]);
    }
  });
});
