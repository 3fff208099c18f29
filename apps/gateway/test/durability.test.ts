import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BASIC } from './helpers.js';
import { freePort } from '@scimgw/testing-ports';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'scimgw-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts the CLI in `home`. With `fileSizeLimitKiB`, under a real file-size limit (RLIMIT_FSIZE,
 * set by the shell): a write past it stores what fits and then fails with EFBIG, as on a full disk.
 */
async function startCli(
  port: number,
  home = dir,
  fileSizeLimitKiB?: number,
  extraEnv: Record<string, string> = {},
): Promise<ChildProcess> {
  const args = [cli, 'start', '--config', join(home, 'config', 'connector-loki.json')];
  const env = { ...process.env, SEED: 'durability', ...extraEnv };
  const child =
    fileSizeLimitKiB === undefined
      ? spawn(process.execPath, args, { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(
          'bash',
          // SIGXFSZ ignored, so the write fails with EFBIG instead of killing the process.
          ['-c', `ulimit -f ${fileSizeLimitKiB}; trap '' XFSZ; exec "$0" "$@"`, process.execPath, ...args],
          { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] },
        );
  let out = '';
  child.stdout?.on('data', (c) => (out += c));
  child.stderr?.on('data', (c) => (out += c));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return child;
    } catch {}
    if (child.exitCode !== null) throw new Error(`gateway exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`gateway did not start: ${out}`);
}

/** A Loki config in `home` (persistent, nothing logged; example data only when asked for). */
function writeQuietConfig(home: string, port: number, exampleData = false): void {
  mkdirSync(join(home, 'config'));
  writeFileSync(
    join(home, 'config', 'connector-loki.json'),
    JSON.stringify({
      scimgateway: {
        port,
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
        log: { loglevel: { console: 'off', file: 'off' } },
      },
      endpoint: { directory: 'data', exampleData },
    }),
  );
}

/**
 * Each journal file under `home/data`, with the text of its records. The file is kept ahead of its
 * records with zeros: that space must hold nothing but zeros.
 */
function journalTexts(home: string): [string, string][] {
  const data = join(home, 'data');
  return readdirSync(data)
    .filter((f) => f.endsWith('.journal'))
    .map((f) => {
      const bytes = readFileSync(join(data, f));
      const nul = bytes.indexOf(0);
      const end = nul < 0 ? bytes.length : nul;
      expect(
        bytes.subarray(end).every((b) => b === 0),
        `${f}: only zeros after the records`,
      ).toBe(true);
      return [f, bytes.toString('utf8', 0, end)];
    });
}

async function stop(gw: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  gw.kill(signal);
  await new Promise((r) => gw.once('exit', r));
}

const api = (port: number, method: string, path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: BASIC, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('connector-loki durability through the real CLI', () => {
  it('every acknowledged write survives kill -9', async () => {
    const port = await freePort();
    writeQuietConfig(dir, port, true);
    let gw = await startCli(port);
    // Concurrent writes: users, and membership changes on one group.
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api(port, 'POST', '/Users', { userName: `durable${i}` }).then(async (r) => {
          expect(r.status).toBe(201);
          return ((await r.json()) as { id: string }).id;
        }),
      ),
    );
    const patches = await Promise.all(
      made.map((id) =>
        api(port, 'PATCH', '/Groups/Employees', { Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(patches.every((s) => s === 204)).toBe(true);
    const renamed = await api(port, 'PATCH', '/Users/bjensen', {
      Operations: [{ op: 'replace', path: 'displayName', value: 'After crash' }],
    });
    expect(renamed.status).toBe(200);
    expect((await api(port, 'DELETE', '/Users/jsmith')).status).toBe(204);

    await stop(gw, 'SIGKILL');

    gw = await startCli(port);
    try {
      const list = (await (
        await api(port, 'GET', `/Users?filter=${encodeURIComponent('userName sw "durable"')}&count=100`)
      ).json()) as {
        totalResults: number;
      };
      expect(list.totalResults).toBe(40);
      const group = (await (await api(port, 'GET', '/Groups/Employees')).json()) as { members: { value: string }[] };
      const ids = new Set(group.members.map((m) => m.value));
      for (const id of made) expect(ids.has(id)).toBe(true);
      expect(ids.has('jsmith')).toBe(false); // deleting a user removes its memberships
      const b = (await (await api(port, 'GET', '/Users/bjensen')).json()) as { displayName: string };
      expect(b.displayName).toBe('After crash');
      expect((await api(port, 'GET', '/Users/jsmith')).status).toBe(404);
    } finally {
      await stop(gw, 'SIGTERM');
    }
  });

  it('a full disk fails writes with 5xx, keeps the journal whole, and loses no acknowledged write', async () => {
    const home = mkdtempSync(join(dir, 'full-'));
    const port = await freePort();
    writeQuietConfig(home, port);
    let gw = await startCli(port, home, 48);
    const acknowledged: string[] = [];
    const refused: string[] = [];
    const deleted: string[] = [];
    try {
      const keeper = (await (await api(port, 'POST', '/Users', { userName: 'keeper', title: 'before' })).json()) as {
        id: string;
      };
      const group = (await (
        await api(port, 'POST', '/Groups', { displayName: 'crew', members: [{ value: keeper.id }] })
      ).json()) as {
        id: string;
      };
      // Batches of concurrent creates until the journal cannot take more; the batch that crosses the
      // limit is written partly (a torn line) before the write fails.
      for (let batch = 0; refused.length === 0 && batch < 100; batch++) {
        await Promise.all(
          Array.from({ length: 8 }, async (_, i) => {
            const userName = `full-${batch}-${i}`;
            const r = await api(port, 'POST', '/Users', { userName, title: 'x'.repeat(200) });
            if (r.status === 201) acknowledged.push(userName);
            else {
              // 503 with Retry-After, naming the cause: the client may retry, the operator sees why.
              expect(r.status).toBe(503);
              expect(r.headers.get('retry-after')).toBe('30');
              const body = (await r.json()) as { schemas: string[]; detail: string };
              expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
              expect(body.detail).toMatch(/journal could not be written \(EFBIG\)/);
              refused.push(userName);
            }
          }),
        );
      }
      expect(refused.length).toBeGreaterThan(0);
      expect(acknowledged.length).toBeGreaterThan(20);
      // The process is still up and answering.
      expect((await fetch(`http://127.0.0.1:${port}/ping`)).status).toBe(200);

      // Refused writes left nothing behind in memory: no client reads a write it was told had failed.
      // (Cutting off the torn batch gave a little space back, so the writes below are made larger
      // than what is left, or the space is used up first.)
      for (const n of refused) {
        const found = (await (await api(port, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${n}"`)}`)).json()) as {
          totalResults: number;
        };
        expect(found.totalResults, n).toBe(0);
      }
      const big = 'y'.repeat(60_000);
      const retry = await api(port, 'POST', '/Users', { userName: refused[0], title: big });
      expect(retry.status).toBe(503); // not 409: the refused create left no user behind
      const patched = await api(port, 'PATCH', `/Users/${keeper.id}`, {
        Operations: [{ op: 'replace', path: 'title', value: big }],
      });
      expect(patched.status).toBe(503);
      expect(((await (await api(port, 'GET', `/Users/${keeper.id}`)).json()) as { title: string }).title).toBe('before');
      const added = await api(port, 'PATCH', `/Groups/${group.id}`, {
        Operations: [{ op: 'add', path: 'members', value: [{ value: big }] }],
      });
      expect(added.status).toBe(503);
      // Use up what is left with the smallest records there are (deletes), until one is refused.
      for (const n of [...acknowledged]) {
        const found = (await (await api(port, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${n}"`)}`)).json()) as {
          Resources: { id: string }[];
        };
        const r = await api(port, 'DELETE', `/Users/${found.Resources[0]?.id}`);
        if (r.status === 503) break;
        expect(r.status).toBe(204);
        acknowledged.splice(acknowledged.indexOf(n), 1);
        deleted.push(n);
      }
      const removed = await api(port, 'PATCH', `/Groups/${group.id}`, {
        Operations: [{ op: 'remove', path: `members[value eq "${keeper.id}"]` }],
      });
      expect(removed.status).toBe(503);
      const crew = (await (await api(port, 'GET', `/Groups/${group.id}`)).json()) as { members: { value: string }[] };
      expect(crew.members.map((m) => m.value)).toEqual([keeper.id]);
      const gone = await api(port, 'DELETE', `/Users/${keeper.id}`);
      expect(gone.status).toBe(503);
      expect((await api(port, 'GET', `/Users/${keeper.id}`)).status).toBe(200);
      const groupsOfKeeper = (await (await api(port, 'GET', `/Users/${keeper.id}`)).json()) as { groups: { value: string }[] };
      expect(groupsOfKeeper.groups.map((g) => g.value)).toEqual([group.id]);
    } finally {
      await stop(gw, 'SIGKILL');
    }

    // The journal holds whole lines only: the torn part of the failed batch was cut off.
    const journals = journalTexts(home);
    expect(journals.length).toBeGreaterThan(0);
    for (const [f, text] of journals) {
      if (text === '') continue;
      expect(text.endsWith('\n'), f).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    }

    // Restarted without the limit: every acknowledged user is there, no refused one is.
    gw = await startCli(port, home);
    try {
      const list = (await (
        await api(port, 'GET', `/Users?filter=${encodeURIComponent('userName sw "full-"')}&count=1000&attributes=userName`)
      ).json()) as { Resources: { userName: string }[] };
      const names = new Set(list.Resources.map((u) => u.userName));
      for (const n of acknowledged) expect(names.has(n), n).toBe(true);
      for (const n of [...refused, ...deleted]) expect(names.has(n), n).toBe(false);
      // And it takes writes again.
      expect((await api(port, 'POST', '/Users', { userName: 'after-full' })).status).toBe(201);
    } finally {
      await stop(gw, 'SIGTERM');
    }
  });

  it('a failed fdatasync refuses the batch, cuts it off the journal, and a restart does not replay it', async (ctx) => {
    // A shim (fixtures/fail-fdatasync.c, loaded with LD_PRELOAD) makes fdatasync fail with EIO
    // while a marker file exists: a real sync failure in a real gateway, switched on and off.
    const home = mkdtempSync(join(dir, 'sync-'));
    const shim = join(home, 'fail-fdatasync.so');
    try {
      execFileSync('cc', ['-shared', '-fPIC', '-o', shim, join(here, 'fixtures', 'fail-fdatasync.c'), '-ldl']);
    } catch (e) {
      // Only a machine without a C compiler gets here (the CI machine has one).
      ctx.skip(`needs a C compiler for the LD_PRELOAD shim: ${(e as Error).message}`);
    }
    const marker = join(home, 'fail-now');
    const port = await freePort();
    writeQuietConfig(home, port);
    let gw = await startCli(port, home, undefined, { LD_PRELOAD: shim, SCIMGW_TEST_FAIL_FDATASYNC: marker });
    let keeperId = '';
    try {
      const keeper = await api(port, 'POST', '/Users', { userName: 'sync-keeper', title: 'before' });
      expect(keeper.status).toBe(201);
      keeperId = ((await keeper.json()) as { id: string }).id;

      writeFileSync(marker, '');
      const refused = await api(port, 'POST', '/Users', { userName: 'sync-refused' });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/\(EIO\)/);
      const patched = await api(port, 'PATCH', `/Users/${keeperId}`, {
        Operations: [{ op: 'replace', path: 'title', value: 'refused' }],
      });
      expect(patched.status).toBe(503);
      expect(((await (await api(port, 'GET', `/Users/${keeperId}`)).json()) as { title: string }).title).toBe('before');
      const none = (await (
        await api(port, 'GET', `/Users?filter=${encodeURIComponent('userName eq "sync-refused"')}`)
      ).json()) as { totalResults: number };
      expect(none.totalResults).toBe(0);

      rmSync(marker);
      expect((await api(port, 'POST', '/Users', { userName: 'sync-after' })).status).toBe(201);
    } finally {
      await stop(gw, 'SIGKILL');
    }

    // The refused batches were cut off the journal: nothing of them is left to replay.
    const journal = journalTexts(home)
      .map(([, text]) => text)
      .join('');
    expect(journal).not.toMatch(/sync-refused|"refused"/);
    expect(journal).toMatch(/sync-after/);

    gw = await startCli(port, home);
    try {
      const names = (await (
        await api(port, 'GET', `/Users?filter=${encodeURIComponent('userName sw "sync-"')}&attributes=userName`)
      ).json()) as { Resources: { userName: string }[] };
      expect(names.Resources.map((u) => u.userName).sort()).toEqual(['sync-after', 'sync-keeper']);
      expect(((await (await api(port, 'GET', `/Users/${keeperId}`)).json()) as { title: string }).title).toBe('before');
    } finally {
      await stop(gw, 'SIGTERM');
    }
  });

  it('kill -9 while compactions run under a steady stream of writes loses no acknowledged write', async () => {
    const home = mkdtempSync(join(dir, 'compacting-'));
    const port = await freePort();
    writeQuietConfig(home, port);
    // A compaction past every 64 KiB of journal (about 30 writes of these users): the store compacts
    // again and again while written, each compaction a few MiB of snapshot.
    const file = join(home, 'config', 'connector-loki.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.endpoint.compactMiB = 1 / 16;
    writeFileSync(file, JSON.stringify(config));
    const alive = new Set<string>();
    const gone = new Set<string>();
    let gw = await startCli(port, home);
    try {
      for (let round = 0; round < 3; round++) {
        let stopAt = 600 * (round + 1);
        let acked = 0;
        const writer = async (w: number) => {
          for (let i = 0; acked < stopAt; i++) {
            const r = await api(port, 'POST', '/Users', { userName: `c${round}-${w}-${i}`, title: 'x'.repeat(2000) });
            if (r.status !== 201) return; // the kill
            const id = ((await r.json()) as { id: string }).id;
            alive.add(id);
            acked++;
            if (i % 5 === 4) {
              const d = await api(port, 'DELETE', `/Users/${id}`).catch(() => undefined);
              // A delete the kill cut off may or may not have been made durable: neither set.
              alive.delete(id);
              if (d?.status !== 204) return;
              gone.add(id);
            }
          }
        };
        const writers = Array.from({ length: 10 }, (_, w) => writer(w).catch(() => {}));
        while (acked < stopAt - 100) await new Promise((r) => setTimeout(r, 5));
        await stop(gw, 'SIGKILL');
        stopAt = 0;
        await Promise.all(writers);
        // Compactions ran under the writes: the journals hold a fraction of this round's records.
        const records = journalTexts(home)
          .concat(
            readdirSync(join(home, 'data'))
              .filter((f) => f.endsWith('.journal.next'))
              .map((f) => [f, readFileSync(join(home, 'data', f), 'utf8').split('\0')[0] as string]),
          )
          .reduce((n, [, text]) => n + text.split('\n').length - 1, 0);
        expect(records).toBeLessThan(acked / 2);
        gw = await startCli(port, home);
        // Every acknowledged create is there, every acknowledged delete is not.
        const ids = new Set<string>();
        for (let start = 1; ; ) {
          const page = (await (await api(port, 'GET', `/Users?startIndex=${start}&count=1000&attributes=id`)).json()) as {
            Resources?: { id: string }[];
            totalResults: number;
          };
          const got = page.Resources ?? [];
          for (const u of got) ids.add(u.id);
          start += got.length;
          if (got.length === 0 || start > page.totalResults) break;
        }
        for (const id of alive) expect(ids.has(id), id).toBe(true);
        for (const id of gone) expect(ids.has(id), id).toBe(false);
        // Started clean: the interrupted compaction was finished at start.
        expect(readdirSync(join(home, 'data')).filter((f) => f.includes('.journal.next') || f.endsWith('.tmp'))).toEqual([]);
      }
    } finally {
      await stop(gw, 'SIGTERM');
    }
  });
});
