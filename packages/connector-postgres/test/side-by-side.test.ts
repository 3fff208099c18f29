import { fileURLToPath } from 'node:url';
import { sideBySideCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { createTestSchema } from './helpers/database.js';

const SECRET = 'Side-By-Side-S3cret!';

describe('two gateway processes on one PostgreSQL database', () => {
  const cases = sideBySideCases({
    name: 'connector-postgres',
    connector: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
    secret: SECRET,
    async database() {
      const db = await createTestSchema('side');
      return {
        // The first gateway creates the tables; the second finds them.
        endpoint: { connection: { ...db.connection, password: SECRET }, createTables: true, pool: { max: 5 } },
        drop: () => db.drop(),
      };
    },
  });
  for (const c of cases) it(c.name, c.run, 120_000);
});
