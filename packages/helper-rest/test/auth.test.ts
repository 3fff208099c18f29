import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperRest, type EndpointConfig, type HelperRest, RestAuthError, RestError } from '../src/index.js';
import { FAST_RETRY, json, startServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const helpers: HelperRest[] = [];
afterAll(async () => {
  await Promise.all(helpers.map((h) => h.close()));
  await Promise.all(servers.map((s) => s.close()));
});

function make(endpoint: EndpointConfig): HelperRest {
  const h = createHelperRest({ endpoint });
  helpers.push(h);
  return h;
}

/** An API that echoes the Authorization header it got, and can be told to reject a token. */
let api: TestServer;
const rejectedTokens = new Set<string>();
beforeAll(async () => {
  api = await startServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth && rejectedTokens.has(auth)) return json(res, 401, { error: { message: 'token revoked' } });
    if (req.url === '/always401') return json(res, 401, { error: { message: 'nope' } });
    json(res, 200, { authorization: auth ?? null });
  });
  servers.push(api);
});

describe('static credentials', () => {
  it('basic', async () => {
    const h = make({
      entity: {
        undefined: {
          connection: { baseUrls: [api.url], auth: { type: 'basic', options: { username: 'gw', password: 'pä:ss' } } },
        },
      },
    });
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x');
    expect(r.body.authorization).toBe(`Basic ${Buffer.from('gw:pä:ss').toString('base64')}`);
  });

  it('bearer and token', async () => {
    const h = make({
      entity: {
        a: { connection: { baseUrls: [api.url], auth: { type: 'bearer', options: { token: 'tok-a' } } } },
        b: { connection: { baseUrls: [api.url], auth: { type: 'token', options: { token: 'tok-b' } } } },
      },
    });
    expect((await h.doRequest<{ authorization: string }>('a', 'GET', '/x')).body.authorization).toBe('Bearer tok-a');
    expect((await h.doRequest<{ authorization: string }>('b', 'GET', '/x')).body.authorization).toBe('Bearer tok-b');
  });

  it('a 401 with static credentials is not retried', async () => {
    const h = make({
      entity: { undefined: { connection: { baseUrls: [api.url], auth: { type: 'bearer', options: { token: 't' } } } } },
    });
    const before = api.requests.length;
    await expect(h.doRequest(undefined, 'GET', '/always401')).rejects.toBeInstanceOf(RestError);
    expect(api.requests.length - before).toBe(1);
  });

  it('an explicit Authorization header from the caller wins', async () => {
    const h = make({
      entity: { undefined: { connection: { baseUrls: [api.url], auth: { type: 'bearer', options: { token: 't' } } } } },
    });
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x', undefined, undefined, {
      headers: { Authorization: 'Custom abc' },
    });
    expect(r.body.authorization).toBe('Custom abc');
  });

  it('does not send credentials to a foreign absolute URL unless asked', async () => {
    const other = await startServer((req, res) => json(res, 200, { authorization: req.headers.authorization ?? null }));
    servers.push(other);
    const h = make({
      entity: { undefined: { connection: { baseUrls: [api.url], auth: { type: 'bearer', options: { token: 'secret-t' } } } } },
    });
    expect((await h.doRequest<{ authorization: unknown }>(undefined, 'GET', `${other.url}/x`)).body.authorization).toBeNull();
    const r = await h.doRequest<{ authorization: unknown }>(undefined, 'GET', `${other.url}/x`, undefined, undefined, {
      sendAuth: true,
    });
    expect(r.body.authorization).toBe('Bearer secret-t');
  });
});

describe('pass-through', () => {
  it('forwards ctx.authorization with auth.type passThrough', async () => {
    const h = make({ entity: { undefined: { connection: { baseUrls: [api.url], auth: { type: 'passThrough' } } } } });
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x', undefined, {
      authorization: 'Bearer inbound-jwt',
    });
    expect(r.body.authorization).toBe('Bearer inbound-jwt');
  });

  it('fails with a 401-mapped error when ctx.authorization is missing', async () => {
    const h = make({ entity: { undefined: { connection: { baseUrls: [api.url], auth: { type: 'passThrough' } } } } });
    const err = (await h.doRequest(undefined, 'GET', '/x').catch((e: unknown) => e)) as RestAuthError;
    expect(err).toBeInstanceOf(RestAuthError);
    expect(err.toScimError().status).toBe(401);
  });

  it('options.passThrough overrides the configured auth', async () => {
    const h = make({
      entity: {
        undefined: { connection: { baseUrls: [api.url], auth: { type: 'basic', options: { username: 'u', password: 'p' } } } },
      },
    });
    const r = await h.doRequest<{ authorization: string }>(
      undefined,
      'GET',
      '/x',
      undefined,
      { authorization: 'Basic aW46Ym91bmQ=' },
      { passThrough: true },
    );
    expect(r.body.authorization).toBe('Basic aW46Ym91bmQ=');
  });
});

