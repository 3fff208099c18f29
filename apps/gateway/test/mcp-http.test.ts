/**
 * The MCP server on a real gateway, over Streamable HTTP with the MCP SDK's own client: tools from
 * what the gateway serves (a custom schema file included), every tool against the embedded store,
 * the gateway's own credentials with their read-only flag and tenants, dry runs, destructive tools,
 * the rate limit, and logs without secrets.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const ADMIN_TOKEN = 'mcp-admin-token-4f1c2b9a77';
const READER_TOKEN = 'mcp-reader-token-8d0e11c3aa';
const ACME_TOKEN = 'mcp-acme-token-52c9f0d1be';
const PASSWORD = 'Pl3ase-never-log-me!';
const JWT_SECRET = 'mcp-jwt-hmac-secret-0123456789abcdef';

/** An HS256 JWT, written by hand so the test does not rely on the code it checks. */
function hs256(claims: Record<string, unknown>): string {
  const b64u = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ iat: now, exp: now + 600, ...claims })}`;
  return `${head}.${createHmac('sha256', JWT_SECRET).update(head).digest('base64url')}`;
}

type Structured = Record<string, any>;
const structured = (r: unknown): Structured => (r as { structuredContent: Structured }).structuredContent;

let schemasDir: string;
let t: TestGateway;

async function connect(gw: TestGateway, authorization: string | undefined, tenant = ''): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.base}${tenant}/mcp`), {
    requestInit: { headers: authorization ? { authorization } : {} },
  });
  await client.connect(transport);
  return client;
}

beforeAll(async () => {
  schemasDir = mkdtempSync(join(tmpdir(), 'mcp-schemas-'));
  const file = join(schemasDir, 'acme-schemas.json');
  writeFileSync(
    file,
    JSON.stringify({
      schemas: [
        {
          id: ACME,
          name: 'AcmeUser',
          description: 'Acme employee data',
          'x-agent-schema': { instructions: 'Badge numbers come from the security desk' },
          attributes: [
            { name: 'badgeNumber', type: 'integer', description: 'Printed on the badge', 'x-agent-schema': { examples: [4711] } },
          ],
        },
      ],
      extensions: { User: [ACME] },
    }),
  );
  t = await startGateway(
    {
      log: { loglevel: { console: 'debug', file: 'off' }, colorize: false },
      scim: { customSchemas: file },
      auth: {
        basic: [{ username: 'gwadmin', password: 'password' }],
        bearerOAuth: [{ clientId: 'mcp-client', clientSecret: 'mcp-client-secret-0b1c', readOnly: true }],
        bearerJwt: [{ secret: JWT_SECRET, options: { issuer: 'mcp-test-issuer' } }],
        bearerToken: [
          { token: ADMIN_TOKEN, name: 'agent-admin' },
          { token: READER_TOKEN, name: 'agent-reader', readOnly: true },
          { token: ACME_TOKEN, name: 'agent-acme', baseEntities: ['acme'] },
        ],
      },
      mcp: { enabled: true, destructiveTools: true, rateLimit: false },
    },
    { entity: { acme: {}, other: {} } },
  );
});
afterAll(async () => {
  await t.stop();
  rmSync(schemasDir, { recursive: true, force: true });
});

describe('tools generated from what the gateway serves', () => {
  it('lists the tools, with a custom schema attribute and its x-agent-schema hints', async () => {
    const client = await connect(t, `Bearer ${ADMIN_TOKEN}`);
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toEqual(
      expect.arrayContaining([
        'search_users',
        'get_user',
        'create_user',
        'update_user',
        'deactivate_user',
        'delete_user',
        'search_groups',
        'add_group_members',
        'remove_group_members',
      ]),
    );
    const create = tools.find((x) => x.name === 'create_user');
    const acme = (create?.inputSchema.properties as Structured | undefined)?.user.properties[ACME];
    expect(acme.description).toContain('Badge numbers come from the security desk');
    expect(acme.properties.badgeNumber).toMatchObject({ type: 'integer', examples: [4711] });
    expect(acme.properties.badgeNumber.description).toContain('Printed on the badge');
    // The same hints are served under /Schemas for any SCIM client.
    const schema = await t.call('GET', `/Schemas/${ACME}`);
    expect(schema.body['x-agent-schema']).toEqual({ instructions: 'Badge numbers come from the security desk' });
    await client.close();
  });
});

