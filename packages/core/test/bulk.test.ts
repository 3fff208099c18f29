import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { URN } from '../src/index.js';
import { createScimHandler } from '../src/handler/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ schemas: [URN.BulkRequest], Operations, ...extra });

function handler(maxOperations = 10, maxPayloadSize = 100_000) {
  return createScimHandler({ connector: memoryConnector({ withModify: true }), bulk: { maxOperations, maxPayloadSize } });
}

type BulkBody = {
  schemas: string[];
  Operations: {
    method: string;
    bulkId?: string;
    status: string;
    location?: string;
    version?: string;
    response?: { scimType?: string; status?: string };
  }[];
};

describe('Bulk (RFC 7644 §3.7)', () => {
  it('resolves bulkId references in values and paths, in dependency order', async () => {
    const h = handler();
    const res = await h.handle({
      method: 'POST',
      url: '/Bulk',
      origin: 'https://gw',
      body: bulk([
        // The group comes first but references users created later in the request.
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g1',
          data: { displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:u1' }, { value: 'bulkId:u2' }] },
        },
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [URN.User], userName: 'alice' } },
        { method: 'POST', path: '/Users', bulkId: 'u2', data: { userName: 'bob' } },
        { method: 'PATCH', path: '/Users/bulkId:u2', data: { Operations: [{ op: 'replace', path: 'title', value: 'Guide' }] } },
        { method: 'DELETE', path: '/Users/bulkId:u1' },
      ]),
    });
    expect(res.status).toBe(200);
    const body = res.body as BulkBody;
    expect(body.schemas).toEqual([URN.BulkResponse]);
    expect(body.Operations.map((o) => o.status)).toEqual(['201', '201', '201', '200', '204']);
    expect(body.Operations[0]?.location).toMatch(/^https:\/\/gw\/Groups\//);
    expect(body.Operations[0]?.version).toMatch(/^W\//);
    expect(body.Operations[3]?.location).toMatch(/^https:\/\/gw\/Users\/user-/);
    const gid = body.Operations[0]?.location?.split('/').pop();
    const group = await h.handle({ method: 'GET', url: `/Groups/${gid}` });
    const members = (group.body as { members: { value: string }[] }).members.map((m) => m.value);
    // u1 was deleted last, and left the group; an unresolved `bulkId:u1` would have stayed.
    expect(members).toEqual([body.Operations[2]?.location?.split('/').pop()]);
    expect(members.some((m) => m.startsWith('bulkId:'))).toBe(false);
  });

  it('answers 409 for circular references and for references to failed operations', async () => {
    const res = await handler().handle({
      method: 'POST',
      url: '/Bulk',
      body: bulk([
        { method: 'POST', path: '/Groups', bulkId: 'a', data: { displayName: 'A', members: [{ value: 'bulkId:b' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'b', data: { displayName: 'B', members: [{ value: 'bulkId:a' }] } },
        { method: 'POST', path: '/Users', bulkId: 'bad', data: { displayName: 'no userName' } },
        { method: 'PATCH', path: '/Users/bulkId:bad', data: { Operations: [{ op: 'add', path: 'title', value: 'x' }] } },
        { method: 'POST', path: '/Users', bulkId: 'ok', data: { userName: 'fine' } },
      ]),
    });
    const ops = (res.body as BulkBody).Operations;
    expect(ops.map((o) => o.status)).toEqual(['409', '409', '400', '409', '201']);
    expect(ops[2]?.response?.scimType).toBe('invalidValue');
  });

  it('stops after failOnErrors errors', async () => {
    const res = await handler().handle({
      method: 'POST',
      url: '/Bulk',
      body: bulk(
        [
          { method: 'POST', path: '/Users', bulkId: '1', data: {} },
          { method: 'POST', path: '/Users', bulkId: '2', data: {} },
          { method: 'POST', path: '/Users', bulkId: '3', data: { userName: 'never' } },
        ],
        { failOnErrors: 2 },
      ),
    });
    expect((res.body as BulkBody).Operations.map((o) => o.status)).toEqual(['400', '400']);
  });

  it('refuses failOnErrors below 1 (it would run nothing and answer 200)', async () => {
    const h = handler();
    const one = [{ method: 'POST', path: '/Users', bulkId: 'z', data: { userName: 'zero' } }];
    for (const failOnErrors of [0, -1, 1.5, 'x']) {
      const r = await h.handle({ method: 'POST', url: '/Bulk', body: bulk(one, { failOnErrors }) });
      expect(r.status, String(failOnErrors)).toBe(400);
      expect((r.body as { scimType: string }).scimType).toBe('invalidValue');
    }
    const list = await h.handle({ method: 'GET', url: '/Users?filter=userName%20eq%20%22zero%22' });
    expect((list.body as { totalResults: number }).totalResults).toBe(0);
    const ran = await h.handle({ method: 'POST', url: '/Bulk', body: bulk(one, { failOnErrors: 1 }) });
    expect((ran.body as BulkBody).Operations.map((o) => o.status)).toEqual(['201']);
  });

  it('a reference is a whole value or a whole path segment; text containing "bulkId:" is a value', async () => {
    const h = handler();
    const res = await h.handle({
      method: 'POST',
      url: '/Bulk',
      origin: 'https://gw',
      body: bulk([
        { method: 'POST', path: '/Users', bulkId: '42', data: { userName: 'ref-target' } },
        // Not references: the ticket number stays as written, and nothing waits on a bulkId "42 x".
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'n',
          data: { userName: 'notes', nickName: 'ticket bulkId:42', title: 'see bulkId:nope' },
        },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: { displayName: 'G', members: [{ value: 'bulkId:42' }] } },
      ]),
    });
    const ops = (res.body as BulkBody).Operations;
    expect(ops.map((o) => o.status)).toEqual(['201', '201', '201']);
    const id = (op: number) => ops[op]?.location?.split('/').pop();
    const notes = (await h.handle({ method: 'GET', url: `/Users/${id(1)}` })).body as Record<string, unknown>;
    expect(notes.nickName).toBe('ticket bulkId:42');
    expect(notes.title).toBe('see bulkId:nope');
    const group = (await h.handle({ method: 'GET', url: `/Groups/${id(2)}` })).body as { members: { value: string }[] };
    expect(group.members.map((m) => m.value)).toEqual([id(0)]);
  });

  it('property: a value that is not a whole reference reaches the resource as sent', async () => {
    const h = handler();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }).filter((t) => !t.startsWith('bulkId:')),
        fc.constantFrom('', 'x ', 'bulkId:', 'a/bulkId:'),
        async (text, prefix) => {
          const value = prefix + text;
          fc.pre(!value.startsWith('bulkId:'));
          const res = await h.handle({
            method: 'POST',
            url: '/Bulk',
            origin: 'https://gw',
            body: bulk([{ method: 'POST', path: '/Users', bulkId: `p${++n}`, data: { userName: `prop${n}`, nickName: value } }]),
          });
          const op = (res.body as BulkBody).Operations[0];
          expect(op?.status).toBe('201');
          const got = await h.handle({ method: 'GET', url: `/Users/${op?.location?.split('/').pop()}` });
          expect((got.body as { nickName?: string }).nickName).toBe(value);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('enforces maxOperations (413) and advertises maxPayloadSize (which the host enforces as it reads the body)', async () => {
    const h = handler(2, 300);
    const spc = (await h.handle({ method: 'GET', url: '/ServiceProviderConfig' })).body as { bulk: unknown };
    expect(spc.bulk).toEqual({ supported: true, maxOperations: 2, maxPayloadSize: 300 });
    const three = [1, 2, 3].map((i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { userName: `u${i}` } }));
    expect((await h.handle({ method: 'POST', url: '/Bulk', body: bulk(three) })).status).toBe(413);
    const off = createScimHandler({ connector: memoryConnector() });
    expect((await off.handle({ method: 'POST', url: '/Bulk', body: bulk([]) })).status).toBe(501);
  });

  it('names the resource of every operation but a failed POST, failures included (RFC 7644 §3.7.3)', async () => {
    const h = handler();
    const res = await h.handle({
      method: 'POST',
      url: '/Bulk',
      origin: 'https://gw.example',
      body: bulk([
        {
          method: 'PATCH',
          path: '/Users/nobody',
          data: { schemas: [URN.PatchOp], Operations: [{ op: 'add', path: 'title', value: 'x' }] },
        },
        { method: 'DELETE', path: '/Users/nobody' },
        { method: 'POST', path: '/Users', bulkId: 'p', data: {} },
      ]),
    });
    const ops = (res.body as BulkBody).Operations;
    expect(ops.map((o) => [o.status, o.location])).toEqual([
      ['404', 'https://gw.example/Users/nobody'],
      ['404', 'https://gw.example/Users/nobody'],
      ['400', undefined],
    ]);
  });

  it('rejects malformed Bulk requests with invalidSyntax', async () => {
    const h = handler();
    for (const b of [
      '{}',
      bulk([{ method: 'GET', path: '/Users' }]),
      bulk([{ method: 'POST', path: 'Users', bulkId: 'x' }]),
      bulk([{ method: 'POST', path: '/Users' }]),
      bulk([{ method: 'POST', path: '/Bulk', bulkId: 'x', data: {} }]),
    ]) {
      const r = await h.handle({ method: 'POST', url: '/Bulk', body: b });
      const inner = (r.body as BulkBody).Operations?.[0]?.response?.scimType;
      expect(r.status === 400 ? (r.body as { scimType: string }).scimType : inner, b).toBe('invalidSyntax');
    }
    const dup = await h.handle({
      method: 'POST',
      url: '/Bulk',
      body: bulk([
        { method: 'POST', path: '/Users', bulkId: 'd', data: { userName: 'a' } },
        { method: 'POST', path: '/Users', bulkId: 'd', data: { userName: 'b' } },
      ]),
    });
    expect((dup.body as { scimType: string }).scimType).toBe('invalidValue');
  });
});
