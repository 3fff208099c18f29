/** A connector on an emulator of its own (default layout created), for suites that need an empty database. */
import { testContext } from '@scimgw/core/testkit';
import type { FreshConnector } from '@scimgw/testing-sql';
import { createConnector } from '../../src/index.js';
import { startTestServer } from './emulator.js';

export async function freshConnector(extra: Record<string, unknown> = {}): Promise<FreshConnector> {
  const server = await startTestServer();
  try {
    const connector = await createConnector(testContext({ connection: server.connection, createTables: true, ...extra }));
    return {
      connector,
      sql: (text) => server.sql(text),
      async done() {
        await connector.close?.();
        await server.close();
      },
    };
  } catch (e) {
    await server.close();
    throw e;
  }
}
