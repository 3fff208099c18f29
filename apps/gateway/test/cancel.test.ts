import { request } from 'node:http';
import { type Connector, CORE_VERSION, defineConnector, type RequestContext } from '@scimgw/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TEST_BASIC_AUTH, type TestGateway } from '../src/testing.js';

/** A connector whose reads and writes wait until released or aborted, recording what they saw. */
function waitingConnector() {
  const seen: { op: string; aborted: boolean; reason?: string; signal: boolean }[] = [];
  const started: Array<() => void> = [];
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  const wait = async (op: string, ctx: RequestContext) => {
    const signal = ctx.signal;
    const entry: (typeof seen)[number] = { op, aborted: false, signal: signal !== undefined };
    seen.push(entry);
    for (const s of started.splice(0)) s();
    await Promise.race([
      released,
      new Promise<void>((resolve) =>
        signal?.addEventListener('abort', () => {
          entry.aborted = true;
          entry.reason = (signal.reason as Error).name;
          resolve();
        }),
      ),
    ]);
  };
  const connector: Connector = defineConnector({
    name: 'waiting',
    coreVersion: `^${CORE_VERSION}`,
    resources: {
      User: {
        async query(_q, ctx) {
          await wait('query', ctx);
          return { resources: [], totalResults: 0 };
        },
        async get(id, ctx) {
          await wait('get', ctx);
          return { id, userName: id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] };
        },
        async create(resource, ctx) {
          await wait('create', ctx);
          return { ...resource, id: 'new' };
        },
      },
    },
  });
  const nextStart = () => new Promise<void>((r) => started.push(r));
  return { connector, seen, release, nextStart };
}

let t: TestGateway;
let w: ReturnType<typeof waitingConnector>;
beforeAll(async () => {
  w = waitingConnector();
  t = await startTestGateway({ connector: () => w.connector, endpoint: {} });
});
afterAll(() => t.stop());

/** Sends a request and destroys the connection once the connector has started on it. */
async function sendThenHangUp(method: string, path: string, body?: unknown): Promise<void> {
  const started = w.nextStart();
  const req = request(`${t.base}${path}`, {
    method,
    headers: { authorization: TEST_BASIC_AUTH, 'content-type': 'application/scim+json' },
  });
  req.on('error', () => {});
  req.end(body === undefined ? undefined : JSON.stringify(body));
  await started;
  req.destroy();
}

async function until(fn: () => boolean): Promise<void> {
  while (!fn()) await new Promise((r) => setTimeout(r, 10));
}

describe('ctx.signal', () => {
  it('aborts a list read when the client hangs up', async () => {
    await sendThenHangUp('GET', '/Users?filter=userName%20eq%20%22x%22');
    const e = w.seen.at(-1)!;
    await until(() => e.aborted);
    expect(e).toMatchObject({ op: 'query', signal: true, aborted: true, reason: 'ClientGoneError' });
  });

  it('aborts a read by id, and a POST /.search', async () => {
    await sendThenHangUp('GET', '/Users/abc');
    const get = w.seen.at(-1)!;
    await until(() => get.aborted);
    expect(get.op).toBe('get');
    await sendThenHangUp('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] });
    const search = w.seen.at(-1)!;
    await until(() => search.aborted);
    expect(search.op).toBe('query');
  });

  it('never aborts a write: the backend is not left half-changed', async () => {
    await sendThenHangUp('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'kept' });
    const e = w.seen.at(-1)!;
    expect(e).toMatchObject({ op: 'create', signal: false });
    w.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(e.aborted).toBe(false);
  });

  it('a read that finishes is not aborted afterwards', async () => {
    w.release();
    const res = await t.call('GET', '/Users/done');
    expect(res.status).toBe(200);
    const e = w.seen.at(-1)!;
    expect(e).toMatchObject({ op: 'get', signal: true, aborted: false });
  });
});
