import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createLokiConnector } from '../src/index.js';
import { crashCopy } from './store-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'loki-write-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ctx = { requestId: 't', principal: { name: 'test', method: 'basic' } };
const PATCH = ['urn:ietf:params:scim:api:messages:2.0:PatchOp'];
let n = 0;

async function open(directory: string) {
  const connector = createLokiConnector({ directory, exampleData: false });
  const scim = createScimHandler({ connector });
  const call = async (method: string, url: string, body?: unknown) => {
    const r = await scim.handle({
      method,
      url,
      body: body === undefined ? undefined : JSON.stringify(body),
      origin: 'http://x',
      context: ctx,
    });
    return { status: r.status, body: r.body as Record<string, unknown> };
  };
  return { connector, call };
}

describe('connector-loki write path', () => {
  it('a PATCH that keeps the userName skips no uniqueness rule: renaming onto another user is still 409', async () => {
    const s = await open(join(root, `u${++n}`));
    const a = (await s.call('POST', '/Users', { userName: 'alice' })).body.id as string;
    const b = (await s.call('POST', '/Users', { userName: 'bob' })).body.id as string;
    const patch = (id: string, path: string, value: unknown) =>
      s.call('PATCH', `/Users/${id}`, { schemas: PATCH, Operations: [{ op: 'replace', path, value }] });
    expect((await patch(b, 'title', 'boss')).status).toBe(200);
    const taken = await patch(b, 'userName', 'ALICE');
    expect(taken.status).toBe(409);
    expect(taken.body.scimType).toBe('uniqueness');
    expect((await s.call('GET', `/Users/${b}`)).body).toMatchObject({ userName: 'bob', title: 'boss' });
    // Its own name in another case is its own.
    expect((await patch(a, 'userName', 'Alice')).status).toBe(200);
    expect((await s.call('GET', `/Users?filter=${encodeURIComponent('userName eq "alice"')}`)).body.totalResults).toBe(1);
    await s.connector.close?.();
  });

  it('whatever a create or PATCH stores is what the journal brings back after a crash', async () => {
    // Documents go to the journal as the JSON text the table stored of them: any values, any keys.
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(',"userName":"', '{"id":"', '\u0001', '"', '\\', 'é'));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(text, { minLength: 1, maxLength: 4 }), text, async (names, title) => {
        const dir = join(root, `p${++n}`);
        const s = await open(dir);
        const ids: string[] = [];
        for (const userName of names) {
          const r = await s.call('POST', '/Users', { userName: `u${userName}`, displayName: title, name: { givenName: title } });
          expect(r.status).toBe(201);
          ids.push(r.body.id as string);
        }
        const p = await s.call('PATCH', `/Users/${ids[0]}`, {
          schemas: PATCH,
          Operations: [{ op: 'replace', path: 'title', value: title }],
        });
        expect(p.status).toBe(200);
        const before = await Promise.all(ids.map((id) => s.call('GET', `/Users/${id}`)));
        // No clean close (that writes a snapshot from memory): the next store replays the journal.
        const again = await open(crashCopy(dir));
        const after = await Promise.all(ids.map((id) => again.call('GET', `/Users/${id}`)));
        expect(after).toEqual(before);
        await again.connector.close?.();
        await s.connector.close?.();
      }),
      { numRuns: 25 },
    );
  });

  it('a put record is one JSON line holding the document with its id first', async () => {
    const dir = join(root, `j${++n}`);
    const s = await open(dir);
    const id = (await s.call('POST', '/Users', { userName: 'journaled', active: true })).body.id as string;
    const files = readFileSync(join(dir, 'loki.journal'), 'utf8').replace(/\0+$/, '').trim().split('\n');
    const rec = JSON.parse(files[files.length - 1] as string);
    expect(rec).toMatchObject({ k: 'put', c: 'users', doc: { id, userName: 'journaled', active: true } });
    expect(Object.keys(rec.doc)[0]).toBe('id');
    await s.connector.close?.();
  });

  it("a write's answer shows the user's groups, and neither the journal nor later reads keep them", async () => {
    const dir = join(root, `g${++n}`);
    const s = await open(dir);
    const id = (await s.call('POST', '/Users', { userName: 'member' })).body.id as string;
    const gid = (await s.call('POST', '/Groups', { displayName: 'crew', members: [{ value: id }] })).body.id as string;
    const patched = await s.call('PATCH', `/Users/${id}`, {
      schemas: PATCH,
      Operations: [{ op: 'replace', path: 'title', value: 'x' }],
    });
    expect(patched.body.groups).toEqual([{ value: gid, display: 'crew', type: 'direct', $ref: `http://x/Groups/${gid}` }]);
    const journal = readFileSync(join(dir, 'loki.journal'), 'utf8').replace(/\0+$/, '').trim().split('\n');
    const put = JSON.parse(journal[journal.length - 1] as string);
    expect(put).toMatchObject({ k: 'put', c: 'users', doc: { id, title: 'x' } });
    expect(put.doc.groups).toBeUndefined();
    // The user leaves the group: no read, before or after a restart, shows it any more.
    await s.call('PATCH', `/Groups/${gid}`, {
      schemas: PATCH,
      Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }],
    });
    expect((await s.call('GET', `/Users/${id}`)).body.groups).toBeUndefined();
    // A restart from what is on disk.
    const again = await open(crashCopy(dir));
    expect((await again.call('GET', `/Users/${id}`)).body).toMatchObject({ id, title: 'x' });
    expect((await again.call('GET', `/Users/${id}`)).body.groups).toBeUndefined();
    await again.connector.close?.();
    await s.connector.close?.();
  });
});
