/**
 * What reaches the service: filters and page windows pushed down where the configuration says the
 * service can do them, every page read where it can't, and membership changed one member at a time
 * (a member added to a 5,000-member group never reads the group).
 */
import type { ServerResponse } from 'node:http';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clearStores,
  connectorFor,
  type Example,
  type ExampleServer,
  exampleEndpoint,
  merge,
  startExampleServer,
} from './helpers.js';

let server: ExampleServer;
/** SOAP bodies the server received, by operation. */
const bodies = new Map<string, string[]>();
const operationOf = (headers: Record<string, unknown>) =>
  String(headers.soapaction ?? '')
    .replace(/"/g, '')
    .split(/[/#]/)
    .pop() ?? '';

beforeAll(async () => {
  server = await startExampleServer({
    port: 0,
    onRequest: (req: { body: string; headers: Record<string, unknown> }, _res: ServerResponse) => {
      const op = operationOf(req.headers);
      if (op) bodies.set(op, [...(bodies.get(op) ?? []), req.body]);
      return false;
    },
  });
});
afterEach(() => {
  bodies.clear();
  clearStores(server);
});
afterAll(() => server?.close());

const count = (op: string) => bodies.get(op)?.length ?? 0;
const enc = encodeURIComponent;

async function handler(which: Example, patch: Record<string, unknown> = {}): Promise<ScimHandler> {
  const { connector } = await connectorFor(merge(exampleEndpoint(which, server.origin), patch));
  return createScimHandler({ connector });
}
const call = async (h: ScimHandler, method: string, url: string, body?: unknown) => {
  const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { ...res, body: res.body as Record<string, any> };
};

function seedUsers(n: number) {
  for (let i = 0; i < n; i++) {
    const id = `u${String(i).padStart(4, '0')}`;
    server.store.directory.users.set(id, { id, userName: `user${i}`, title: i % 2 ? 'odd' : 'even' });
  }
}

describe('queries', () => {
  it('pushes userName eq and the page window to the search operation', async () => {
    seedUsers(5);
    const h = await handler('document');
    const r = await call(h, 'GET', `/Users?filter=${enc('userName eq "USER3"')}&startIndex=1&count=10`);
    expect([r.status, r.body.totalResults, r.body.Resources[0].id]).toEqual([200, 1, 'u0003']);
    expect(count('searchUsers')).toBe(1);
    expect(bodies.get('searchUsers')?.[0]).toMatch(/<attribute>userName<\/attribute><value>USER3<\/value>.*<count>10<\/count>/);
  });

  it('pushes an extension attribute listed in search.attributes', async () => {
    seedUsers(3);
    (server.store.directory.users.get('u0001') as Record<string, unknown>).employeeNumber = '42';
    const ent = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber';
    const endpoint = exampleEndpoint('document', server.origin) as { operations: { user: { search: { attributes: string[] } } } };
    endpoint.operations.user.search.attributes = ['id', 'userName', ent];
    const h = createScimHandler({ connector: (await connectorFor(endpoint)).connector });
    const r = await call(h, 'GET', `/Users?filter=${enc(`${ent} eq "42"`)}`);
    expect([r.body.totalResults, r.body.Resources[0].id]).toEqual([1, 'u0001']);
    expect(count('searchUsers')).toBe(1);
    expect(bodies.get('searchUsers')?.[0]).toMatch(/<attribute>employeeNumber<\/attribute><value>42<\/value>/);
  });

  it('pages a plain list at the service, totals from it', async () => {
    seedUsers(25);
    const h = await handler('document');
    const r = await call(h, 'GET', '/Users?startIndex=11&count=5');
    expect([r.body.totalResults, r.body.startIndex, r.body.itemsPerPage]).toEqual([25, 11, 5]);
    expect(r.body.Resources.map((u: { id: string }) => u.id)).toEqual(['u0010', 'u0011', 'u0012', 'u0013', 'u0014']);
    expect(count('searchUsers')).toBe(1);
    expect(bodies.get('searchUsers')?.[0]).toMatch(/<startIndex>11<\/startIndex><count>5<\/count>/);
  });

  it('reads every page (pageSize) when the core needs everything, and filters what the service can’t', async () => {
    seedUsers(10);
    const h = await handler('document', { operations: { user: { list: { pageSize: 3 } } } });
    const r = await call(h, 'GET', `/Users?filter=${enc('title eq "odd"')}`);
    expect(r.body.totalResults).toBe(5);
    expect(r.body.Resources.every((u: { title: string }) => u.title === 'odd')).toBe(true);
    // 10 records in pages of 3: 4 calls, the last short.
    expect(count('searchUsers')).toBe(4);
  });

  it('without a search operation, a filter is answered from the list (rpc/encoded)', async () => {
    const h = await handler('rpc');
    for (const n of ['a', 'b', 'c']) expect((await call(h, 'POST', '/Users', { userName: `rpc.${n}` })).status).toBe(201);
    const r = await call(h, 'GET', `/Users?filter=${enc('userName eq "rpc.b"')}`);
    expect([r.body.totalResults, r.body.Resources[0].userName]).toEqual([1, 'rpc.b']);
    const page = await call(h, 'GET', '/Users?startIndex=2&count=1');
    expect([page.body.totalResults, page.body.Resources.length]).toEqual([3, 1]);
  });

  it('reads one resource through search (by id) when there is no get operation', async () => {
    seedUsers(3);
    const h = await handler('document', { operations: { user: { get: undefined } } });
    const r = await call(h, 'GET', '/Users/u0002');
    expect([r.status, r.body.userName]).toEqual([200, 'user2']);
    expect((await call(h, 'GET', '/Users/nope')).status).toBe(404);
    expect(count('getUser')).toBe(0);
    expect(bodies.get('searchUsers')?.[0]).toMatch(/<attribute>id<\/attribute><value>u0002<\/value>/);
  });

  it('finds the groups of a member through the search operation (members.value eq)', async () => {
    seedUsers(2);
    const h = await handler('document');
    const g = await call(h, 'POST', '/Groups', { displayName: 'G1', members: [{ value: 'u0001' }] });
    await call(h, 'POST', '/Groups', { displayName: 'G2' });
    const r = await call(h, 'GET', `/Groups?filter=${enc('members.value eq "u0001"')}&excludedAttributes=members`);
    expect([r.body.totalResults, r.body.Resources[0].id, r.body.Resources[0].members]).toEqual([1, g.body.id, undefined]);
    expect(bodies.get('searchGroups')?.at(-1)).toMatch(/<attribute>member<\/attribute><value>u0001<\/value>/);
  });
});

describe('valueMap allowlists', () => {
  it('groups outside the allowlist are invisible: not listed, 404 to read, change or delete', async () => {
    const endpoint = exampleEndpoint('document', server.origin) as { map: { group: Record<string, Record<string, unknown>> } };
    endpoint.map.group.displayName = { mapTo: 'displayName', valueMap: { 'APP-Admins': 'Admins' } };
    const h = createScimHandler({ connector: (await connectorFor(endpoint)).connector });
    server.store.directory.groups.set('g1', { id: 'g1', displayName: 'APP-Admins', member: new Set() });
    server.store.directory.groups.set('g2', { id: 'g2', displayName: 'Payroll', member: new Set() });
    const list = await call(h, 'GET', '/Groups');
    expect(list.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Admins']);
    expect((await call(h, 'GET', '/Groups/g2')).status).toBe(404);
    bodies.clear();
    expect((await call(h, 'DELETE', '/Groups/g2')).status).toBe(404);
    expect(count('deleteGroup')).toBe(0);
    const rename = await call(h, 'PATCH', '/Groups/g2', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Admins' }],
    });
    expect(rename.status).toBe(404);
    expect(count('modifyGroup')).toBe(0);
    expect(server.store.directory.groups.has('g2')).toBe(true);
    expect((await call(h, 'DELETE', '/Groups/g1')).status).toBe(204);
  });
});

describe('messages', () => {
  it('speaks SOAP 1.2 when the service says so (envelope namespace and content type)', async () => {
    const types: string[] = [];
    const own = await startExampleServer({
      port: 0,
      onRequest: (req: { body: string; headers: Record<string, unknown> }) => {
        if (req.body.includes('Envelope'))
          types.push(`${String(req.headers['content-type'])} ${/xmlns:soap="([^"]+)"/.exec(req.body)?.[1]}`);
        return false;
      },
    });
    const { connector } = await connectorFor(
      merge(exampleEndpoint('document', own.origin), { services: { directory: { soap12: true } } }),
    );
    const h = createScimHandler({ connector });
    const u = await call(h, 'POST', '/Users', { userName: 'soap12' });
    expect([u.status, (await call(h, 'GET', `/Users/${u.body.id}`)).body.userName]).toEqual([201, 'soap12']);
    expect((await call(h, 'GET', '/Users/none')).status).toBe(404);
    expect(types[0]).toBe(
      'application/soap+xml; charset=utf-8; action="urn:example:scimgw:directory/createUser" http://www.w3.org/2003/05/soap-envelope',
    );
    await connector.close?.();
    await own.close();
  });

  it('lists elements in the order of the WSDL sequence (soap does), whatever the order of the mapping', async () => {
    const endpoint = exampleEndpoint('document', server.origin) as { map: { user: Record<string, unknown> } };
    endpoint.map.user = Object.fromEntries(Object.entries(endpoint.map.user).reverse());
    const h = createScimHandler({ connector: (await connectorFor(endpoint)).connector });
    const r = await call(h, 'POST', '/Users', {
      userName: 'ordered',
      password: 'Pw-123456',
      emails: [{ type: 'work', value: 'o@example.com' }],
      name: { familyName: 'F', givenName: 'G' },
      active: true,
    });
    expect(r.status).toBe(201);
    const body = bodies.get('createUser')?.[0] ?? '';
    const at = (tag: string) => body.indexOf(`<${tag}>`);
    const order = ['userName', 'active', 'name', 'givenName', 'familyName', 'email', 'password'].map(at);
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe.each([
  ['document', 'addGroupMember', 'removeGroupMember', ['getGroup', 'searchGroups', 'modifyGroup', 'replaceGroup']],
  ['rpc', 'assignUserToGroup', 'removeUserFromGroup', ['lookupRole', 'listRoles', 'saveRole']],
] as [Example, string, string, string[]][])('membership (%s)', (which, add, remove, reads) => {
  it('adding and removing one member of a 5,000-member group sends one call each and reads nothing', async () => {
    const h = await handler(which);
    const u = await call(h, 'POST', '/Users', { userName: `member.${which}` });
    const g = await call(h, 'POST', '/Groups', { displayName: `big.${which}` });
    const big = [...Array.from({ length: 5000 }, (_, i) => `x${i}`)];
    if (which === 'document') for (const m of big) server.store.directory.groups.get(g.body.id)?.member.add(m);
    else for (const m of big) server.store.legacy.roles.get(g.body.id)?.members.add(m);
    bodies.clear();
    const patch = (ops: unknown[]) =>
      call(h, 'PATCH', `/Groups/${g.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
    expect((await patch([{ op: 'add', path: 'members', value: [{ value: u.body.id }] }])).status).toBe(204);
    expect((await patch([{ op: 'remove', path: `members[value eq "${'x42'}"]` }])).status).toBe(204);
    expect(count(add)).toBe(1);
    expect(count(remove)).toBe(1);
    for (const op of reads) expect(count(op), op).toBe(0);
    const members =
      which === 'document'
        ? server.store.directory.groups.get(g.body.id)?.member
        : server.store.legacy.roles.get(g.body.id)?.members;
    expect([members?.size, members?.has(u.body.id), members?.has('x42')]).toEqual([5000, true, false]);
  });

  it('replace members [] reads the members once and removes each', async () => {
    const h = await handler(which);
    const a = await call(h, 'POST', '/Users', { userName: `a.${which}` });
    const b = await call(h, 'POST', '/Users', { userName: `b.${which}` });
    const g = await call(h, 'POST', '/Groups', {
      displayName: `g.${which}`,
      members: [{ value: a.body.id }, { value: b.body.id }],
    });
    bodies.clear();
    const r = await call(h, 'PATCH', `/Groups/${g.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'members', value: [{ value: b.body.id }] }],
    });
    expect(r.status).toBe(204);
    expect([count(add), count(remove)]).toEqual([0, 1]);
    const got = await call(h, 'GET', `/Groups/${g.body.id}`);
    expect(got.body.members.map((m: { value: string }) => m.value)).toEqual([b.body.id]);
  });
});
