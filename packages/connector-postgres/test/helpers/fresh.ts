/** A connector on a schema of its own (default layout created), for suites that need an empty database. */
import { testContext } from '@scimgw/core/testkit';
import type { FreshConnector } from '@scimgw/testing-sql';
import { createConnector } from '../../src/index.js';
import { createTestSchema } from './database.js';

export async function freshConnector(extra: Record<string, unknown> = {}, label = 'f'): Promise<FreshConnector> {
  const db = await createTestSchema(label);
  try {
    const connector = await createConnector(testContext({ connection: db.connection, createTables: true, ...extra }));
    return {
      connector,
      async sql(text) {
        return (await db.sql(text)).rows;
      },
      async done() {
        await connector.close?.();
        await db.drop();
      },
    };
  } catch (e) {
    await db.drop();
    throw e;
  }
}
