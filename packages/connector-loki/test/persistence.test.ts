import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScimHandler } from '@scimgw/core/handler';
import { afterAll, describe, expect, it } from 'vitest';
import { createLokiConnector } from '../src/index.js';
import { crashCopy } from './store-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'loki-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx = { requestId: 't', principal: { name: 'test', method: 'basic' } };

async function open(directory = dir) {
  const connector = createLokiConnector({ directory, exampleData: false });
  const scim = createScimHandler({ connector });
  const call = async (method: string, url: string, body?: unknown) =>
    scim.handle({ method, url, body: body === undefined ? undefined : JSON.stringify(body), origin: 'http://x', context: ctx });
  return { connector, call };
}

describe('connector-loki: what is acknowledged is what comes back after a restart', () => {
  it('re-adding a member with a new display is journaled, not only changed in memory', async () => {
    const own = mkdtempSync(join(dir, 're-add-'));
    let s = await open(own);
    const g = await s.call('POST', '/Groups', { displayName: 'crew', members: [{ value: 'u1', display: 'Old Name' }] });
    expect(g.status).toBe(201);
    const id = (g.body as { id: string }).id;
    const p = await s.call('PATCH', `/Groups/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'New Name' }, { value: 'u2' }] }],
    });
    expect(p.status).toBeLessThan(300);
    const before = await s.call('GET', `/Groups/${id}`);
    // A crash now: no clean close (which would write a snapshot from memory); a second store reads
    // what is on disk, the snapshot and the journal.
    const crashed = s;
    s = await open(crashCopy(own));
    const after = await s.call('GET', `/Groups/${id}`);
    expect((after.body as { members: unknown[] }).members).toEqual((before.body as { members: unknown[] }).members);
    expect((after.body as { members: { value: string; display?: string }[] }).members).toContainEqual({
      value: 'u1',
      display: 'New Name',
    });
    await s.connector.close?.();
    await crashed.connector.close?.();
  });

  it('removing members by filter (Entra ID: members[value eq "…"]) is journaled; value compares case-exactly', async () => {
    const own = mkdtempSync(join(dir, 'remove-'));
    let s = await open(own);
    const g = await s.call('POST', '/Groups', {
      displayName: 'removals',
      members: [{ value: 'm1' }, { value: 'm2' }, { value: 'm3' }, { value: 'M4' }],
    });
    const id = (g.body as { id: string }).id;
    const remove = (path: string) =>
      s.call('PATCH', `/Groups/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'remove', path }],
      });
    expect((await remove('members[value eq "m2"]')).status).toBeLessThan(300);
    expect((await remove('members[value eq "m4"]')).status).toBeLessThan(300); // stored as M4: stays
    expect((await remove('members[value eq "absent"]')).status).toBeLessThan(300);
    const members = (body: unknown) => (body as { members?: { value: string }[] }).members?.map((m) => m.value);
    expect(members((await s.call('GET', `/Groups/${id}`)).body)).toEqual(['m1', 'm3', 'M4']);
    expect((await remove('members[value eq "m1" or value eq "M4"]')).status).toBeLessThan(300);
    expect(members((await s.call('GET', `/Groups/${id}`)).body)).toEqual(['m3']);
    const crashed = s;
    s = await open(crashCopy(own));
    expect(members((await s.call('GET', `/Groups/${id}`)).body)).toEqual(['m3']);
    await s.connector.close?.();
    await crashed.connector.close?.();
  });

  it('a crash that tore the first record after a snapshot does not stop the next start', async () => {
    const own = mkdtempSync(join(dir, 'torn-'));
    let s = await open(own);
    expect((await s.call('POST', '/Users', { userName: 'before-crash' })).status).toBe(201);
    await s.connector.close?.(); // snapshot written, journal emptied
    // The gateway died half-way through writing the next record: the journal holds part of a line.
    appendFileSync(join(own, 'loki.journal'), '{"k":"put","c":"users","doc":{"id":"torn","userName":"never-acknowledged","ti');
    s = await open(own);
    expect((await s.call('POST', '/Users', { userName: 'after-restart' })).status).toBe(201);
    // Another crash (no clean close): the next start reads that journal. It used to hold the new
    // record glued to the torn bytes, one corrupt line, and the store refused to open.
    const crashed = s;
    s = await open(crashCopy(own));
    const names = await s.call('GET', '/Users?attributes=userName');
    expect((names.body as { Resources: { userName: string }[] }).Resources.map((u) => u.userName).sort()).toEqual([
      'after-restart',
      'before-crash',
    ]);
    await s.connector.close?.();
    await crashed.connector.close?.();
  });

  it('endpoint.preallocateMiB sets how far the journal file runs ahead of its records; 0 appends', async () => {
    for (const [preallocateMiB, size] of [
      [0.25, 256 * 1024],
      [0, undefined],
    ] as const) {
      const own = mkdtempSync(join(dir, 'pre-'));
      const connector = createLokiConnector({ directory: own, exampleData: false, preallocateMiB });
      const scim = createScimHandler({ connector });
      const r = await scim.handle({
        method: 'POST',
        url: '/Users',
        body: JSON.stringify({ userName: 'sized' }),
        origin: 'http://x',
        context: ctx,
      });
      expect(r.status).toBe(201);
      const journal = join(own, 'loki.journal');
      const records = readFileSync(journal).indexOf(0);
      expect(statSync(journal).size).toBe(size ?? readFileSync(journal).length);
      if (size === undefined) expect(records).toBe(-1);
      else expect(records).toBeGreaterThan(0);
      await connector.close?.();
    }
  });

  it('a wrong size in the endpoint config fails at creation, naming its path', () => {
    expect(() => createLokiConnector({ directory: dir, preallocateMiB: -1 })).toThrow(
      /endpoint\.preallocateMiB: must be a non-negative/,
    );
    expect(() => createLokiConnector({ directory: dir, compactMiB: 0 })).toThrow(/endpoint\.compactMiB: must be a positive/);
    expect(() => createLokiConnector({ directory: dir, compactMiB: '64' as unknown as number })).toThrow(/endpoint\.compactMiB/);
  });
});

