import { fileURLToPath } from 'node:url';
import { sideBySideCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { createTestDatabase } from './helpers/database.js';

describe('two gateway processes on one MariaDB database', () => {
  const cases = sideBySideCases({
    name: 'connector-mysql',
    connector: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
    async database() {
      const db = await createTestDatabase('side');
      return {
        endpoint: { connection: db.connection, createTables: true, pool: { max: 5 } },
        drop: () => db.drop(),
      };
    },
  });
  for (const c of cases) it(c.name, c.run, 120_000);
});
