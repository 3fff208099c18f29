/**
 * Deadlines and retries on Node and on Bun: a hung target, a slow one, a stuck first exchange,
 * writes that must not be sent twice, Retry-After, redirects and keep-alive reuse. The same
 * script (fixtures/deadline-drive.ts) runs on both runtimes against the servers started here.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeadlineTargets, driveDeadlines } from './fixtures/deadline-drive.js';
import { json, refusedPort, startServer, type TestServer } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const bun = [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')].find((c) => c && existsSync(c));

let scenario: TestServer;
let other: TestServer;
let keepAlive: TestServer;
let refused: string;
/** Sockets that carried requests, per run tag. */
const sockets = new Map<string, Set<Socket>>();
/** Sockets the client closed while the server held the request unanswered, per run tag. */
const abandoned = new Map<string, number>();
/** Bytes the endless answer had written when the client closed its connection, per run tag. */
const endlessSent = new Map<string, number>();

const tagOf = (url: string) => url.split('/')[1] ?? '';

beforeAll(async () => {
  other = await startServer((req, res) => json(res, 200, { authorization: req.headers.authorization ?? null, url: req.url }));
  scenario = await startServer((req, res, _body, n) => {
    const url = req.url ?? '';
    const tag = tagOf(url);
    const rest = url.slice(tag.length + 1);
    const seen = scenario.requests.filter((r) => r.url === url).length;
    if (rest.startsWith('/hang/')) {
      // Never answers; counts the connections the client gives up on.
      req.socket.once('close', () => abandoned.set(tag, (abandoned.get(tag) ?? 0) + 1));
      return;
    }
    if (rest === '/stuck-once') {
      if (seen === 1) return;
      return json(res, 200, { attempt: seen });
    }
    if (rest.startsWith('/slow/')) {
      setTimeout(() => json(res, 200, { n }), 200);
      return;
    }
    if (rest === '/throttle-once') {
      return seen === 1 ? json(res, 429, { detail: 'slow down' }, { 'retry-after': '0' }) : json(res, 201, { attempt: seen });
    }
    if (rest === '/busy') return json(res, 503, { detail: 'maintenance' }, { 'retry-after': '5' });
    if (rest === '/big/fits') return json(res, 200, { pad: 'x'.repeat(900) });
    if (rest === '/big/declared') return json(res, 200, { pad: 'x'.repeat(5000) });
    if (rest === '/big/endless') {
      // Chunked, no Content-Length, never ends: only the client closing the connection stops it.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"pad":"');
      let sent = 0;
      const chunk = 'x'.repeat(16 * 1024);
      const timer = setInterval(() => {
        sent += chunk.length;
        res.write(chunk);
      }, 2);
      req.socket.once('close', () => {
        clearInterval(timer);
        endlessSent.set(tag, sent);
      });
      return;
    }
    if (rest === '/redirect-same') {
      res.writeHead(302, { location: `/${tag}/echo` });
      res.end();
      return;
    }
    if (rest === '/redirect-other') {
      res.writeHead(302, { location: `${other.url}/echo` });
      res.end();
      return;
    }
    if (rest === '/echo') return json(res, 200, { authorization: req.headers.authorization ?? null, url: req.url });
    return json(res, 404, { detail: `no route ${url}` });
  });
  keepAlive = await startServer((req, res) => {
    const tag = tagOf(req.url ?? '');
    const set = sockets.get(tag) ?? new Set<Socket>();
    sockets.set(tag, set.add(req.socket));
    json(res, 200, { connections: set.size });
  });
  refused = `http://127.0.0.1:${await refusedPort()}`;
});
afterAll(async () => {
  await Promise.all([scenario, other, keepAlive].map((s) => s?.close()));
});

const targets = (tag: string): DeadlineTargets => ({
  base: scenario.url,
  other: other.url,
  keepAlive: keepAlive.url,
  refused,
  tag,
});

/** How many requests the scenario server received for `path` in the run `tag`. */
const received = (tag: string, path: string) => scenario.requests.filter((r) => r.url === `/${tag}${path}`).length;

const timedOut = (deadline: boolean, mayHaveBeenApplied: boolean, extra: Record<string, unknown> = {}) =>
  expect.objectContaining({ error: 'RestTimeoutError', deadline, mayHaveBeenApplied, scimStatus: 504, ...extra });

