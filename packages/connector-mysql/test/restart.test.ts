import { testContext } from '@scimgw/core/testkit';
import { restartCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestDatabase, MY } from './helpers/database.js';

describe('MariaDB restart in the middle of a run (through a proxy that drops connections)', () => {
  const cases = restartCases({
    target: { host: MY.host, port: MY.port },
    async connect(port) {
      const db = await createTestDatabase('restart');
      const connector = await createConnector(
        testContext({
          connection: { ...db.connection, port },
          createTables: true,
          pool: { max: 4, connectionTimeoutMs: 1000 },
          retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
        }),
      );
      return {
        connector,
        async done() {
          await connector.close?.();
          await db.drop();
        },
      };
    },
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
