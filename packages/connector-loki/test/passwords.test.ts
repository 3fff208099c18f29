/**
 * A client's password never reaches the store's files: every write that can carry one (create,
 * PATCH, PUT, a path-less replace, an import of the older plugin's database) is walked, and the
 * journal and snapshot are searched for it, before and after compaction and a restart.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScimHandler } from '@scimgw/core/handler';
import { afterAll, describe, expect, it } from 'vitest';
import { createLokiConnector } from '../src/index.js';
import { OLDER_USERS, writeOlderLokiDb } from './legacy-fixture.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fresh(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Every byte the store wrote under `dir`, as text. */
function filesUnder(dir: string): string {
  let all = '';
  for (const f of readdirSync(dir, { recursive: true })) {
    try {
      all += readFileSync(join(dir, String(f)), 'latin1');
    } catch {}
  }
  return all;
}

describe('passwords are not stored', () => {
  const dir = fresh('loki-pw-');
  const secrets = ['Create-Secret-1', 'Patch-Secret-2', 'Put-Secret-3', 'Pathless-Secret-4'];

  it('create, PATCH, PUT and a path-less replace accept a password and write none of it', async () => {
    const c = createLokiConnector({ directory: dir, exampleData: false });
    await c.open();
    const h = createScimHandler({ connector: c });
    const send = async (method: string, url: string, body: unknown) =>
      h.handle({ method, url, body: JSON.stringify(body) }) as Promise<{ status: number; body: Record<string, unknown> }>;
    const created = await send('POST', '/Users', { userName: 'pw.user', password: secrets[0], displayName: 'P' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const ops = [
      await send('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'password', value: secrets[1] }],
      }),
      await send('PUT', `/Users/${id}`, { userName: 'pw.user', password: secrets[2], displayName: 'Q' }),
      await send('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { password: secrets[3] } }] }),
    ];
    expect(ops.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const r of [created, ...ops]) expect(r.body.password).toBeUndefined();
    // The rest of each write was kept.
    expect((await c.resources.User?.get?.(id, {}, {}))?.displayName).toBe('Q');
    expect((await c.resources.User?.get?.(id, {}, {}))?.password).toBeUndefined();
    const journal = filesUnder(dir);
    for (const s of secrets) expect(journal).not.toContain(s);
    await c.close?.();
    // Compacted into the snapshot on close, and read again on a restart.
    const after = filesUnder(dir);
    expect(after).toContain('pw.user');
    for (const s of secrets) expect(after).not.toContain(s);
    const again = createLokiConnector({ directory: dir, exampleData: false });
    await again.open();
    expect((await again.resources.User?.get?.(id, {}, {}))?.password).toBeUndefined();
    await again.close?.();
  });

  it('an imported database of the older plugin loses its passwords, keeps the rest', async () => {
    const d = fresh('loki-pw-import-');
    const file = join(d, 'loki.db');
    await writeOlderLokiDb(file, [
      { ...(OLDER_USERS[0] as object), password: 'Older-Plain-Secret' } as never,
      OLDER_USERS[1] as never,
    ]);
    expect(readFileSync(file, 'utf8')).toContain('Older-Plain-Secret');
    const c = createLokiConnector({ directory: join(d, 'data'), entity: { undefined: { importLokiFile: file } } });
    await c.open();
    const b = await c.resources.User?.get?.('bjensen', {}, {});
    expect(b).toMatchObject({ userName: 'bjensen', name: { givenName: 'Barbara' } });
    expect(b?.password).toBeUndefined();
    await c.close?.();
    expect(filesUnder(join(d, 'data'))).not.toContain('Older-Plain-Secret');
  });
});