describe("the backend's 401 and 403 with pass-through judge the caller, not the gateway", () => {
  let judge: TestServer;
  beforeAll(async () => {
    judge = await startServer((req, res) => {
      if (req.url === '/forbidden') return json(res, 403, { message: 'not for you' });
      json(res, 401, { message: 'bad credentials' });
    });
    servers.push(judge);
  });
  const call = async (endpoint: EndpointConfig, path: string, options = {}) =>
    (await make(endpoint)
      .doRequest(undefined, 'GET', path, undefined, { authorization: 'Basic Y2FsbGVyOndyb25n' }, options)
      .catch((e: unknown) => e)) as RestError;
  const passThrough = { entity: { undefined: { connection: { baseUrls: [''], auth: { type: 'passThrough' as const } } } } };
  const basic = {
    entity: {
      undefined: {
        connection: { baseUrls: [''], auth: { type: 'basic' as const, options: { username: 'gw', password: 'gw-pw' } } },
      },
    },
  };
  const on = <T extends typeof passThrough | typeof basic>(e: T): T => {
    const c = structuredClone(e);
    c.entity.undefined.connection.baseUrls = [judge.url];
    return c;
  };

  it("pass-through: 401 is the caller's 401, 403 the caller's 403", async () => {
    const e401 = await call(on(passThrough), '/x');
    expect(e401.callerCredentials).toBe(true);
    expect(e401.toScimError().status).toBe(401);
    const e403 = await call(on(passThrough), '/forbidden');
    expect(e403.toScimError().status).toBe(403);
    // options.passThrough for one call does the same.
    expect((await call(on(basic), '/x', { passThrough: true })).toScimError().status).toBe(401);
  });

  it("the gateway's own credential refused is the gateway's problem: 502", async () => {
    const e = await call(on(basic), '/x');
    expect(e.callerCredentials).toBe(false);
    expect(e.toScimError().status).toBe(502);
    expect((await call(on(basic), '/forbidden')).toScimError().status).toBe(502);
  });
});

