/**
 * The HTTP-level suite: the README's examples and the error contract, run
 * against a gateway over real sockets. It runs in-process on Node and, spawned
 * through the CLI, on Node and on Bun (runtimes.test.ts).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'vitest';
import { BASIC } from './helpers.js';

export interface HttpTarget {
  base: string;
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; headers: Headers; body: any }>;
}

export const httpCases: { name: string; run: (t: HttpTarget) => Promise<void> }[] = [
  {
    name: 'GET /ping needs no auth',
    run: async (t) => {
      const r = await fetch(`${t.base}/ping`);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('hello');
    },
  },

  {
    name: 'GET /Users lists the example users',
    run: async (t) => {
      const r = await t.call('GET', '/Users');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/application\/scim\+json/);
      expect(r.body.Resources.map((u: { userName: string }) => u.userName).sort()).toEqual(['bjensen', 'jsmith']);
    },
  },

  {
    name: 'GET /Groups lists the example groups',
    run: async (t) => {
      const r = await t.call('GET', '/Groups');
      expect(r.body.Resources.map((g: { displayName: string }) => g.displayName).sort()).toEqual(['Admins', 'Employees']);
    },
  },

  {
    name: 'GET /Users/bjensen and /Groups/Admins',
    run: async (t) => {
      const u = await t.call('GET', '/Users/bjensen');
      expect(u.status).toBe(200);
      expect(u.body.userName).toBe('bjensen');
      expect(u.body.meta.location).toBe(`${t.base.replace('127.0.0.1', '127.0.0.1')}/Users/bjensen`);
      expect(u.body.groups.map((g: { value: string }) => g.value).sort()).toEqual(['Admins', 'Employees']);
      const g = await t.call('GET', '/Groups/Admins');
      expect(g.body.members).toEqual([
        { value: 'bjensen', display: 'Babs Jensen', type: 'User', $ref: `${t.base}/Users/bjensen` },
      ]);
    },
  },

  {
    name: 'discovery documents',
    run: async (t) => {
      for (const p of ['/Schemas', '/ResourceTypes', '/ServiceProviderConfig']) expect((await t.call('GET', p)).status).toBe(200);
    },
  },

  {
    name: 'filter userName eq',
    run: async (t) => {
      const r = await t.call('GET', `/Users?filter=${encodeURIComponent('userName eq "bjensen"')}`);
      expect(r.body.totalResults).toBe(1);
    },
  },

  {
    name: 'filter emails.value co with attributes, sortBy and sortOrder',
    run: async (t) => {
      const q = new URLSearchParams({
        filter: 'emails.value co "@example.com"',
        attributes: 'userName,name.familyName,emails',
        sortBy: 'name.familyName',
        sortOrder: 'descending',
      });
      const r = await t.call('GET', `/Users?${q}`);
      expect(r.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['jsmith', 'bjensen']);
      expect(Object.keys(r.body.Resources[0]).sort()).toEqual(['emails', 'id', 'name', 'schemas', 'userName']);
      expect(r.body.Resources[0].name).toEqual({ familyName: 'Smith' });
    },
  },

  {
    name: 'filter displayName eq with excludedAttributes=members',
    run: async (t) => {
      const r = await t.call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Admins"')}&excludedAttributes=members`);
      expect(r.body.totalResults).toBe(1);
      expect(r.body.Resources[0].members).toBeUndefined();
    },
  },

  {
    name: 'filter members.value eq with attributes=id,displayName,members.value',
    run: async (t) => {
      const r = await t.call(
        'GET',
        `/Groups?filter=${encodeURIComponent('members.value eq "bjensen"')}&attributes=id,displayName,members.value`,
      );
      expect(r.body.Resources.map((g: { id: string }) => g.id).sort()).toEqual(['Admins', 'Employees']);
      expect(r.body.Resources[0].members[0]).toEqual({ value: 'bjensen' });
    },
  },

  {
    name: 'curl-style unencoded spaces and quotes in the query work',
    run: async (t) => {
      // curl sends what the README shows after shell quoting: spaces as %20, quotes as-is
      const r = await fetch(`${t.base}/Users?filter=userName%20eq%20"jsmith"`, { headers: { authorization: BASIC } });
      expect(((await r.json()) as { totalResults: number }).totalResults).toBe(1);
    },
  },

  {
    name: 'creates, patches and deletes a user end to end',
    run: async (t) => {
      const c = await t.call('POST', '/Users', { userName: 'newbie', name: { givenName: 'N', familyName: 'B' } });
      expect(c.status).toBe(201);
      expect(c.headers.get('location')).toBe(`${t.base}/Users/${c.body.id}`);
      const p = await t.call('PATCH', `/Users/${c.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      expect(p.status).toBe(200);
      expect(p.body.active).toBe(false);
      expect((await t.call('DELETE', `/Users/${c.body.id}`)).status).toBe(204);
    },
  },

  {
    name: 'malformed JSON → 400 invalidSyntax',
    run: async (t) => {
      const r = await t.call('POST', '/Users', '{"userName": ');
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        scimType: 'invalidSyntax',
        status: '400',
      });
    },
  },

  {
    name: 'unknown resource → 404',
    run: async (t) => {
      const r = await t.call('GET', '/Users/nobody');
      expect(r.status).toBe(404);
      expect(r.body.status).toBe('404');
      expect((await t.call('GET', '/Nothing/here')).status).toBe(404);
    },
  },

  {
    name: '/metrics: Prometheus text with this request counted by its route template',
    run: async (t) => {
      expect((await t.call('GET', '/Users/bjensen')).status).toBe(200);
      const r = await t.call('GET', '/metrics');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(r.body).toMatch(/^scimgw_http_requests_total\{[^}]*route="\/Users\/\{id\}"[^}]*\} \d+$/m);
      expect(r.body).toMatch(/^process_cpu_user_seconds_total\{[^}]*\} [\d.e+-]+$/m);
      expect((await t.call('GET', '/metrics', undefined, { authorization: '' })).status).toBe(401);
    },
  },

  {
    name: 'paths named like Object.prototype members → 404 SCIM errors',
    run: async (t) => {
      for (const path of ['/constructor', '/__proto__', '/toString/x', '/hasOwnProperty?filter=a']) {
        const r = await t.call('GET', path);
        expect(r.status, path).toBe(404);
        expect(r.body.schemas, path).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      }
    },
  },

  {
    name: 'wrong credentials → 401 with WWW-Authenticate',
    run: async (t) => {
      const r = await fetch(`${t.base}/Users`, {
        headers: { authorization: `Basic ${Buffer.from('gwadmin:wrong').toString('base64')}` },
      });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(((await r.json()) as { status: string }).status).toBe('401');
      const none = await fetch(`${t.base}/Users`);
      expect(none.status).toBe(401);
    },
  },

  {
    name: '/Me → 501 (RFC 7644 §3.11)',
    run: async (t) => {
      for (const path of ['/Me', '/scim/v2/Me', '/Me/']) {
        const r = await t.call('GET', path);
        expect(r.status, path).toBe(501);
        expect(r.body.status).toBe('501');
      }
      expect((await t.call('GET', '/Mine')).status).toBe(404);
    },
  },

  {
    name: 'unknown tenant → 404, for a caller allowed there only (others learn no tenant names)',
    run: async (t) => {
      const r = await t.call('GET', '/acme/Users');
      expect(r.status).toBe(404);
      expect(r.body.detail).toMatch(/acme/);
      // Without a credential, or with a wrong one, an unknown tenant answers as a known route does.
      const tries: Record<string, string>[] = [{}, { authorization: `Basic ${Buffer.from('gwadmin:wrong').toString('base64')}` }];
      for (const headers of tries) {
        const unknown = await fetch(`${t.base}/acme/Users`, { headers });
        const known = await fetch(`${t.base}/Users`, { headers });
        expect([unknown.status, known.status]).toEqual([401, 401]);
        expect(await unknown.text()).not.toMatch(/acme|tenant/i);
      }
    },
  },

  {
    name: 'body over payloadSize → 413',
    run: async (t) => {
      const r = await t.call('POST', '/Users', { userName: 'big', title: 'x'.repeat(2 * 1024 * 1024) });
      expect(r.status).toBe(413);
    },
  },

  {
    name: 'answers with the request id it was given',
    run: async (t) => {
      const r = await t.call('GET', '/Users/bjensen', undefined, { 'x-request-id': 'abc-123' });
      expect(r.headers.get('x-request-id')).toBe('abc-123');
    },
  },

  {
    name: 'every kind of answer carries a request id: 200, 201, 204, SCIM errors, 401, no endpoint',
    run: async (t) => {
      const id = (r: { headers: Headers }) => r.headers.get('x-request-id');
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const created = await t.call('POST', '/Users', { userName: 'request-id-check' });
      expect(created.status).toBe(201);
      expect(id(created)).toMatch(uuid);
      const ok = await t.call('GET', `/Users/${created.body.id}`, undefined, { 'x-request-id': 'rid-200' });
      expect([ok.status, id(ok)]).toEqual([200, 'rid-200']);
      const gone = await t.call('DELETE', `/Users/${created.body.id}`, undefined, { 'x-request-id': 'rid-204' });
      expect([gone.status, id(gone)]).toEqual([204, 'rid-204']);
      const missing = await t.call('GET', '/Users/no-such-user', undefined, { 'x-request-id': 'rid-404' });
      expect([missing.status, id(missing)]).toEqual([404, 'rid-404']);
      const bad = await t.call('POST', '/Users', { name: { givenName: 'no userName' } }, { 'x-request-id': 'rid-400' });
      expect([bad.status, id(bad)]).toEqual([400, 'rid-400']);
      const nowhere = await t.call('GET', '/NoSuchEndpoint', undefined, { 'x-request-id': 'rid-none' });
      expect([nowhere.status, id(nowhere)]).toEqual([404, 'rid-none']);
      const denied = await fetch(`${t.base}/Users`, { headers: { 'x-request-id': 'rid-401' } });
      expect([denied.status, denied.headers.get('x-request-id')]).toEqual([401, 'rid-401']);
      // A malformed id is not echoed (it would go into logs and headers as given): a fresh one is made.
      const odd = await t.call('GET', '/Users/bjensen', undefined, { 'x-request-id': 'bad id with spaces' });
      expect(id(odd)).toMatch(uuid);
    },
  },

  {
    name: 'a big group reads the same before and after its members are kept as bytes, and changes show at once',
    run: async (t) => {
      const members = Array.from({ length: 120 }, (_, i) => ({ value: `hs${i}`, display: `Mé ${i}`, type: 'User' }));
      const c = await t.call('POST', '/Groups', { displayName: `http-suite-big-${Date.now()}`, members });
      expect(c.status).toBe(201);
      const id = c.body.id as string;
      const read = async () => {
        const r = await fetch(`${t.base}/Groups/${id}`, { headers: { authorization: BASIC } });
        const bytes = Buffer.from(await r.arrayBuffer());
        expect(Number(r.headers.get('content-length'))).toBe(bytes.length);
        return JSON.parse(bytes.toString('utf8')) as { members: { value: string; display: string; $ref: string }[] };
      };
      const first = await read();
      expect(first.members[7]).toEqual({ value: 'hs7', display: 'Mé 7', type: 'User', $ref: `${t.base}/Users/hs7` });
      expect(await read()).toEqual(first);
      const p = await t.call('PATCH', `/Groups/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'remove', path: 'members[value eq "hs7"]' }],
      });
      expect(p.status).toBeLessThan(300);
      const after = await read();
      expect(after.members.map((m) => m.value)).not.toContain('hs7');
      expect(after.members).toHaveLength(119);
      expect((await t.call('DELETE', `/Groups/${id}`)).status).toBe(204);
    },
  },

  {
    name: 'MCP over Streamable HTTP: tools listed and called with the SDK client (scimgateway.mcp.enabled)',
    run: async (t) => {
      const client = new Client({ name: 'http-suite', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${t.base}/mcp`), { requestInit: { headers: { authorization: BASIC } } }),
      );
      expect((await client.listTools()).tools.map((x) => x.name)).toContain('search_users');
      const r = await client.callTool({ name: 'search_users', arguments: { filter: 'userName eq "bjensen"' } });
      expect((r.structuredContent as { Resources: { id: string }[] }).Resources.map((u) => u.id)).toEqual(['bjensen']);
      await client.close();
    },
  },
];
