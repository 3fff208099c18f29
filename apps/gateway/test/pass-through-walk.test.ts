/**
 * `auth.passThrough` walked: every route × method × credential (the gateway's own user, a
 * credential the backend accepts, one it refuses, a token nobody knows), on a gateway whose
 * connector checks passed-through credentials, and on a chaining gateway whose next gateway does.
 * A passed-through credential is good only where something checks it: SCIM and API requests reach
 * the judge with it; the gateway's own routes (/logger, /metrics, /auth) refuse it, as nothing there
 * could check it; discovery documents (no data) are answered. Every refusal of a passed-through
 * credential, by the backend or by the route, counts toward the failed-login limit: past it the
 * address gets 429 and the backend is not asked again. A gateway whose connector checks nothing
 * refuses to start with pass-through on. Over MCP, each tool call carries the credential and its
 * refusals count the same.
 */
import { type Connector, CORE_VERSION, defineConnector, errors, type RequestContext, type ResourceHandler } from '@scimgw/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TEST_BASIC_AUTH, type TestGateway } from '../src/testing.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ACCEPTED = basic('backend-user', 'right');
const CREDENTIALS = {
  local: TEST_BASIC_AUTH,
  accepted: ACCEPTED,
  refused: basic('backend-user', 'wrong'),
  token: 'Bearer not.a.known.token',
} as const;
type Credential = keyof typeof CREDENTIALS;

/** A connector that checks passed-through credentials as a backend would, counting what it was asked. */
function judgingConnector(passThroughAuth: NonNullable<Connector['passThroughAuth']> = true): {
  connector: Connector;
  asked: () => number;
  /** Calls on a tenant it does not check, with a passed-through credential or as its principal. */
  unchecked: () => string[];
} {
  let asked = 0;
  const unchecked: string[] = [];
  const judge = (ctx: RequestContext) => {
    asked += 1;
    const checks = typeof passThroughAuth === 'function' ? passThroughAuth(ctx.tenant) : passThroughAuth;
    if (!checks && (ctx.authorization !== undefined || ctx.principal?.method === 'passThrough'))
      unchecked.push(`${ctx.tenant} ${ctx.principal?.method}`);
    // The gateway's own users arrive without a credential (the gateway checked them itself).
    if (ctx.authorization !== undefined && ctx.authorization !== ACCEPTED)
      throw new errors.UnauthorizedError('The backend refused these credentials');
  };
  const user = (id: string) => ({ id, userName: id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] });
  const group = (id: string) => ({ id, displayName: id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'] });
  const handler = (make: (id: string) => Record<string, unknown>): ResourceHandler => ({
    async query(_q, ctx) {
      judge(ctx);
      return { resources: [make('a')], totalResults: 1 };
    },
    async get(id, ctx) {
      judge(ctx);
      return make(id);
    },
    async create(resource, ctx) {
      judge(ctx);
      return { ...resource, id: 'new' };
    },
    async replace(id, resource, ctx) {
      judge(ctx);
      return { ...resource, id };
    },
    async modify(id, _changes, ctx) {
      judge(ctx);
      return make(id);
    },
    async delete(_id, ctx) {
      judge(ctx);
    },
  });
  const connector = defineConnector({
    name: 'judging',
    coreVersion: `^${CORE_VERSION}`,
    passThroughAuth,
    resources: { User: handler(user), Group: handler(group) },
    host: {
      api: {
        async get(id, _q, ctx) {
          judge(ctx);
          return { id: id ?? null };
        },
        async post(body, ctx) {
          judge(ctx);
          return body;
        },
      },
    },
  });
  return { connector, asked: () => asked, unchecked: () => unchecked };
}

/** The gateway's own user, and pass-through for everything else. */
const AUTH = { basic: [{ username: 'gwadmin', password: 'password' }], passThrough: { enabled: true } };

/** A gateway with pass-through on over `connector`, its failed-login limit at `maxFailures`. */
const judgingGateway = (
  connector: Connector,
  maxFailures: number,
  scimgateway: Record<string, unknown> = {},
  endpoint: Record<string, unknown> = {},
) =>
  startTestGateway({
    name: 'connector-judging',
    scimgateway: { auth: AUTH, rateLimit: { maxFailures, windowSeconds: 60 }, ...scimgateway },
    endpoint,
    connector: () => connector,
  });

const PATCH = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'userName', value: 'b' }],
};
const BULK = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
  Operations: [{ method: 'POST', path: '/Users', bulkId: 'b1', data: { userName: 'bulk' } }],
};
const SEARCH = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "a"' };

