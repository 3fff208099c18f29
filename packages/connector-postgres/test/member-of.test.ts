import { memberOfCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { createTestSchema } from './helpers/database.js';

describe('membership through the user on PostgreSQL', () => {
  const cases = memberOfCases({
    name: 'connector-postgres',
    async database() {
      const db = await createTestSchema('memberof');
      return { endpoint: { connection: db.connection, createTables: true }, drop: () => db.drop() };
    },
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
