import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperRest, type HelperRest, RestPagingError } from '../src/index.js';
import { json, startServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const helpers: HelperRest[] = [];
afterAll(async () => {
  await Promise.all(helpers.map((h) => h.close()));
  await Promise.all(servers.map((s) => s.close()));
});

const users = Array.from({ length: 23 }, (_, i) => ({ id: `u${i + 1}` }));

let odata: TestServer;
let scim: TestServer;
let h: HelperRest;
beforeAll(async () => {
  odata = await startServer((req, res) => {
    const u = new URL(req.url ?? '', 'http://x');
    if (req.headers.authorization !== 'Bearer graph-token') return json(res, 401, {});
    if (u.pathname === '/v1/loop')
      return json(res, 200, { value: [1], '@odata.nextLink': `${odata.url}/v1/loop?$skiptoken=same` });
    if (u.pathname === '/v1/endless') {
      const n = Number(u.searchParams.get('n') ?? '0');
      return json(res, 200, { value: [n], '@odata.nextLink': `${odata.url}/v1/endless?n=${n + 1}` });
    }
    const skip = Number(u.searchParams.get('$skiptoken') ?? '0');
    const top = Number(u.searchParams.get('$top') ?? '10');
    const page = users.slice(skip, skip + top);
    const body: Record<string, unknown> = { value: page };
    if (skip + top < users.length) body['@odata.nextLink'] = `${odata.url}/v1/users?$top=${top}&$skiptoken=${skip + top}`;
    json(res, 200, body);
  });
  scim = await startServer((req, res) => {
    const u = new URL(req.url ?? '', 'http://x');
    const start = Number(u.searchParams.get('startIndex'));
    const count = Math.min(Number(u.searchParams.get('count')), 7); // server caps page size
    const page = users.slice(start - 1, start - 1 + count);
    if (u.pathname === '/nototal') return json(res, 200, { Resources: page });
    if (u.pathname === '/notalist') return json(res, 200, start === 1 ? { Resources: page, totalResults: 99 } : { ok: true });
    json(res, 200, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: String(users.length),
      startIndex: start,
      itemsPerPage: page.length,
      Resources: page,
    });
  });
  servers.push(odata, scim);
  h = createHelperRest({
    endpoint: {
      entity: {
        graph: { connection: { baseUrls: [`${odata.url}/v1`], auth: { type: 'bearer', options: { token: 'graph-token' } } } },
        scim: { connection: { baseUrls: [scim.url] } },
      },
    },
  });
  helpers.push(h);
});

describe('OData paging', () => {
  it('follows @odata.nextLink (absolute, with credentials) until done', async () => {
    const all = await h.getAllPagesOData<{ id: string }>('graph', '/users?$top=10');
    expect(all.map((u) => u.id)).toEqual(users.map((u) => u.id));
  });

  it('stops at maxPages', async () => {
    await expect(h.getAllPagesOData('graph', '/endless', undefined, { maxPages: 5 })).rejects.toBeInstanceOf(RestPagingError);
  });

  it('stops on a repeated nextLink', async () => {
    await expect(h.getAllPagesOData('graph', '/loop')).rejects.toThrow(/repeated/);
  });
});

describe('SCIM paging', () => {
  it('pages with startIndex/count until totalResults (string) is reached', async () => {
    const before = scim.requests.length;
    const all = await h.getAllPagesScim<{ id: string }>('scim', '/Users?filter=active%20eq%20true', undefined, { pageSize: 10 });
    expect(all.map((u) => u.id)).toEqual(users.map((u) => u.id));
    const reqs = scim.requests.slice(before).map((r) => new URL(r.url, 'http://x'));
    expect(reqs.map((r) => r.searchParams.get('startIndex'))).toEqual(['1', '8', '15', '22']);
    expect(reqs[0]!.searchParams.get('filter')).toBe('active eq true');
  });

  it('without totalResults, pages until an empty page', async () => {
    const all = await h.getAllPagesScim<{ id: string }>('scim', '/nototal', undefined, { pageSize: 7 });
    expect(all).toHaveLength(users.length);
  });

  it('a page that is no list (neither Resources nor totalResults) fails the read, not ends it', async () => {
    await expect(h.getAllPagesScim('scim', '/notalist', undefined, { pageSize: 7 })).rejects.toThrow(
      'SCIM list response has neither Resources nor totalResults',
    );
  });

  it('stops at maxPages', async () => {
    await expect(h.getAllPagesScim('scim', '/nototal', undefined, { pageSize: 1, maxPages: 3 })).rejects.toBeInstanceOf(
      RestPagingError,
    );
  });
});