describe('every tool against the embedded store', () => {
  it('creates, reads, searches, updates, deactivates, changes membership and deletes', async () => {
    const client = await connect(t, `Bearer ${ADMIN_TOKEN}`);
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError, `${name}: ${JSON.stringify(r)}`).toBeFalsy();
      return structured(r);
    };
    const user = (await call('create_user', { user: { userName: 'mcp.http', password: PASSWORD, [ACME]: { badgeNumber: 12 } } }))
      .created;
    expect(user.meta.location).toBe(`${t.base}/scim/v2/Users/${user.id}`);
    expect((await call('get_user', { id: user.id }))[ACME]).toEqual({ badgeNumber: 12 });
    expect((await call('search_users', { filter: `${ACME}:badgeNumber eq 12` })).totalResults).toBe(1);
    await call('update_user', { id: user.id, replace: { title: 'Agent' } });
    await call('deactivate_user', { id: user.id });
    const stored = await t.call('GET', `/Users/${user.id}`);
    expect(stored.body).toMatchObject({ title: 'Agent', active: false });
    const group = (await call('create_group', { group: { displayName: 'MCP crew' } })).created;
    await call('update_group', { id: group.id, replace: { displayName: 'MCP crew 2' } });
    await call('add_group_members', { id: group.id, members: [user.id] });
    expect((await call('get_group', { id: group.id })).members.map((m: { value: string }) => m.value)).toEqual([user.id]);
    expect((await call('search_groups', { filter: 'displayName eq "MCP crew 2"' })).totalResults).toBe(1);
    await call('remove_group_members', { id: group.id, members: [user.id] });
    expect((await t.call('GET', `/Groups/${group.id}`)).body.members ?? []).toEqual([]);
    await call('delete_group', { id: group.id });
    await call('delete_user', { id: user.id });
    expect((await t.call('GET', `/Users/${user.id}`)).status).toBe(404);
    expect((await call('search_roles', {})).totalResults).toBeGreaterThan(0);
    const ent = (await call('search_entitlements', { count: 1 })).Resources[0];
    expect((await call('get_entitlement', { id: ent.id })).id).toBe(ent.id);
    const role = (await call('search_roles', { count: 1 })).Resources[0];
    expect((await call('get_role', { id: role.id })).id).toBe(role.id);
    await client.close();
  });

  it('answers malformed input with a clear error and changes nothing', async () => {
    const client = await connect(t, `Bearer ${ADMIN_TOKEN}`);
    const r = await client.callTool({ name: 'create_user', arguments: { user: { userNme: 'typo' } } });
    expect(r.isError).toBe(true);
    expect(structured(r).error).toMatch(
      /^invalid arguments for create_user: user\.userName: is required.*user\.userNme: unknown key \(did you mean "userName"\?\)/,
    );
    expect((await t.call('GET', '/Users?filter=userName%20eq%20%22typo%22')).body.totalResults).toBe(0);
    await client.close();
  });

  it('dry runs change nothing', async () => {
    const client = await connect(t, `Bearer ${ADMIN_TOKEN}`);
    const before = await t.call('GET', '/Users/bjensen');
    const users = (await t.call('GET', '/Users?count=0')).body.totalResults;
    for (const [name, args] of [
      ['create_user', { user: { userName: 'dry.http' } }],
      ['update_user', { id: 'bjensen', replace: { title: 'Changed' } }],
      ['deactivate_user', { id: 'bjensen' }],
      ['delete_user', { id: 'bjensen' }],
      ['remove_group_members', { id: 'Admins', members: ['bjensen'] }],
    ] as const) {
      const r = await client.callTool({ name, arguments: { ...args, dryRun: true } });
      expect(r.isError, `${name}: ${JSON.stringify(r)}`).toBeFalsy();
      expect(structured(r).dryRun).toBe(true);
    }
    const upd = await client.callTool({
      name: 'update_user',
      arguments: { id: 'bjensen', replace: { title: 'Changed' }, dryRun: true },
    });
    expect(structured(upd).wouldChange).toEqual({ title: { before: 'Tour Guide', after: 'Changed' } });
    expect((await t.call('GET', '/Users/bjensen')).body).toEqual(before.body);
    expect((await t.call('GET', '/Users?count=0')).body.totalResults).toBe(users);
    expect((await t.call('GET', '/Groups/Admins')).body.members.map((m: { value: string }) => m.value)).toContain('bjensen');
    await client.close();
  });
});