describe('connector-loki: If-Match is a condition of the write itself (capabilities.etag)', () => {
  it('a stale version answers 412 and changes nothing; * matches any existing resource', async () => {
    const s = await open(mkdtempSync(join(tmpdir(), 'loki-ifmatch-')));
    const u = await s.call('POST', '/Users', { userName: 'etag-user' });
    const id = (u.body as { id: string }).id;
    const v1 = u.headers.etag as string;
    const patch = (ifMatch: string, title: string) =>
      s.connector.resources.User?.modify?.(id, [{ op: 'replace', path: { attr: 'title' }, value: title }], { ifMatch });
    // Straight to the connector: no read by the core in between, so the store alone must decide.
    await patch(v1, 'first');
    await expect(patch(v1, 'second')).rejects.toMatchObject({ status: 412 });
    await expect(s.connector.resources.User?.delete?.(id, { ifMatch: v1 })).rejects.toMatchObject({ status: 412 });
    const now = await s.call('GET', `/Users/${id}`);
    expect((now.body as { title: string }).title).toBe('first');
    await patch('*', 'third');
    expect(((await s.call('GET', `/Users/${id}`)).body as { title: string }).title).toBe('third');
    // Through the handler too: the same stale tag is a 412, the current one a 200.
    const h = createScimHandler({ connector: s.connector });
    const withTag = (tag: string) =>
      h.handle({
        method: 'PATCH',
        url: `/Users/${id}`,
        headers: { 'if-match': tag },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: 'x' }],
        }),
      });
    expect((await withTag(v1)).status).toBe(412);
    const current = (await s.call('GET', `/Users/${id}`)).headers.etag as string;
    expect((await withTag(current)).status).toBe(200);
    await s.connector.close?.();
  });
});
