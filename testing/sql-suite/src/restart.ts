/**
 * A database restart in the middle of a run: requests fail with 503 (and `Retry-After`) while the
 * server is away, never 500, and succeed again once it is back, without restarting the gateway.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { startTcpProxy } from './proxy.js';
import type { FreshConnector, SuiteCase } from './types.js';
import { check } from './types.js';

/** Options of {@link restartCases}. */
export interface RestartOptions {
  /** Where the real server listens. */
  target: { host: string; port: number };
  /** A connector on an empty database, connecting through `port` (the proxy). */
  connect(port: number): Promise<FreshConnector>;
}

type Answer = { status: number; body: Record<string, unknown>; headers: Record<string, string> };

export function restartCases(options: RestartOptions): SuiteCase[] {
  return [
    {
      name: 'a database that goes away answers 503 with Retry-After, then recovers without a restart of the gateway',
      async run() {
        const proxy = await startTcpProxy(options.target);
        const fresh = await options.connect(proxy.port);
        try {
          const h = createScimHandler({ connector: fresh.connector });
          const call = async (method: string, url: string, body?: unknown): Promise<Answer> =>
            (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as Answer;
          const created = await call('POST', '/Users', { userName: 'before.restart' });
          check(created.status === 201, `create before: ${created.status}`);
          const id = String(created.body.id);

          // A restart between requests: pooled connections are dead; the next request reconnects.
          proxy.dropAll();
          const afterDrop = await call('GET', `/Users/${id}`);
          check(
            afterDrop.status === 200,
            `read after the connections were cut: ${afterDrop.status} ${JSON.stringify(afterDrop.body)}`,
          );

          proxy.setDown(true);
          for (const [method, url, body] of [
            ['GET', `/Users/${id}`, undefined],
            ['GET', '/Users?filter=userName%20eq%20%22before.restart%22', undefined],
            ['POST', '/Users', { userName: 'during.restart' }],
            ['PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }],
            ['DELETE', `/Users/${id}`, undefined],
          ] as const) {
            const r = await call(method, url, body);
            check(r.status === 503, `${method} ${url} while down: ${r.status} ${JSON.stringify(r.body)}`);
            check(Number(r.headers['retry-after']) > 0, `${method} ${url}: no Retry-After`);
          }

          proxy.setDown(false);
          const back = await call('GET', `/Users/${id}`);
          check(back.status === 200 && back.body.userName === 'before.restart', `read after recovery: ${back.status}`);
          const again = await call('POST', '/Users', { userName: 'after.restart' });
          check(again.status === 201, `create after recovery: ${again.status} ${JSON.stringify(again.body)}`);
          const list = await call('GET', '/Users');
          check(list.body.totalResults === 2, `two users after recovery, got ${list.body.totalResults}`);
        } finally {
          await fresh.done();
          await proxy.close();
        }
      },
    },
    {
      name: 'requests running while the database flaps end in 2xx or 503, never 500, and nothing half-written remains',
      async run() {
        const proxy = await startTcpProxy(options.target);
        const fresh = await options.connect(proxy.port);
        try {
          const h = createScimHandler({ connector: fresh.connector });
          const statuses = new Map<number, number>();
          let stop = false;
          const worker = async (w: number) => {
            for (let i = 0; !stop; i++) {
              const r = await h.handle({
                method: 'POST',
                url: '/Users',
                body: JSON.stringify({ userName: `flap-${w}-${i}`, emails: [{ value: `f${w}-${i}@x`, type: 'work' }] }),
              });
              statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            }
          };
          const workers = [0, 1, 2, 3].map(worker);
          for (let k = 0; k < 3; k++) {
            await new Promise((r) => setTimeout(r, 300));
            proxy.setDown(true);
            await new Promise((r) => setTimeout(r, 300));
            proxy.setDown(false);
          }
          await new Promise((r) => setTimeout(r, 300));
          stop = true;
          await Promise.all(workers);
          const bad = [...statuses.keys()].filter((s) => s !== 201 && s !== 503 && s !== 409);
          check(bad.length === 0, `unexpected statuses: ${JSON.stringify([...statuses])}`);
          check(
            (statuses.get(201) ?? 0) > 0 && (statuses.get(503) ?? 0) > 0,
            `both successes and 503s expected: ${JSON.stringify([...statuses])}`,
          );
          // Every user that exists has its email row: a transaction is all or nothing. Read page by
          // page: a page holds 1,000 at most (maxPageSize), and a fast machine stores more.
          const users: { userName: string; emails?: unknown[] }[] = [];
          for (let start = 1; ; start += 1000) {
            const page = await h.handle({ method: 'GET', url: `/Users?startIndex=${start}&count=1000` });
            const resources = (page.body as { Resources?: { userName: string; emails?: unknown[] }[] }).Resources ?? [];
            // Only this case's users: a connector may keep one database for the whole file.
            users.push(...resources.filter((u) => u.userName.startsWith('flap-')));
            if (resources.length < 1000) break;
          }
          check(users.length >= (statuses.get(201) ?? 0), `${users.length} users stored, ${statuses.get(201)} acknowledged`);
          check(
            users.every((u) => u.emails?.length === 1),
            'a user without its email was stored',
          );
        } finally {
          await fresh.done();
          await proxy.close();
        }
      },
    },
  ];
}
