import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers/emulator.js';

let server: TestServer;
let h: ReturnType<typeof createScimHandler>;
let close: (() => Promise<void>) | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startTestServer();
  const connector = await createConnector(
    testContext({
      connection: server.connection,
      createTables: true,
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, retryAfterSeconds: 7 },
    }),
  );
  close = async () => connector.close?.();
  h = createScimHandler({ connector });
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await close?.();
  await server?.close();
});

const create = (userName: string) => h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName }) });

describe('transient SQL Server errors are retried with a bound (through mssql/tedious on the TDS emulator)', () => {
  it.each([
    [1205, 'deadlock victim'],
    [40613, 'Azure SQL database not available (failover)'],
    [40501, 'Azure SQL service busy'],
    [1222, 'lock request timeout'],
  ])('error %i (%s) once: the write is retried and succeeds', async (number) => {
    server.inject({ number, match: /INSERT INTO \[scim_users\]/ });
    const r = await create(`retried.${number}`);
    expect(r.status).toBe(201);
    const rows = await server.sql(`SELECT user_name FROM scim_users WHERE user_name = 'retried.${number}'`);
    expect(rows).toHaveLength(1);
  });
  it('a deadlock on every attempt ends as 503 with Retry-After after exactly `attempts` tries', async () => {
    server.inject({ number: 1205, match: /INSERT INTO \[scim_users\]/, times: 10 });
    const r = await create('never.stored');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('7');
    expect(await server.sql(`SELECT 1 FROM scim_users WHERE user_name = 'never.stored'`)).toHaveLength(0);
    server.tds.clearFaults();
  });
  it('a connection the server closes mid-request (failover) is retried on a new connection, without an unhandled rejection', async () => {
    server.tds.statements.length = 0;
    server.inject({ drop: true, match: /INSERT INTO \[scim_users\]/ });
    const r = await create('after.failover');
    expect(r.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
  it('a unique violation is not retried: 409 uniqueness at once', async () => {
    expect((await create('dup.user')).status).toBe(201);
    const r = await create('dup.user');
    expect(r.status).toBe(409);
    expect((r.body as { scimType?: string }).scimType).toBe('uniqueness');
  });
});
