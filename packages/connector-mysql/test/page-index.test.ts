import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestDatabase } from './helpers/database.js';

describe('page index (bucket counts kept by triggers) on MariaDB', () => {
  it('deep pages are exactly the LIMIT/OFFSET pages, also after deletes and inserts', async () => {
    const db = await createTestDatabase('pages');
    const connector = await createConnector(testContext({ connection: db.connection, createTables: true }));
    try {
      await db.sql(
        `INSERT INTO scim_users (id, created, last_modified, user_name) SELECT CONCAT('u', seq), NOW(3), NOW(3), CONCAT('user-', LPAD(seq, 5, '0')) FROM seq_1_to_5000`,
      );
      await db.sql(`DELETE FROM scim_users WHERE MOD(CAST(SUBSTRING(id, 2) AS UNSIGNED), 7) = 1`);
      const h = createScimHandler({ connector });
      const expected = async (offset: number, count: number) =>
        (
          (await db.sql(`SELECT user_name FROM scim_users ORDER BY seq LIMIT ${count} OFFSET ${offset}`)) as {
            user_name: string;
          }[]
        ).map((r) => r.user_name);
      const total = Number(((await db.sql('SELECT COUNT(*) AS n FROM scim_users')) as { n: number }[])[0]?.n);
      for (const startIndex of [2, 1024, 1025, 2048, 3000, total - 5, total + 1]) {
        const r = await h.handle({ method: 'GET', url: `/Users?startIndex=${startIndex}&count=37&attributes=userName` });
        const body = r.body as { totalResults: number; Resources: { userName: string }[] };
        expect(body.totalResults).toBe(total);
        expect(body.Resources.map((u) => u.userName)).toEqual(await expected(startIndex - 1, 37));
      }
    } finally {
      await connector.close?.();
      await db.drop();
    }
  });
});
