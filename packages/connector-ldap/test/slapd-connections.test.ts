/**
 * Connections the server closes (a slapd restart, slapd's `idletimeout`) are noticed at once on
 * every transport, StartTLS included: no request waits out `timeoutMs` on a connection that is
 * gone. Each request below must answer well within the operation timeout (5 s here); that is a
 * correctness bound (nothing waited for a timeout), not a benchmark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LdapSettingsConfig } from '../src/index.js';
import { enc, patchBody, type Res, scim } from './helpers/config.js';
import { HAVE_SLAPD, type Slapd, startSlapd } from './helpers/slapd.js';

const TIMEOUT_MS = 5_000;
/** Far below the operation timeout: a request that waited for it cannot pass. */
const QUICK_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The transports, as the connector is configured for each. */
const transports = (s: Slapd): [string, Partial<LdapSettingsConfig>][] => [
  ['StartTLS', { startTls: true, tls: { ca: s.caPem } }],
  ['ldaps://', { baseUrls: [s.ldapsUrl], tls: { ca: s.caPem } }],
  ['ldap://', {}],
];

type Env = ReturnType<typeof scim>;

/** Sends one request and checks it answered `status` without waiting for a timeout. */
async function quick(env: Env, method: string, url: string, body?: unknown, status = 200): Promise<Res> {
  const started = Date.now();
  const res = await env.call(method, url, body);
  const took = Date.now() - started;
  expect({ method, url, status: res.status, slow: took >= QUICK_MS }, `${method} ${url} took ${took} ms`).toEqual({
    method,
    url,
    status,
    slow: false,
  });
  return res;
}

/**
 * Requests that draw every pooled connection and every paging connection: reads by id, filtered
 * lookups, pages (DN snapshots are read with Simple Paged Results on the paging connections) and
 * writes.
 */
async function everyConnection(env: Env, ids: string[], round: number): Promise<void> {
  for (const id of ids) await quick(env, 'GET', `/Users/${enc(id)}`);
  for (let i = 0; i < 4; i++) await quick(env, 'GET', `/Users?filter=${enc('name.familyName eq "Conn"')}`);
  // Parallel pages take different paging connections; `listSnapshotSeconds: 0` reads each afresh.
  await Promise.all([1, 3, 5, 7].map((start) => quick(env, 'GET', `/Users?startIndex=${start}&count=2`)));
  for (const id of ids.slice(0, 2)) {
    const res = await quick(env, 'PATCH', `/Users/${enc(id)}`, patchBody([{ op: 'replace', path: 'title', value: `t${round}` }]));
    expect(res.body.title).toBe(`t${round}`);
  }
}

async function populate(env: Env, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await env.call('POST', '/Users', { userName: `${tag}-${i}`, name: { familyName: 'Conn' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.push(String(res.body.id));
  }
  return ids;
}

const settings = (over: Partial<LdapSettingsConfig>): Partial<LdapSettingsConfig> => ({
  timeoutMs: TIMEOUT_MS,
  connectTimeoutMs: 2_000,
  poolSize: 3,
  pagingConnections: 3,
  listSnapshotSeconds: 0,
  ...over,
});

describe.skipIf(!HAVE_SLAPD)('a slapd restart is noticed at once', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd();
  });
  afterAll(async () => {
    await slapd?.destroy();
  });

  it('on every transport: after a restart every request answers without waiting for the timeout', async () => {
    for (const [name, over] of transports(slapd)) {
      const env = scim(slapd, settings(over));
      try {
        const ids = await populate(env, `restart-${name.replace(/\W/g, '')}`);
        await everyConnection(env, ids, 0);
        for (let round = 1; round <= 2; round++) {
          await slapd.stop();
          await slapd.start();
          await everyConnection(env, ids, round);
        }
        for (const id of ids) await quick(env, 'DELETE', `/Users/${enc(id)}`, undefined, 204);
      } finally {
        await env.connector.close?.();
      }
    }
  }, 120_000);

  it('a request in flight when slapd stops fails at once (503), and the next one succeeds', async () => {
    const env = scim(slapd, settings({ startTls: true, tls: { ca: slapd.caPem } }));
    try {
      const ids = await populate(env, 'inflight');
      await everyConnection(env, ids, 0);
      // Stopped while requests are on their way: they fail with the connection (or succeed
      // first), and none waits for the operation timeout.
      const started = Date.now();
      const pending = ids.map((id) => env.call('GET', `/Users/${enc(id)}`));
      const stopping = slapd.stop();
      const answers = await Promise.all(pending);
      await stopping;
      expect(Date.now() - started).toBeLessThan(QUICK_MS + 1_000);
      for (const a of answers) expect([200, 503]).toContain(a.status);
      await slapd.start();
      await everyConnection(env, ids, 1);
    } finally {
      await env.connector.close?.();
    }
  }, 60_000);
});

describe.skipIf(!HAVE_SLAPD)("slapd's idletimeout closing pooled connections", () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd({ idleTimeout: 2 });
  });
  afterAll(async () => {
    await slapd?.destroy();
  });

  it('on every transport: requests after the idle period succeed without waiting', async () => {
    for (const [name, over] of transports(slapd)) {
      const env = scim(slapd, settings(over));
      try {
        const ids = await populate(env, `idle-${name.replace(/\W/g, '')}`);
        await everyConnection(env, ids, 0);
        // Twice over StartTLS: the connections replaced after the first idle period close too.
        for (let round = 1; round <= (name === 'StartTLS' ? 2 : 1); round++) {
          // slapd checks idle connections every idletimeout/2 at most: 2 s idle is closed by 3 s.
          await sleep(4_000);
          await everyConnection(env, ids, round);
        }
      } finally {
        await env.connector.close?.();
      }
    }
  }, 120_000);
});