/** Every route of the gateway with a method it takes, and what reaches the connector with it. */
const ROUTES: { method: string; path: string; body?: unknown; kind: 'scim' | 'api' | 'discovery' | 'own' }[] = [
  { method: 'GET', path: '/Users', kind: 'scim' },
  { method: 'GET', path: '/Users/a', kind: 'scim' },
  { method: 'POST', path: '/Users', body: { userName: 'n' }, kind: 'scim' },
  { method: 'PUT', path: '/Users/a', body: { userName: 'a' }, kind: 'scim' },
  { method: 'PATCH', path: '/Users/a', body: PATCH, kind: 'scim' },
  { method: 'DELETE', path: '/Users/a', kind: 'scim' },
  { method: 'GET', path: '/Groups', kind: 'scim' },
  { method: 'GET', path: '/Groups/a', kind: 'scim' },
  { method: 'POST', path: '/Groups', body: { displayName: 'g' }, kind: 'scim' },
  { method: 'DELETE', path: '/Groups/a', kind: 'scim' },
  { method: 'POST', path: '/Users/.search', body: SEARCH, kind: 'scim' },
  { method: 'POST', path: '/.search', body: SEARCH, kind: 'scim' },
  { method: 'POST', path: '/Bulk', body: BULK, kind: 'scim' },
  { method: 'GET', path: '/v2/Users', kind: 'scim' },
  { method: 'GET', path: '/api', kind: 'api' },
  { method: 'GET', path: '/api/x', kind: 'api' },
  { method: 'POST', path: '/api', body: { a: 1 }, kind: 'api' },
  { method: 'GET', path: '/Schemas', kind: 'discovery' },
  { method: 'GET', path: '/ResourceTypes', kind: 'discovery' },
  { method: 'GET', path: '/ServiceProviderConfig', kind: 'discovery' },
  { method: 'GET', path: '/logger', kind: 'own' },
  { method: 'GET', path: '/metrics', kind: 'own' },
  { method: 'GET', path: '/auth', kind: 'own' },
];

