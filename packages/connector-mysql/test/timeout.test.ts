import { timeoutCases } from '@scimgw/testing-sql';
import mysql from 'mysql2/promise';
import { describe, it } from 'vitest';
import { MY } from './helpers/database.js';
import { mariadb } from './helpers/dialect.js';

describe('statement timeout on MariaDB', () => {
  const cases = timeoutCases({
    dialect: mariadb,
    async locker(db) {
      const locker = await mysql.createConnection({ ...MY, database: db.database });
      return {
        async lock(id) {
          await locker.query('START TRANSACTION');
          await locker.query('SELECT 1 FROM scim_users WHERE id = ? FOR UPDATE', [id]);
        },
        release: async () => void (await locker.query('ROLLBACK')),
        end: () => locker.end(),
      };
    },
  });
  for (const c of cases) it(c.name, c.run);
});