const EXPECTED = {
  hungGet: timedOut(true, false),
  hungPost: timedOut(true, true, { scimDetail: expect.stringMatching(/may still apply it/) }),
  hungPut: timedOut(true, true),
  hungPostIdempotent: timedOut(true, true),
  stuckOnce: { status: 200, body: { attempt: 2 } },
  slow: { status: 200, body: expect.objectContaining({ n: expect.any(Number) }) },
  sharedDeadline: { firstTwo: [200, 200], last: { error: 'RestTimeoutError', deadline: true } },
  freshContexts: [200, 200, 200],
  unreachable: expect.objectContaining({ error: 'RestNetworkError', reached: false, scimStatus: 503, scimRetryAfter: '30' }),
  unreachableConfigured: expect.objectContaining({ error: 'RestNetworkError', scimStatus: 503, scimRetryAfter: '2' }),
  throttledPost: { status: 201, body: { attempt: 2 } },
  busyPastDeadline: expect.objectContaining({
    error: 'RestError',
    status: 503,
    retryAfter: 5,
    scimStatus: 503,
    scimRetryAfter: '5',
  }),
  withinLimit: { status: 200, body: { pad: 'x'.repeat(900) } },
  declaredTooLarge: expect.objectContaining({
    error: 'RestResponseTooLargeError',
    scimStatus: 502,
    scimDetail: expect.stringMatching(/larger than the gateway reads \(1000 bytes, connection\.maxResponseBytes\)/),
  }),
  streamedTooLarge: expect.objectContaining({ error: 'RestResponseTooLargeError', scimStatus: 502 }),
  redirectSameOrigin: { status: 200, body: { authorization: 'Bearer redirect-token', url: expect.stringMatching(/\/echo$/) } },
  redirectOtherOrigin: { status: 200, body: { authorization: null, url: '/echo' } },
  afterSequential: expect.any(Number),
  afterParallel: expect.any(Number),
};

/** What the servers saw of one run. */
function serverSide(tag: string) {
  return {
    hungGet: received(tag, '/hang/get'),
    hungPost: received(tag, '/hang/post'),
    hungPut: received(tag, '/hang/put'),
    hungPostIdempotent: received(tag, '/hang/post-idempotent'),
    stuckOnce: received(tag, '/stuck-once'),
    slow: received(tag, '/slow/one'),
    throttledPost: received(tag, '/throttle-once'),
    busy: received(tag, '/busy'),
    declaredTooLarge: received(tag, '/big/declared'),
    streamedTooLarge: received(tag, '/big/endless'),
  };
}

const SERVER_SIDE = {
  // Attempts of 400 ms until the 2000 ms deadline: two to five, depending on the machine (with a
  // 1000 ms deadline a stalled first attempt on a busy machine left no room for a second).
  hungGet: expect.toSatisfy((n: number) => n >= 2 && n <= 5),
  // Writes are sent once…
  hungPost: 1,
  hungPut: 1,
  // …unless the target is configured to apply them idempotently (300 ms attempts, same deadline).
  hungPostIdempotent: expect.toSatisfy((n: number) => n >= 2 && n <= 4),
  stuckOnce: 2,
  slow: 1,
  throttledPost: 2,
  busy: 1,
  // An answer too large is not asked for again.
  declaredTooLarge: 1,
  streamedTooLarge: 1,
};

function checkRun(tag: string, seen: Record<string, unknown>): void {
  const server = serverSide(tag);
  expect(server).toEqual(SERVER_SIDE);
  // Every exchange left hanging was abandoned by the client (its connection closed).
  expect(abandoned.get(tag)).toBe(server.hungGet + server.hungPost + server.hungPut + server.hungPostIdempotent);
  // The endless answer was cut off by the client (its connection closed) soon after the limit.
  expect(endlessSent.get(tag)).toBeLessThan(8 * 1024 * 1024);
  // Connections are reused: 21 sequential calls and 5 rounds of 8 parallel ones (40 more) over a
  // handful of connections. undici's pool may open a second connection per concurrent caller
  // (a connection is free again a moment after its answer); never one per request.
  expect(seen.afterSequential as number).toBeGreaterThanOrEqual(1);
  expect(seen.afterSequential as number).toBeLessThanOrEqual(2);
  expect(seen.afterParallel as number).toBeLessThanOrEqual(20);
}

describe('deadlines, retries and connection reuse on both runtimes', () => {
  it('on Node (undici dispatcher)', async () => {
    const seen = await driveDeadlines(targets('node'));
    expect(seen).toEqual({ runtime: 'node', ...EXPECTED });
    checkRun('node', seen);
  }, 60_000);

  it("on Bun (Bun's fetch)", async () => {
    if (!bun) throw new Error('bun not found: it is a dev dependency of @scimgw/helper-rest (pnpm install), or set BUN_BIN');
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        bun,
        [join(here, 'fixtures', 'bun-deadline.ts'), JSON.stringify(targets('bun'))],
        { cwd: resolve(here, '..'), timeout: 60_000 },
        (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
      ),
    );
    const seen = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(seen).toEqual({ runtime: 'bun', ...EXPECTED });
    checkRun('bun', seen);
  }, 90_000);
});