describe('the gateway decides who may do what', () => {
  it('refuses a request without a credential with 401 and a challenge', async () => {
    const res = await fetch(`${t.base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
    await expect(connect(t, 'Bearer wrong-token-123456')).rejects.toThrow();
  });

  it('accepts a JWT and a token of the OAuth endpoint, with the principal and read-only flag they carry', async () => {
    const jwt = await connect(t, `Bearer ${hs256({ iss: 'mcp-test-issuer', sub: 'jwt-agent' })}`);
    const made = await jwt.callTool({ name: 'create_user', arguments: { user: { userName: 'by.jwt' } } });
    expect(made.isError, JSON.stringify(made)).toBeFalsy();
    await jwt.close();
    const tok = await fetch(`${t.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=mcp-client&client_secret=mcp-client-secret-0b1c',
    });
    const { access_token } = (await tok.json()) as { access_token: string };
    const oauth = await connect(t, `Bearer ${access_token}`);
    expect(structured(await oauth.callTool({ name: 'get_user', arguments: { id: 'bjensen' } })).id).toBe('bjensen');
    const refused = await oauth.callTool({ name: 'deactivate_user', arguments: { id: 'bjensen' } });
    expect(structured(refused)).toMatchObject({ status: 405 });
    await oauth.close();
    const lines = t
      .logs()
      .split('\n')
      .filter((l) => l.includes('"mcp tool call"'))
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.principal === 'jwt-agent' && l.tool === 'create_user')).toBe(true);
    expect(lines.some((l) => l.principal === 'mcp-client' && l.tool === 'deactivate_user' && l.status === 405)).toBe(true);
    expect(t.logs()).not.toContain(access_token);
  });

  it('a read-only token reads, and is refused every write, dry runs included', async () => {
    const client = await connect(t, `Bearer ${READER_TOKEN}`);
    expect(structured(await client.callTool({ name: 'get_user', arguments: { id: 'bjensen' } })).userName).toBe('bjensen');
    expect(structured(await client.callTool({ name: 'search_users', arguments: { count: 1 } })).totalResults).toBeGreaterThan(0);
    const before = await t.call('GET', '/Users/bjensen');
    for (const [name, args] of [
      ['create_user', { user: { userName: 'ro.try' } }],
      ['create_user', { user: { userName: 'ro.try' }, dryRun: true }],
      ['update_user', { id: 'bjensen', replace: { title: 'No' } }],
      ['deactivate_user', { id: 'bjensen' }],
      ['delete_user', { id: 'bjensen' }],
      ['add_group_members', { id: 'Admins', members: ['jsmith'] }],
      ['remove_group_members', { id: 'Admins', members: ['bjensen'] }],
    ] as const) {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError, name).toBe(true);
      expect(structured(r), name).toMatchObject({ status: 405, detail: 'this credential is read-only' });
    }
    expect((await t.call('GET', '/Users/bjensen')).body).toEqual(before.body);
    expect((await t.call('GET', '/Users?filter=userName%20eq%20%22ro.try%22')).body.totalResults).toBe(0);
    await client.close();
  });

  it('a tenant-scoped token works in its tenant and cannot reach another', async () => {
    await expect(connect(t, `Bearer ${ACME_TOKEN}`)).rejects.toThrow(/403/);
    await expect(connect(t, `Bearer ${ACME_TOKEN}`, '/other')).rejects.toThrow(/403/);
    const client = await connect(t, `Bearer ${ACME_TOKEN}`, '/acme');
    const r = await client.callTool({ name: 'create_user', arguments: { user: { userName: 'acme.only' } } });
    expect(r.isError, JSON.stringify(r)).toBeFalsy();
    const id = structured(r).created.id;
    expect(structured(r).created.meta.location).toBe(`${t.base}/acme/scim/v2/Users/${id}`);
    expect((await t.call('GET', `/acme/Users/${id}`)).status).toBe(200);
    expect((await t.call('GET', `/other/Users/${id}`)).status).toBe(404);
    expect((await t.call('GET', `/Users/${id}`)).status).toBe(404);
    const found = structured(await client.callTool({ name: 'search_users', arguments: { filter: 'userName eq "acme.only"' } }));
    expect(found.totalResults).toBe(1);
    await client.close();
    // An unknown tenant is not found, as for SCIM.
    const unknown = await fetch(`${t.base}/nowhere/mcp`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(unknown.status).toBe(404);
  });

  it('logs every tool call with its principal, and no secret', async () => {
    const client = await connect(t, `Bearer ${ADMIN_TOKEN}`);
    const r = await client.callTool({
      name: 'create_user',
      arguments: { user: { userName: 'logged.user', password: PASSWORD } },
    });
    expect(r.isError).toBeFalsy();
    await client.close();
    const logs = t.logs();
    const lines = logs
      .split('\n')
      .filter((l) => l.includes('"mcp tool call"'))
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.tool === 'create_user' && l.principal === 'agent-admin' && l.outcome === 'ok')).toBe(true);
    // The SCIM request of the tool call is logged like any other, with the principal.
    const scimLines = logs
      .split('\n')
      .filter((l) => l.includes('"POST"') && l.includes('"/scim/v2/Users"') && l.includes('agent-admin'));
    expect(scimLines.length).toBeGreaterThan(0);
    for (const secret of [PASSWORD, ADMIN_TOKEN, READER_TOKEN, ACME_TOKEN]) expect(logs).not.toContain(secret);
  });
});

