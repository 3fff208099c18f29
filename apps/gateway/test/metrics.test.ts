/**
 * `/metrics` (prom-client) over real HTTP against an in-process gateway on the embedded store:
 * access like `/logger`, the series the operations guide's dashboard reads, bounded labels, and
 * no raw path, id or secret in the output.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeScimPath } from '@scimgw/core/handler';
import { routeSpecial } from '../src/authorize.js';
import { routeLabel, UNMATCHED } from '../src/telemetry/labels.js';
import { BASIC, startGateway, type TestGateway } from './helpers.js';

const READER = `Basic ${Buffer.from('reader:reader-pass').toString('base64')}`;
const ACME = `Basic ${Buffer.from('acme-only:acme-pass').toString('base64')}`;
const WRONG = `Basic ${Buffer.from('gwadmin:not-the-password').toString('base64')}`;

/** The value of one series, `undefined` when absent. Labels must match exactly (all of them). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found: Record<string, string> = {};
    for (const m of body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[m[1] as string] = m[2] as string;
    const want = { gateway: 'connector-loki', ...labels };
    if (Object.keys(found).length !== Object.keys(want).length) continue;
    if (Object.entries(want).every(([k, v]) => found[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** Every value a label takes in the output. */
function labelValues(text: string, label: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`, 'g'))) out.add(m[1] as string);
  return out;
}

let t: TestGateway;
const scrape = async (authorization = BASIC) => {
  const r = await fetch(`${t.base}/metrics`, { headers: { authorization } });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
};

beforeAll(async () => {
  t = await startGateway(
    {
      auth: {
        basic: [
          { username: 'gwadmin', password: 'password' },
          { username: 'reader', password: 'reader-pass', readOnly: true },
          { username: 'acme-only', password: 'acme-pass', baseEntities: ['acme'] },
        ],
      },
      rateLimit: { maxFailures: 3, windowSeconds: 600 },
    },
    { entity: { acme: {}, other: {} } },
  );
});
afterAll(() => t.stop());

describe('/metrics access (as /logger)', () => {
  it('needs a credential', async () => {
    expect((await fetch(`${t.base}/metrics`)).status).toBe(401);
  });
  it('is a read: a read-only credential may scrape, other methods get 405', async () => {
    expect((await scrape(READER)).status).toBe(200);
    expect((await fetch(`${t.base}/metrics`, { method: 'POST', headers: { authorization: BASIC } })).status).toBe(405);
  });
  it('is the whole instance: a tenant-scoped credential gets 403, and there is no /<tenant>/metrics', async () => {
    expect((await scrape(ACME)).status).toBe(403);
    expect((await fetch(`${t.base}/acme/metrics`, { headers: { authorization: ACME } })).status).toBe(404);
  });
});

describe('/metrics content', () => {
  it('counts requests by route template, method, status and tenant, with latency histograms', async () => {
    const created = await t.call('POST', '/acme/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'metrics.user@example.com',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await t.call('GET', `/acme/Users/${encodeURIComponent(id)}`)).status).toBe(200);
    expect((await t.call('GET', '/acme/Users/no-such-user')).status).toBe(404);
    expect((await t.call('GET', '/scim/v2/Groups')).status).toBe(200);
    const m = await scrape();
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const get = { method: 'GET', route: '/Users/{id}', tenant: 'acme' };
    expect(sample(m.text, 'scimgw_http_requests_total', { ...get, status: '200' })).toBe(1);
    expect(sample(m.text, 'scimgw_http_requests_total', { ...get, status: '404' })).toBe(1);
    expect(sample(m.text, 'scimgw_http_request_errors_total', { ...get, status: '404' })).toBe(1);
    expect(sample(m.text, 'scimgw_http_request_errors_total', { ...get, status: '200' })).toBeUndefined();
    expect(sample(m.text, 'scimgw_http_requests_total', { method: 'POST', route: '/Users', tenant: 'acme', status: '201' })).toBe(
      1,
    );
    expect(sample(m.text, 'scimgw_http_requests_total', { method: 'GET', route: '/Groups', tenant: '', status: '200' })).toBe(1);
    expect(sample(m.text, 'scimgw_http_request_duration_seconds_count', { ...get, status_class: '2xx' })).toBe(1);
    expect(sample(m.text, 'scimgw_http_request_duration_seconds_bucket', { ...get, status_class: '4xx', le: '+Inf' })).toBe(1);
    // Route templates, never the ids in the paths.
    expect(m.text).not.toContain('metrics.user');
    expect(m.text).not.toContain(id);
    expect(m.text).not.toContain('no-such-user');
  });

  it('times connector calls and counts the ones that throw, by resource, operation and tenant', async () => {
    const missing = await t.call('PATCH', '/other/Users/ghost', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(missing.status).toBe(404);
    const m = await scrape();
    expect(
      sample(m.text, 'scimgw_connector_call_duration_seconds_count', { resource: 'User', operation: 'create', tenant: 'acme' }),
    ).toBe(1);
    expect(
      sample(m.text, 'scimgw_connector_call_errors_total', {
        resource: 'User',
        operation: 'modify',
        tenant: 'other',
        status: '404',
      }),
    ).toBe(1);
    expect(
      sample(m.text, 'scimgw_connector_call_errors_total', {
        resource: 'User',
        operation: 'create',
        tenant: 'acme',
        status: '404',
      }),
    ).toBeUndefined();
  });

  it('exports process metrics', async () => {
    const m = await scrape();
    expect(sample(m.text, 'process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
    expect(m.text).toContain('nodejs_eventloop_lag_seconds');
    expect(m.text).toContain('nodejs_heap_size_used_bytes');
  });

  it('keeps labels bounded: unknown tenants and odd paths share one label value each', async () => {
    const unmatched = () =>
      t.gw
        .metrics!.render()
        .then(
          (x) => sample(x, 'scimgw_http_requests_total', { method: 'GET', route: UNMATCHED, tenant: '', status: '404' }) ?? 0,
        );
    const before = await unmatched();
    for (const path of ['/nobody/Users', '/someone-else/Groups/x', '/no/such/thing', '/favicon.ico', '/Users/a/b'])
      await t.call('GET', path);
    const m = await scrape();
    expect(labelValues(m.text, 'tenant')).toEqual(new Set(['', 'acme', 'other', '(other)']));
    for (const route of labelValues(m.text, 'route'))
      expect(route).toMatch(/^(\/[A-Za-z.]+(\/\{id\}|\/\.search)?|\/oauth\/token|\/pub\/api|\(unmatched\))$/);
    expect((await unmatched()) - before).toBe(3);
  });
  it('counts authentication failures and rate-limit blocks', async () => {
    const failures401 = () =>
      t.gw.metrics!.render().then((x) => sample(x, 'scimgw_auth_failures_total', { status: '401', tenant: '' }) ?? 0);
    const before = await failures401();
    expect((await t.call('GET', '/Users', undefined, { authorization: '' })).status).toBe(401);
    expect((await t.call('GET', '/other/Users', undefined, { authorization: ACME })).status).toBe(403);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.call('GET', '/Users', undefined, { authorization: WRONG })).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // This address is blocked now, for every credential: the last scrape of this gateway.
    const m = await scrape();
    expect(m.status).toBe(429);
    const text = (await t.gw.metrics?.render()) ?? '';
    expect((await failures401()) - before).toBe(4);
    expect(sample(text, 'scimgw_auth_failures_total', { status: '403', tenant: 'other' })).toBe(1);
    expect(sample(text, 'scimgw_rate_limit_blocks_total', { endpoint: 'scim', tenant: '' })).toBe(3);
    // The wrong password is nowhere in the output.
    expect(text).not.toContain('not-the-password');
  });
});

describe('the Grafana dashboard of the docs', () => {
  it('queries only metric families a gateway exports', async () => {
    const file = new URL('../../../docs/public/grafana/scimgw-dashboard.json', import.meta.url);
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr));
    expect(exprs.length).toBeGreaterThan(15);
    const families = new Set([...(await t.gw.metrics!.render()).matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]));
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:scimgw|process|nodejs)_\w+)/g)].map((m) => m[1] as string)));
    for (const name of used) {
      const family = name.replace(/_(bucket|sum|count)$/, '');
      expect(families.has(family) || families.has(name), name).toBe(true);
    }
    expect(used.size).toBeGreaterThan(12);
  });
});

describe('route labels', () => {
  const KNOWN = new Set([
    UNMATCHED,
    '/logger',
    '/oauth/token',
    '/auth',
    '/mcp',
    '/metrics',
    '/pub/api',
    '/api',
    '/api/{id}',
    ...[
      'Users',
      'Groups',
      'Schemas',
      'ResourceTypes',
      'ServiceProviderConfig',
      'Bulk',
      '.search',
      'Me',
      'Roles',
      'Entitlements',
    ].flatMap((e) => [`/${e}`, `/${e}/{id}`, `/${e}/.search`]),
  ]);
  it('take a value from a fixed set for any path (fast-check)', () => {
    const segment = fc.oneof(
      fc.constantFrom('Users', 'groups', '.search', 'scim', 'v2', 'logger', 'api', 'metrics', 'x%20y', '%zz'),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (segs) => {
        const path = `/${segs.join('/')}`;
        const special = routeSpecial(path);
        const label = routeLabel(special, special ? undefined : routeScimPath(path));
        expect(KNOWN.has(label), `${path} → ${label}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the embedded store journal', () => {
  it('reports each durable batch: sync time and bytes by tenant', async () => {
    // Persistent (the default of connector-loki): every write goes through the journal.
    const p = await startGateway({}, { persistence: true, exampleData: false, entity: { acme: {} } });
    try {
      for (const name of ['j.one', 'j.two'])
        expect(
          (await p.call('POST', '/acme/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name }))
            .status,
        ).toBe(201);
      const text = await p.gw.metrics!.render();
      const batches = sample(text, 'scimgw_journal_sync_duration_seconds_count', { tenant: 'acme' }) ?? 0;
      expect(batches).toBeGreaterThanOrEqual(1);
      expect(batches).toBeLessThanOrEqual(2);
      expect(sample(text, 'scimgw_journal_sync_bytes_count', { tenant: 'acme' })).toBe(batches);
      expect(sample(text, 'scimgw_journal_sync_bytes_sum', { tenant: 'acme' })).toBeGreaterThan(100);
    } finally {
      await p.stop();
    }
  });
});

describe('metrics switched off', () => {
  it('/metrics is not a route, and process metrics can be left out', async () => {
    const off = await startGateway({ metrics: { enabled: false } });
    const noProcess = await startGateway({ metrics: { processMetrics: false } });
    try {
      expect((await off.call('GET', '/metrics')).status).toBe(404);
      const r = await noProcess.call('GET', '/metrics');
      expect(r.status).toBe(200);
      expect(r.body).toContain('scimgw_http_requests_total');
      expect(r.body).not.toContain('process_cpu_user_seconds_total');
    } finally {
      await off.stop();
      await noProcess.stop();
    }
  });
});