/** One request; `/logger` is a stream: its status is enough. */
async function send(
  gw: TestGateway,
  r: (typeof ROUTES)[number],
  authorization: string,
  tenant?: string,
): Promise<{ status: number; challenge: string | null; bodyText: string }> {
  const ac = new AbortController();
  const res = await fetch(gw.base + (tenant === undefined ? '' : `/${tenant}`) + r.path, {
    method: r.method,
    headers: { authorization, ...(r.body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
    ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
    signal: ac.signal,
  });
  const bodyText = r.path === '/logger' && res.status === 200 ? '' : await res.text();
  ac.abort();
  return { status: res.status, challenge: res.headers.get('www-authenticate'), bodyText };
}

/** What a credential must get on a route of a gateway whose connector judges passed-through credentials. */
function expected(kind: (typeof ROUTES)[number]['kind'], credential: Credential): 'served' | 'refused' {
  if (credential === 'local' || kind === 'discovery') return 'served';
  if (credential === 'accepted') return kind === 'own' ? 'refused' : 'served';
  return 'refused';
}

describe('a connector that checks passed-through credentials', () => {
  let gw: TestGateway;
  let asked: () => number;
  beforeAll(async () => {
    const j = judgingConnector();
    asked = j.asked;
    // A limit high enough for the whole walk: the limit itself is checked below.
    gw = await judgingGateway(j.connector, 1000, { metrics: { enabled: true } });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const cases = ROUTES.flatMap((r) =>
    (Object.keys(CREDENTIALS) as Credential[]).map((c) => [`${r.method} ${r.path}`, c, r] as const),
  );
  it.each(cases)('%s with the %s credential', async (_name, credential, route) => {
    const before = asked();
    const got = await send(gw, route, CREDENTIALS[credential]);
    const want = expected(route.kind, credential);
    if (want === 'refused' && route.path === '/Bulk') {
      // Bulk answers 200 with each operation's status (RFC 7644 §3.7): every one refused.
      expect(got.status).toBe(200);
      expect(got.bodyText).toContain('"status":"401"');
    } else if (want === 'refused') {
      expect(got.status, got.bodyText).toBe(401);
      expect(got.challenge).toMatch(/Basic realm=/);
      expect(got.bodyText).toContain('"status":"401"');
      // A route that would serve it unchecked never calls the connector.
      if (route.kind === 'own') expect(asked()).toBe(before);
    } else {
      expect(got.status, got.bodyText).toBeLessThan(400);
      // A Bulk answer carries each operation's status: the backend accepted it.
      if (route.path === '/Bulk') expect(got.bodyText).not.toContain('"status":"401"');
    }
    if (credential === 'refused' && (route.kind === 'scim' || route.kind === 'api')) expect(asked()).toBeGreaterThan(before);
  });

  it('Bulk operations the backend refuses count as a refusal, though the Bulk answer itself is 200', async () => {
    const gw2 = await judgingGateway(judgingConnector().connector, 2);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await send(gw2, { method: 'POST', path: '/Bulk', body: BULK, kind: 'scim' }, CREDENTIALS.refused);
        expect(r.status).toBe(200);
        expect(r.bodyText).toContain('"status":"401"');
      }
      expect((await send(gw2, { method: 'GET', path: '/Users', kind: 'scim' }, CREDENTIALS.accepted)).status).toBe(429);
    } finally {
      await gw2.stop();
    }
  });
});

describe('a connector that checks passed-through credentials on some tenants only', () => {
  // "judged" signs in to its backend with the caller's credentials; the default tenant and "own"
  // with an account of the gateway's, where a passed-through credential would be checked by nothing.
  const TENANTS = [undefined, 'judged', 'own'] as const;
  let gw: TestGateway;
  let j: ReturnType<typeof judgingConnector>;
  beforeAll(async () => {
    j = judgingConnector((tenant) => tenant === 'judged');
    gw = await judgingGateway(
      j.connector,
      10_000,
      { metrics: { enabled: true } },
      { entity: { undefined: {}, judged: {}, own: {} } },
    );
  });
  afterAll(async () => {
    await gw?.stop();
  });

  // /metrics is the gateway's, not a tenant's: /<tenant>/metrics is no endpoint.
  const cases = TENANTS.flatMap((tenant) =>
    ROUTES.filter((r) => tenant === undefined || r.path !== '/metrics').flatMap((r) =>
      (Object.keys(CREDENTIALS) as Credential[]).map(
        (c) => [String(tenant ?? 'default'), `${r.method} ${r.path}`, c, r, tenant] as const,
      ),
    ),
  );
  it.each(cases)('tenant %s: %s with the %s credential', async (_t, _name, credential, route, tenant) => {
    const before = j.asked();
    const got = await send(gw, route, CREDENTIALS[credential], tenant);
    // Where the connector does not check, a credential the gateway does not know is no credential,
    // as with pass-through off: even discovery documents are refused to it.
    const want = tenant === 'judged' || credential === 'local' ? expected(route.kind, credential) : 'refused';
    if (want === 'refused' && route.path === '/Bulk' && tenant === 'judged') {
      expect(got.status).toBe(200);
      expect(got.bodyText).toContain('"status":"401"');
    } else if (want === 'refused') {
      expect(got.status, got.bodyText).toBe(401);
      expect(got.challenge).toMatch(/Basic realm=/);
      if (tenant !== 'judged') expect(j.asked()).toBe(before);
    } else {
      expect(got.status, got.bodyText).toBeLessThan(400);
    }
    expect(j.unchecked()).toEqual([]);
  });

  it('says at startup on which tenants a passed-through credential is refused', () => {
    expect(gw.logs()).toMatch(
      /auth\.passThrough: judging checks passed-through credentials only on some tenants; on the default tenant, \\"own\\" its backend is signed in to with an account of the gateway's/,
    );
  });

  it('refuses to start when pass-through is limited to tenants where the connector checks nothing', async () => {
    await expect(
      judgingGateway(
        judgingConnector((tenant) => tenant === 'judged').connector,
        10,
        { auth: { ...AUTH, passThrough: { enabled: true, baseEntities: ['own'] } } },
        { entity: { judged: {}, own: {} } },
      ),
    ).rejects.toThrow(/scimgateway\.auth\.passThrough\.baseEntities: pass-through is limited to "own", where judging checks no/);
    // Limited to where it checks: starts, and says nothing of the others.
    const ok = await judgingGateway(
      judgingConnector((tenant) => tenant === 'judged').connector,
      10,
      { auth: { ...AUTH, passThrough: { enabled: true, baseEntities: ['judged'] } } },
      { entity: { judged: {}, own: {} } },
    );
    try {
      expect(ok.logs()).not.toMatch(/only on some tenants/);
      expect((await send(ok, ROUTES[0] as (typeof ROUTES)[number], CREDENTIALS.accepted, 'judged')).status).toBe(200);
      // Outside its baseEntities a passed-through credential is refused by the tenant scope (403).
      expect((await send(ok, ROUTES[0] as (typeof ROUTES)[number], CREDENTIALS.accepted, 'own')).status).toBe(403);
    } finally {
      await ok.stop();
    }
  });

  it("refuses to start when the connector checks them on none of the gateway's tenants", async () => {
    await expect(
      judgingGateway(
        judgingConnector((tenant) => tenant === 'elsewhere').connector,
        10,
        {},
        { entity: { undefined: {}, own: {} } },
      ),
    ).rejects.toThrow(/scimgateway\.auth\.passThrough\.enabled: judging does not check passed-through credentials/);
  });
});

describe('the failed-login limit over passed-through credentials', () => {
  it("counts the backend's and the routes' refusals; past the limit the backend is not asked", async () => {
    const j = judgingConnector();
    const gw = await judgingGateway(j.connector, 3);
    try {
      expect((await send(gw, { method: 'GET', path: '/Users', kind: 'scim' }, CREDENTIALS.refused)).status).toBe(401);
      expect((await send(gw, { method: 'GET', path: '/api', kind: 'api' }, CREDENTIALS.refused)).status).toBe(401);
      expect((await send(gw, { method: 'GET', path: '/metrics', kind: 'own' }, CREDENTIALS.accepted)).status).toBe(401);
      const asked = j.asked();
      const blocked = await send(gw, { method: 'GET', path: '/Users', kind: 'scim' }, CREDENTIALS.accepted);
      expect(blocked.status).toBe(429);
      expect(j.asked()).toBe(asked);
      expect(gw.logs()).toMatch(/passed-through credentials refused/);
      expect(gw.logs()).not.toContain('wrong');
    } finally {
      await gw.stop();
    }
  });
});

describe('a chaining gateway: the next gateway checks passed-through credentials', () => {
  let back: TestGateway;
  let front: TestGateway;
  beforeAll(async () => {
    back = await startTestGateway({
      scimgateway: { auth: { basic: [{ username: 'backend-user', password: 'right' }] } },
      endpoint: { persistence: false, exampleData: true },
    });
    front = await startTestGateway({
      scimgateway: {
        chainingBaseUrl: `${back.base}/`,
        auth: AUTH,
        rateLimit: { maxFailures: 2, windowSeconds: 60 },
      },
      endpoint: { persistence: false, exampleData: false },
    });
  });
  afterAll(async () => {
    await Promise.all([front?.stop(), back?.stop()]);
  });

  it('SCIM requests are forwarded with the credential; the front serves its own routes only to its own users', async () => {
    expect((await send(front, { method: 'GET', path: '/Users', kind: 'scim' }, CREDENTIALS.accepted)).status).toBe(200);
    expect((await send(front, { method: 'GET', path: '/auth', kind: 'own' }, CREDENTIALS.local)).status).toBe(200);
    const own = await send(front, { method: 'GET', path: '/logger', kind: 'own' }, CREDENTIALS.accepted);
    expect(own.status).toBe(401);
    // That refusal and the next gateway's count: the limit (2) is reached.
    expect((await send(front, { method: 'GET', path: '/Users', kind: 'scim' }, CREDENTIALS.refused)).status).toBe(401);
    expect((await send(front, { method: 'GET', path: '/Users', kind: 'scim' }, CREDENTIALS.accepted)).status).toBe(429);
  });
});

describe('a connector that checks nothing', () => {
  it('refuses to start with pass-through on, naming the setting', async () => {
    await expect(
      startTestGateway({
        scimgateway: { auth: AUTH },
        endpoint: { persistence: false, exampleData: true },
      }),
      // Known before anything starts: the package declares it from its section (check-config does the same).
    ).rejects.toThrow(
      /scimgateway\.auth\.passThrough\.enabled: @scimgw\/connector-loki does not check passed-through credentials/,
    );
  });
});

describe('MCP over a connector that checks passed-through credentials', () => {
  it("each tool call carries the caller's credential to the connector; its refusals count toward the limit", async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const j = judgingConnector();
    const gw = await judgingGateway(j.connector, 2, { mcp: { enabled: true } });
    const connect = async (authorization: string) => {
      const client = new Client({ name: 'pass-through-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${gw.base}/mcp`), { requestInit: { headers: { authorization } } }),
      );
      return client;
    };
    try {
      const good = await connect(CREDENTIALS.accepted);
      const ok = await good.callTool({ name: 'get_user', arguments: { id: 'a' } });
      expect(ok.isError, JSON.stringify(ok)).toBeFalsy();
      await good.close();
      const bad = await connect(CREDENTIALS.refused);
      const before = j.asked();
      for (let i = 0; i < 2; i++) {
        const r = await bad.callTool({ name: 'get_user', arguments: { id: 'a' } });
        expect(r.isError).toBe(true);
        expect(JSON.stringify(r)).toMatch(/401/);
      }
      expect(j.asked()).toBe(before + 2);
      await bad.close().catch(() => {});
      // Two refusals through MCP: the address is past the limit, over HTTP too.
      expect((await send(gw, { method: 'GET', path: '/Users', kind: 'scim' }, CREDENTIALS.accepted)).status).toBe(429);
    } finally {
      await gw.stop();
    }
  });
});
