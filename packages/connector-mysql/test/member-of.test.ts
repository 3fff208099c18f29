import { memberOfCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { createTestDatabase } from './helpers/database.js';

describe('membership through the user on MariaDB', () => {
  const cases = memberOfCases({
    name: 'connector-mysql',
    async database() {
      const db = await createTestDatabase('memberof');
      return { endpoint: { connection: db.connection, createTables: true }, drop: () => db.drop() };
    },
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
