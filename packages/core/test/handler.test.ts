import { describe, expect, it } from 'vitest';
import { connectorContractCases } from '../src/testkit/index.js';
import { type QueryRequest, type RequestContext, URN } from '../src/index.js';
import { createScimHandler, type ScimRequest } from '../src/handler/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

type Body = Record<string, unknown> & { Resources?: Record<string, unknown>[] };

function setup(
  opts: Parameters<typeof memoryConnector>[0] = {},
  handlerOpts: Partial<Parameters<typeof createScimHandler>[0]> = {},
) {
  const queries: QueryRequest[] = [];
  const connector = memoryConnector({ ...opts, queries });
  const h = createScimHandler({ connector, ...handlerOpts });
  const call = async (method: string, url: string, body?: unknown, headers: ScimRequest['headers'] = {}) => {
    const res = await h.handle({
      method,
      url,
      headers,
      origin: 'https://gw.example',
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { ...res, body: res.body as Body };
  };
  return { call, queries, h };
}

async function seed(call: ReturnType<typeof setup>['call'], n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await call('POST', '/Users', {
      schemas: [URN.User],
      userName: `user${String(i).padStart(2, '0')}`,
      title: i % 2 ? 'odd' : 'even',
      emails: [{ value: `u${i}@example.com`, type: 'work' }],
      [URN.EnterpriseUser]: { employeeNumber: String(100 + i) },
    });
    ids.push(String(r.body.id));
  }
  return ids;
}

describe('core handler', () => {
  it('a minimal connector (eq only, no modify) passes the contract kit', async () => {
    for (const c of connectorContractCases({ connector: () => memoryConnector() })) await c.run();
  });

  it('serves discovery that tells the truth', async () => {
    const { call } = setup();
    const spc = await call('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect((spc.body.patch as { supported: boolean }).supported).toBe(true);
    expect((spc.body.bulk as { supported: boolean }).supported).toBe(false);
    const rts = await call('GET', '/ResourceTypes');
    expect(rts.body.Resources?.map((r) => r.id)).toEqual(['User', 'Group']);
    const one = await call('GET', '/ResourceTypes/User');
    expect(one.body.schemaExtensions).toEqual([{ schema: URN.EnterpriseUser, required: false }]);
    const schemas = await call('GET', '/Schemas');
    expect(schemas.body.Resources?.map((s) => s.id)).toContain(URN.EnterpriseUser);
    const user = await call('GET', `/Schemas/${URN.User}`);
    expect((user.body.attributes as { name: string }[]).some((a) => a.name === 'userName')).toBe(true);
    expect((await call('GET', '/Schemas/urn:nope')).status).toBe(404);
    expect((await call('GET', '/Roles')).status).toBe(404);
    expect((await call('POST', '/Schemas', {})).status).toBe(405);
  });

  it('pushes an eq filter down, and evaluates the rest in core', async () => {
    const { call, queries } = setup();
    await seed(call, 6);
    queries.length = 0;
    const r = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "user01" and title co "dd"')}`);
    expect(r.body.totalResults).toBe(1);
    expect(queries[0]?.filter).toEqual({ type: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'user01' });
    queries.length = 0;
    const co = await call('GET', `/Users?filter=${encodeURIComponent('title co "ev"')}`);
    expect(co.body.totalResults).toBe(3);
    expect(queries[0]?.filter).toBeUndefined();
  });

  it('splits a long or of eq terms into one connector query per term', async () => {
    const { call, queries } = setup();
    await seed(call, 5);
    queries.length = 0;
    const terms = Array.from({ length: 100 }, (_, i) => `userName eq "user${String(i).padStart(2, '0')}"`).join(' or ');
    const r = await call('GET', `/Users?filter=${encodeURIComponent(terms)}&count=1000`);
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(5);
    expect(queries.length).toBe(100);
    expect(queries.every((q) => q.filter?.type === 'compare')).toBe(true);
  });

  it('sorts type-aware and pages with integers', async () => {
    const { call } = setup();
    await seed(call, 12);
    const r = await call('GET', '/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=3');
    expect(r.body.totalResults).toBe(12);
    expect(r.body.startIndex).toBe(2);
    expect(r.body.itemsPerPage).toBe(3);
    expect(r.body.Resources?.map((u) => u.userName)).toEqual(['user10', 'user09', 'user08']);
    const totals = await call('GET', '/Users?count=0');
    expect(totals.body.totalResults).toBe(12);
    expect(totals.body.Resources).toEqual([]);
  });

  it('pages with cursors (RFC 9865)', async () => {
    const { call } = setup();
    await seed(call, 5);
    const seen: unknown[] = [];
    let cursor = '';
    for (let i = 0; i < 5; i++) {
      const r = await call('GET', `/Users?cursor=${cursor}&count=2&sortBy=userName`);
      expect(r.status).toBe(200);
      seen.push(...(r.body.Resources ?? []).map((u) => u.userName));
      if (!r.body.nextCursor) break;
      cursor = String(r.body.nextCursor);
    }
    expect(seen).toEqual(['user00', 'user01', 'user02', 'user03', 'user04']);
    const bad = await call('GET', '/Users?cursor=garbage');
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidCursor');
  });

  it('serves cursors from a connector that pages by index, one window per page (RFC 9865)', async () => {
    const { call, queries } = setup({ pagesByIndex: true });
    await seed(call, 7);
    const plain = setup();
    await seed(plain.call, 7);
    const walk = async (c: typeof call) => {
      const pages: { names: unknown[]; next?: unknown; previous?: unknown; total?: unknown }[] = [];
      let cursor = '';
      for (let i = 0; i < 10; i++) {
        const r = await c('GET', `/Users?cursor=${cursor}&count=3`);
        expect(r.status).toBe(200);
        pages.push({
          names: (r.body.Resources ?? []).map((u) => u.userName),
          next: r.body.nextCursor,
          previous: r.body.previousCursor,
          total: r.body.totalResults,
        });
        if (!r.body.nextCursor) break;
        cursor = String(r.body.nextCursor);
      }
      return pages;
    };
    queries.length = 0;
    const paged = await walk(call);
    // The same pages, cursors and totals as the core's own cursors over the whole list …
    expect(paged).toEqual(await walk(plain.call));
    expect(paged.flatMap((p) => p.names)).toHaveLength(7);
    // … each asked of the connector as its window, never as the whole list.
    expect(queries.map((q) => [q.startIndex, q.count])).toEqual([
      [1, 3],
      [4, 3],
      [7, 3],
    ]);
    // Past the end: the same answer as the core's own cursors give.
    const past = await call('GET', '/Users?cursor=oz&count=3');
    expect(past.status).toBe(400);
    expect(past.body.scimType).toBe((await plain.call('GET', '/Users?cursor=oz&count=3')).body.scimType);
    expect(past.body.scimType).toBe('expiredCursor');
    expect((await call('GET', '/Users?cursor=garbage')).body.scimType).toBe('invalidCursor');
  });

  it('projects attributes and excludedAttributes, never returns password', async () => {
    const { call } = setup();
    const c = await call('POST', '/Users', {
      userName: 'p1',
      password: 's3cret',
      name: { givenName: 'G', familyName: 'F' },
      title: 't',
    });
    expect(c.status).toBe(201);
    expect(c.body.password).toBeUndefined();
    expect(c.headers.location).toBe(`https://gw.example/Users/${c.body.id}`);
    expect(c.headers.etag).toMatch(/^W\/"/);
    const r = await call('GET', `/Users/${c.body.id}?attributes=userName,name.familyName`);
    expect(Object.keys(r.body).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
    expect(r.body.name).toEqual({ familyName: 'F' });
    const ex = await call('GET', `/Users/${c.body.id}?excludedAttributes=title,name`);
    expect(ex.body.title).toBeUndefined();
    expect(ex.body.name).toBeUndefined();
    expect(ex.body.id).toBe(c.body.id);
    // Parameter names in any case, as filter and the others: ?Attributes= is ?attributes=.
    const mixed = await call('GET', `/Users/${c.body.id}?Attributes=userName&ATTRIBUTES=title`);
    expect(Object.keys(mixed.body).sort()).toEqual(['id', 'schemas', 'title', 'userName']);
    const exMixed = await call('GET', `/Users?filter=userName eq "p1"&ExcludedAttributes=title`);
    expect(exMixed.body.Resources?.[0]?.title).toBeUndefined();
    expect(exMixed.body.Resources?.[0]?.userName).toBe('p1');
  });

  it('POST .search on a resource type and at the root', async () => {
    const { call } = setup();
    await seed(call, 3);
    const r = await call('POST', '/Users/.search', {
      schemas: [URN.SearchRequest],
      filter: 'userName sw "user0"',
      attributes: ['userName'],
      count: 2,
    });
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(3);
    expect(r.body.Resources?.length).toBe(2);
    const root = await call('POST', '/.search', { filter: 'userName eq "user01"' });
    expect(root.body.totalResults).toBe(1);
  });

  it('answers errors as RFC 7644 bodies', async () => {
    const { call } = setup();
    const bad = await call('POST', '/Users', '{"userName":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ schemas: [URN.Error], status: '400', scimType: 'invalidSyntax' });
    expect((await call('GET', '/Users/nope')).status).toBe(404);
    expect((await call('GET', '/Nothing')).status).toBe(404);
    const f = await call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(f.body.scimType).toBe('invalidFilter');
    const boolOp = await call('GET', `/Users?filter=${encodeURIComponent('active gt true')}`);
    expect(boolOp.body.scimType).toBe('invalidFilter');
    const missing = await call('POST', '/Users', { displayName: 'no userName' });
    expect(missing.body.scimType).toBe('invalidValue');
    expect((await call('POST', '/Users', '')).body.scimType).toBe('invalidSyntax');
  });

  it('hides internals of non-SCIM errors thrown by a connector', async () => {
    const connector = memoryConnector();
    (connector.resources.User as { get: unknown }).get = undefined;
    const h = createScimHandler({
      connector: {
        ...connector,
        resources: {
          User: {
            async get() {
              throw new Error('db password=hunter2 at 10.0.0.1');
            },
          },
        },
      },
    });
    const r = await h.handle({ method: 'GET', url: '/Users/x' });
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toMatch(/hunter2|10\.0\.0\.1/);
  });

  it('PATCH through replace when the connector has no modify; group PATCH answers 204', async () => {
    const { call } = setup();
    const u = await call('POST', '/Users', { userName: 'pp', active: true });
    const p = await call('PATCH', `/Users/${u.body.id}`, {
      schemas: [URN.PatchOp],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(p.status).toBe(200);
    expect(p.body.active).toBe(false);
    const g = await call('POST', '/Groups', { displayName: 'G', members: [{ value: String(u.body.id) }] });
    const gp = await call('PATCH', `/Groups/${g.body.id}`, {
      schemas: [URN.PatchOp],
      Operations: [{ op: 'remove', path: 'members' }],
    });
    expect(gp.status).toBe(204);
    expect(gp.body).toBeUndefined();
  });

  it('honours ETags: If-None-Match → 304, If-Match mismatch → 412', async () => {
    const { call } = setup({ withModify: true });
    const u = await call('POST', '/Users', { userName: 'et' });
    const etag = u.headers.etag as string;
    expect((await call('GET', `/Users/${u.body.id}`, undefined, { 'if-none-match': etag })).status).toBe(304);
    const stale = await call(
      'PATCH',
      `/Users/${u.body.id}`,
      { Operations: [{ op: 'add', path: 'title', value: 'x' }] },
      { 'if-match': 'W/"old"' },
    );
    expect(stale.status).toBe(412);
    const ok = await call(
      'PATCH',
      `/Users/${u.body.id}`,
      { Operations: [{ op: 'add', path: 'title', value: 'x' }] },
      { 'if-match': etag },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).not.toBe(etag);
    expect((await call('DELETE', `/Users/${u.body.id}`, undefined, { 'if-match': etag })).status).toBe(412);
    expect((await call('DELETE', `/Users/${u.body.id}`, undefined, { 'if-match': '*' })).status).toBe(204);
  });

  it('never answers a partial read with an ETag that the whole resource would not match', async () => {
    const projections = [
      'attributes=userName',
      'attributes=emails',
      'excludedAttributes=emails',
      'excludedAttributes=title,emails',
      'attributes=userName,title',
    ];
    for (const honorsProjection of [false, true]) {
      for (const keepsVersions of [false, true]) {
        const { call } = setup({ withModify: true, honorsProjection, keepsVersions });
        const u = await call('POST', '/Users', { userName: 'part', title: 't', emails: [{ value: 'p@example.com' }] });
        const url = `/Users/${u.body.id}`;
        let whole = (await call('GET', url)).headers.etag;
        expect(whole).toBeDefined();
        for (const q of projections) {
          const at = `${honorsProjection ? 'honours' : 'ignores'} projections, ${keepsVersions ? 'keeps' : 'no'} versions, ${q}`;
          const part = await call('GET', `${url}?${q}`);
          expect(part.status, at).toBe(200);
          const tag = part.headers.etag;
          // A connector that keeps its versions gives one for every read; otherwise a tag is only given
          // for what the gateway can compute over the whole resource.
          if (keepsVersions) expect(tag, at).toBe(whole);
          if (tag === undefined) continue;
          expect(tag, at).toBe(whole);
          const patched = await call(
            'PATCH',
            url,
            { Operations: [{ op: 'replace', path: 'title', value: q }] },
            { 'if-match': tag },
          );
          expect(patched.status, at).toBe(200);
          // Put the resource back as it was; a connector with versions has a new one now.
          await call('PATCH', url, { Operations: [{ op: 'replace', path: 'title', value: 't' }] });
          const now = (await call('GET', url)).headers.etag;
          if (keepsVersions) expect(now, at).not.toBe(whole);
          else expect(now, at).toBe(whole);
          whole = now;
        }
      }
    }
  });

  it('usePutSoftSync keeps what the body omits', async () => {
    const { call } = setup({}, { usePutSoftSync: true });
    const u = await call('POST', '/Users', { userName: 'soft', title: 'keep me', displayName: 'D' });
    const put = await call('PUT', `/Users/${u.body.id}`, { userName: 'soft', displayName: 'E' });
    expect(put.body.title).toBe('keep me');
    expect(put.body.displayName).toBe('E');
  });

  it("routes tenants and /scim/v2 prefixes (which tenants exist is the host's concern)", async () => {
    const { call } = setup();
    expect((await call('GET', '/acme/scim/v2/Users')).status).toBe(200);
    expect((await call('GET', '/scim/v2/Users')).status).toBe(200);
  });

  it("copies the host's context without reading its accessors (a lazily made signal stays unmade)", async () => {
    const connector = memoryConnector();
    const users = connector.resources.User!;
    let readSignal = false;
    const query = users.query.bind(users);
    const reading: (q: QueryRequest, ctx: RequestContext) => ReturnType<typeof query> = async (q, ctx) => {
      if (readSignal) expect(ctx.signal?.aborted).toBe(false);
      return query(q);
    };
    users.query = reading as typeof users.query;
    const h = createScimHandler({ connector });
    let made = 0;
    const context = { requestId: 'r1', tenant: 'acme' } as Record<string, unknown>;
    Object.defineProperty(context, 'signal', {
      enumerable: true,
      configurable: true,
      get() {
        made++;
        return new AbortController().signal;
      },
    });
    const get = () => h.handle({ method: 'GET', url: '/acme/Users', headers: {}, context });
    expect((await get()).status).toBe(200);
    expect(made).toBe(0);
    readSignal = true;
    expect((await get()).status).toBe(200);
    expect(made).toBe(1);
  });

  it("hands the host's context on unchanged and sets the tenant and If-Match on a copy only", async () => {
    const connector = memoryConnector();
    const users = connector.resources.User!;
    const seen: RequestContext[] = [];
    const query = users.query.bind(users);
    users.query = (async (q: QueryRequest, ctx: RequestContext) => {
      seen.push(ctx);
      return query(q);
    }) as typeof users.query;
    const get = users.get!.bind(users);
    users.get = (async (id: string, ctx: RequestContext, o: Parameters<typeof get>[2]) => {
      seen.push(ctx);
      return get(id, ctx, o);
    }) as typeof users.get;
    const replace = users.replace!.bind(users);
    users.replace = (async (id: string, r: Parameters<typeof replace>[1], ctx: RequestContext) => {
      seen.push(ctx);
      return replace(id, r, ctx);
    }) as typeof users.replace;
    users.capabilities = { ...users.capabilities, etag: true };
    const h = createScimHandler({ connector });
    // The host's context as the connector's: nothing to set.
    const withTenant: RequestContext = { requestId: 'r1', tenant: 'acme' };
    expect((await h.handle({ method: 'GET', url: '/acme/Users', headers: {}, context: withTenant })).status).toBe(200);
    expect(seen.pop()).toBe(withTenant);
    // A tenant from the path: the connector gets a copy with it, the host's object stays as it was.
    const without: RequestContext = { requestId: 'r2' };
    expect((await h.handle({ method: 'GET', url: '/acme/Users', headers: {}, context: without })).status).toBe(200);
    const copy = seen.pop()!;
    expect(copy).not.toBe(without);
    expect(copy).toMatchObject({ requestId: 'r2', tenant: 'acme' });
    expect(without).toEqual({ requestId: 'r2' });
    // If-Match on a connector that applies it itself: set on a copy.
    const created = await h.handle({ method: 'POST', url: '/Users', headers: {}, body: { userName: 'ctx1' } });
    const id = (created.body as { id: string }).id;
    const host: RequestContext = { requestId: 'r3' };
    const patched = await h.handle({
      method: 'PATCH',
      url: `/Users/${id}`,
      headers: { 'if-match': '*' },
      body: { schemas: [URN.PatchOp], Operations: [{ op: 'replace', path: 'title', value: 'T' }] },
      context: host,
    });
    expect(patched.status).toBe(200);
    const written = seen.pop()!;
    expect(written.ifMatch).toBe('*');
    expect(written.requestId).toBe('r3');
    expect(host.ifMatch).toBeUndefined();
  });

  it('drops prototype-polluting keys from client JSON', async () => {
    const { call } = setup();
    const r = await call(
      'POST',
      '/Users',
      '{"userName":"pp1","__proto__":{"polluted":true},"name":{"constructor":{"prototype":{"x":1}}}}',
    );
    expect(r.status).toBe(201);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(r.body, '__proto__')).toBe(false);
  });

  it('accepts OneLogin schema aliases and a trailing ? in the filter', async () => {
    const { call } = setup();
    const c = await call('POST', '/Users', {
      schemas: ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:extension:enterprise:2.0'],
      userName: 'ol',
      'urn:scim:schemas:extension:enterprise:2.0': { department: 'D' },
    });
    expect(c.status).toBe(201);
    expect(c.body[URN.EnterpriseUser]).toEqual({ department: 'D' });
    const f = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "ol"?')}`);
    expect(f.body.totalResults).toBe(1);
  });
});

describe('discovery endpoints and filters (RFC 7644 §4)', () => {
  it('a filter on /Schemas, /ResourceTypes or /ServiceProviderConfig is 403; without one they list', async () => {
    const h = createScimHandler({ connector: memoryConnector() });
    for (const ep of [
      '/Schemas',
      '/ResourceTypes',
      '/ServiceProviderConfig',
      '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User',
    ]) {
      const r = await h.handle({ method: 'GET', url: `${ep}?filter=${encodeURIComponent('id eq "x"')}` });
      expect(r.status, ep).toBe(403);
      expect(r.body).toMatchObject({ status: '403', detail: expect.stringMatching(/takes no filter/) });
      expect((await h.handle({ method: 'GET', url: ep })).status, ep).toBe(200);
    }
  });
});

describe('conditional requests (RFC 9110 §13.1)', () => {
  it('If-Match on a read, If-None-Match on a write', async () => {
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'cond' }) });
    const id = (made.body as { id: string }).id;
    const etag = String(made.headers.etag);
    const get = (headers: Record<string, string>) => h.handle({ method: 'GET', url: `/Users/${id}`, headers });
    expect((await get({ 'if-match': etag })).status).toBe(200);
    expect((await get({ 'if-match': '*' })).status).toBe(200);
    expect((await get({ 'if-match': 'W/"other"' })).status).toBe(412);
    const patch = (headers: Record<string, string>) =>
      h.handle({
        method: 'PATCH',
        url: `/Users/${id}`,
        headers,
        body: JSON.stringify({ schemas: [URN.PatchOp], Operations: [{ op: 'replace', path: 'title', value: 't' }] }),
      });
    expect((await patch({ 'if-none-match': '*' })).status).toBe(412);
    expect((await patch({ 'if-none-match': etag })).status).toBe(412);
    expect((await h.handle({ method: 'DELETE', url: `/Users/${id}`, headers: { 'if-none-match': '*' } })).status).toBe(412);
    const ok = await patch({ 'if-none-match': 'W/"other"' });
    expect(ok.status).toBe(200);
    // Both conditions: each must hold.
    expect((await patch({ 'if-none-match': 'W/"other"', 'if-match': etag })).status).toBe(412);
    expect((await patch({ 'if-none-match': 'W/"other"', 'if-match': String(ok.headers.etag) })).status).toBe(200);
  });
});
