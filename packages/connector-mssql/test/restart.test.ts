import { testContext } from '@scimgw/core/testkit';
import { restartCases } from '@scimgw/testing-sql';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers/emulator.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('SQL Server going away in the middle of a run (through a proxy that drops connections)', () => {
  const cases = restartCases({
    get target() {
      return { host: server.tds.host, port: server.tds.port };
    },
    async connect(port) {
      const connector = await createConnector(
        testContext({
          connection: { ...server.connection, port },
          createTables: true,
          pool: { max: 4, connectionTimeoutMs: 1000 },
          retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
        }),
      );
      return { connector, done: async () => connector.close?.() };
    },
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