describe('configuration', () => {
  it('without destructiveTools: no delete or remove-member tools; rate limit per principal; /mcp absent when disabled', async () => {
    const gw = await startGateway({
      auth: { bearerToken: [{ token: ADMIN_TOKEN, name: 'agent' }] },
      mcp: { enabled: true, rateLimit: { maxCalls: 3, windowSeconds: 3600 } },
    });
    const off = await startGateway({ auth: { bearerToken: [{ token: ADMIN_TOKEN }] } });
    const v1 = await startGateway({
      auth: { bearerToken: [{ token: ADMIN_TOKEN }] },
      scim: { version: '1.1' },
      mcp: { enabled: true },
    });
    try {
      const client = await connect(gw, `Bearer ${ADMIN_TOKEN}`);
      const names = (await client.listTools()).tools.map((x) => x.name);
      expect(names).toContain('create_user');
      expect(names.filter((n) => n.startsWith('delete_') || n.startsWith('remove_'))).toEqual([]);
      const err = await client.callTool({ name: 'delete_user', arguments: { id: 'bjensen' } }).catch((e: Error) => e);
      expect(String(err)).toMatch(/Unknown tool "delete_user"/);
      for (let i = 0; i < 3; i++)
        expect((await client.callTool({ name: 'get_user', arguments: { id: 'bjensen' } })).isError).toBeFalsy();
      const limited = await client.callTool({ name: 'get_user', arguments: { id: 'bjensen' } });
      expect(limited.isError).toBe(true);
      expect(structured(limited)).toMatchObject({ status: 429 });
      await client.close();
      const res = await fetch(`${off.base}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(404);
      // A gateway speaking SCIM 1.1 on unversioned paths: the tools still read and write 2.0.
      const old = await connect(v1, `Bearer ${ADMIN_TOKEN}`);
      const found = structured(await old.callTool({ name: 'search_users', arguments: { filter: 'userName eq "bjensen"' } }));
      expect(found).toMatchObject({ totalResults: 1, Resources: [{ id: 'bjensen' }] });
      const made = await old.callTool({
        name: 'create_user',
        arguments: { user: { userName: 'v1.user', emails: [{ value: 'v1@example.com' }] } },
      });
      expect(made.isError, JSON.stringify(made)).toBeFalsy();
      const back = await v1.call('GET', `/Users/${structured(made).created.id}`, undefined, {
        authorization: `Bearer ${ADMIN_TOKEN}`,
      });
      expect(back.body).toMatchObject({ schemas: ['urn:scim:schemas:core:1.0'], userName: 'v1.user' });
      await old.close();
    } finally {
      await gw.stop();
      await off.stop();
      await v1.stop();
    }
  });
});
