import { timeoutCases } from '@scimgw/testing-sql';
import pg from 'pg';
import { describe, it } from 'vitest';
import { PG } from './helpers/database.js';
import { postgres } from './helpers/dialect.js';

describe('statement timeout on PostgreSQL', () => {
  const cases = timeoutCases({
    dialect: postgres,
    async locker(db) {
      const locker = new pg.Client({ ...PG, user: 'root' });
      await locker.connect();
      return {
        async lock(id) {
          await locker.query('BEGIN');
          await locker.query(`SELECT 1 FROM "${db.schema}".scim_users WHERE id = $1 FOR UPDATE`, [id]);
        },
        release: async () => void (await locker.query('ROLLBACK')),
        end: () => locker.end(),
      };
    },
  });
  for (const c of cases) it(c.name, c.run);
});
