/**
 * A group's members are serialized once and their bytes reused while the membership is unchanged
 * (the embedded store hands out one frozen array; @scimgw/server caches its JSON). Every change must
 * show in the next read, by every route that returns the group.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC, startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway({}, { exampleData: false });
});
afterAll(() => t.stop());

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
type Member = { value: string; display?: string };

describe('big group reads after changes', () => {
  it('shows every membership change in the next read (single resource, list, .search)', async () => {
    const members: Member[] = Array.from({ length: 100 }, (_, i) => ({ value: `m${i}`, display: `Member ${i}` }));
    const c = await t.call('POST', '/Groups', { displayName: 'big-bytes', members });
    expect(c.status).toBe(201);
    const id = c.body.id as string;
    const read = async () => {
      const one = await t.call('GET', `/Groups/${id}`);
      const list = await t.call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "big-bytes"')}`);
      const search = await t.call('POST', '/Groups/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'displayName eq "big-bytes"',
      });
      expect(list.body.Resources[0].members).toEqual(one.body.members);
      expect(search.body.Resources[0].members).toEqual(one.body.members);
      return one.body.members as Member[];
    };
    const patch = async (Operations: unknown[]) =>
      expect((await t.call('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations })).status).toBeLessThan(300);

    expect(await read()).toEqual(members);
    expect(await read()).toEqual(members); // the cached bytes

    await patch([{ op: 'add', path: 'members', value: [{ value: 'new' }] }]);
    expect((await read()).map((m) => m.value)).toContain('new');

    // The same member again with another display: a changed element.
    await patch([{ op: 'add', path: 'members', value: [{ value: 'm3', display: 'Renamed' }] }]);
    expect((await read()).find((m) => m.value === 'm3')?.display).toBe('Renamed');

    // A filtered remove (applied on a copy of the members).
    await patch([{ op: 'remove', path: 'members[value eq "m4"]' }]);
    expect((await read()).map((m) => m.value)).not.toContain('m4');

    await patch([{ op: 'remove', path: 'members[value eq "m0"]' }]);
    expect((await read()).some((m) => m.value === 'm0')).toBe(false);

    // A refused write (unknown attribute in the same request) leaves the members as they were.
    const before = await read();
    const bad = await t.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: 'refused' }] },
        { op: 'replace', path: 'id', value: 'x' },
      ],
    });
    if (bad.status >= 400) expect(await read()).toEqual(before);

    await patch([{ op: 'replace', path: 'members', value: [{ value: 'only' }] }]);
    expect(await read()).toEqual([{ value: 'only' }]);
  });
});

/** GET with a chosen Host header (the origin `meta.location` and `$ref` are built from). */
function getWithHost(base: string, path: string, host: string): Promise<{ status: number; length: number; text: string }> {
  const u = new URL(base + path);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { host, authorization: BASIC } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, length: Number(res.headers['content-length']), text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('big group with typed members ($ref kept per origin)', () => {
  it('builds each member $ref from the origin of the request, and shows changes in the next read', async () => {
    const members = Array.from({ length: 100 }, (_, i) => ({ value: `t${i}`, display: `Typed ${i} é`, type: 'User' }));
    const c = await t.call('POST', '/Groups', { displayName: 'typed-bytes', members });
    expect(c.status).toBe(201);
    const id = c.body.id as string;
    const read = async (host: string) => {
      const r = await getWithHost(t.base, `/Groups/${id}`, host);
      expect(r.status).toBe(200);
      // Content-Length counts bytes of the body as sent (the cached members are UTF-8 bytes).
      expect(r.length).toBe(Buffer.byteLength(r.text, 'utf8'));
      return JSON.parse(r.text) as { meta: { location: string }; members: (Member & { $ref: string })[] };
    };
    for (const host of ['a.example:1', 'b.example:2', 'a.example:1']) {
      const g = await read(host);
      expect(g.meta.location).toBe(`http://${host}/Groups/${id}`);
      expect(g.members).toHaveLength(100);
      for (const m of g.members) expect(m.$ref).toBe(`http://${host}/Users/${m.value}`);
    }
    const patched = await t.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'late', type: 'User' }] }],
    });
    expect(patched.status).toBeLessThan(300);
    const after = await read('a.example:1');
    expect(after.members.find((m) => m.value === 'late')?.$ref).toBe('http://a.example:1/Users/late');
    expect(after.members).toHaveLength(101);
  });
});