describe('oauth client credentials', () => {
  let idp: TestServer;
  let issued = 0;
  let expiresIn = 3600;
  let failNext = 0;
  beforeAll(async () => {
    idp = await startServer(async (req, res, body) => {
      const form = new URLSearchParams(body);
      if (failNext > 0) {
        failNext--;
        return json(res, 503, {});
      }
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':')
        : undefined;
      const formDecode = (v: string) => new URLSearchParams(`v=${v}`).get('v');
      const clientId = basic ? formDecode(basic[0]!) : form.get('client_id');
      const secret = basic ? formDecode(basic[1]!) : form.get('client_secret');
      if (form.get('grant_type') !== 'client_credentials' || clientId !== 'app' || secret !== 'cl!ent s3cret') {
        return json(res, 401, { error: 'invalid_client', error_description: 'bad client credentials' });
      }
      await new Promise((r) => setTimeout(r, 50)); // make concurrent requests overlap
      issued++;
      json(res, 200, { access_token: `at-${issued}`, token_type: 'bearer', expires_in: expiresIn, scope: form.get('scope') });
    });
    servers.push(idp);
  });

  const endpoint = (opts: Record<string, unknown> = {}): EndpointConfig => ({
    entity: {
      undefined: {
        connection: {
          baseUrls: [api.url],
          retry: FAST_RETRY,
          auth: {
            type: 'oauth',
            options: {
              tokenUrl: `${idp.url}/oauth2/token`,
              clientId: 'app',
              clientSecret: 'cl!ent s3cret',
              scope: 'api://x/.default',
              ...opts,
            },
          },
        },
      },
    },
  });

  it('fetches one token, caches it, and shares it between concurrent requests', async () => {
    const h = make(endpoint());
    const before = issued;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.doRequest<{ authorization: string }>(undefined, 'GET', '/x')),
    );
    expect(issued - before).toBe(1);
    const header = results[0]!.body.authorization;
    expect(header).toMatch(/^Bearer at-\d+$/);
    for (const r of results) expect(r.body.authorization).toBe(header);
    await h.doRequest(undefined, 'GET', '/y');
    expect(issued - before).toBe(1);
    const tokenReq = idp.requests.at(-1)!;
    expect(tokenReq.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(tokenReq.body).get('scope')).toBe('api://x/.default');
  });

  it('refreshes shortly before expiry', async () => {
    expiresIn = 1;
    try {
      const h = make(endpoint());
      const before = issued;
      await h.doRequest(undefined, 'GET', '/x');
      await h.doRequest(undefined, 'GET', '/x');
      expect(issued - before).toBe(1);
      await new Promise((r) => setTimeout(r, 1000));
      await h.doRequest(undefined, 'GET', '/x');
      expect(issued - before).toBe(2);
    } finally {
      expiresIn = 3600;
    }
  });

  it('refreshes once on 401 and retries the request (also a POST)', async () => {
    const h = make(endpoint());
    const first = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x');
    rejectedTokens.add(first.body.authorization);
    const before = issued;
    const apiBefore = api.requests.length;
    const r = await h.doRequest<{ authorization: string }>(undefined, 'POST', '/x', { a: 1 });
    expect(issued - before).toBe(1);
    expect(r.body.authorization).not.toBe(first.body.authorization);
    expect(api.requests.length - apiBefore).toBe(2);
  });

  it('a second 401 after refreshing is returned, not looped', async () => {
    const h = make(endpoint());
    const before = issued;
    const apiBefore = api.requests.length;
    const err = (await h.doRequest(undefined, 'GET', '/always401').catch((e: unknown) => e)) as RestError;
    expect(err.status).toBe(401);
    expect(issued - before).toBe(2);
    expect(api.requests.length - apiBefore).toBe(2);
    expect(err.toScimError().status).toBe(502);
  });

  it('concurrent 401s on one stale token trigger one refresh', async () => {
    const h = make(endpoint());
    const first = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x');
    rejectedTokens.add(first.body.authorization);
    const before = issued;
    const rs = await Promise.all(Array.from({ length: 5 }, () => h.doRequest<{ authorization: string }>(undefined, 'GET', '/x')));
    expect(issued - before).toBe(1);
    expect(new Set(rs.map((r) => r.body.authorization)).size).toBe(1);
  });

  it('supports client_secret_basic', async () => {
    const h = make(endpoint({ tokenAuthMethod: 'client_secret_basic' }));
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x');
    expect(r.body.authorization).toMatch(/^Bearer at-/);
    const tokenReq = idp.requests.at(-1)!;
    expect(new URLSearchParams(tokenReq.body).get('client_secret')).toBeNull();
  });

  it('retries a token request the IdP answered 503', async () => {
    const h = make(endpoint());
    failNext = 1;
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x');
    expect(r.body.authorization).toMatch(/^Bearer at-/);
  });

  it('reports token endpoint errors as RestAuthError without the secret', async () => {
    const h = make(endpoint({ clientSecret: 'wrong-secret-value' }));
    const err = (await h.doRequest(undefined, 'GET', '/x').catch((e: unknown) => e)) as RestAuthError;
    expect(err).toBeInstanceOf(RestAuthError);
    expect(err.status).toBe(401);
    expect(err.oauthError).toBe('invalid_client');
    expect(err.message).toContain('bad client credentials');
    expect(err.message).toContain(`${idp.url}/oauth2/token`);
    expect(err.message).not.toContain('wrong-secret-value');
    expect(err.toScimError().status).toBe(502);
  });

  it('uses the Entra token URL shape with azureTenantId and defaults the scope', async () => {
    const h = make({
      entity: {
        undefined: {
          connection: {
            baseUrls: [api.url],
            auth: {
              type: 'oauth',
              options: {
                azureTenantId: 'contoso-tenant',
                authorityHost: idp.url,
                clientId: 'app',
                clientSecret: 'cl!ent s3cret',
              },
            },
          },
        },
      },
    });
    await h.doRequest(undefined, 'GET', '/x');
    const tokenReq = idp.requests.at(-1)!;
    expect(tokenReq.url).toBe('/contoso-tenant/oauth2/v2.0/token');
    expect(new URLSearchParams(tokenReq.body).get('scope')).toBe(`${new URL(api.url).origin}/.default`);
  });

  it('seed "token" type: trades username/password for a token at tokenUrl', async () => {
    const tokenSrv = await startServer((_req, res, body) => {
      const f = new URLSearchParams(body);
      if (f.get('username') === 'svc' && f.get('password') === 'pw-123') json(res, 200, { token: 'from-token-endpoint' });
      else json(res, 401, { error: 'denied' });
    });
    servers.push(tokenSrv);
    const h = make({
      entity: {
        undefined: {
          connection: {
            baseUrls: [api.url],
            auth: { type: 'token', options: { tokenUrl: `${tokenSrv.url}/login`, username: 'svc', password: 'pw-123' } },
          },
        },
      },
    });
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x');
    expect(r.body.authorization).toBe('Bearer from-token-endpoint');
  });
});
