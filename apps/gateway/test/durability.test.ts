import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BASIC } from './helpers.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'scimgw-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function startCli(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'start', '--config', join(dir, 'config', 'connector-loki.json')], {
    cwd: dir,
    env: { ...process.env, SEED: 'durability' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

const api = (port: number, method: string, path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: BASIC, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('connector-loki durability through the real CLI', () => {
  it('every acknowledged write survives kill -9', async () => {
    const port = await freePort();
    mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(
      join(dir, 'config', 'connector-loki.json'),
      JSON.stringify({
        scimgateway: {
          port,
          auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
          log: { loglevel: { console: 'error' } },
        },
        endpoint: { directory: 'data', exampleData: true },
      }),
    );
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

    gw.kill('SIGKILL');
    await new Promise((r) => gw.once('exit', r));

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
      gw.kill('SIGTERM');
      await new Promise((r) => gw.once('exit', r));
    }
  });
});
