import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestSchema } from './helpers/database.js';

describe('page index (bucket counts kept by triggers) on PostgreSQL', () => {
  it('deep pages are exactly the LIMIT/OFFSET pages, also after deletes and inserts', async () => {
    const db = await createTestSchema('pages');
    const connector = await createConnector(testContext({ connection: db.connection, createTables: true }));
    try {
      await db.sql(
        `INSERT INTO scim_users (id, created, last_modified, user_name) SELECT 'u' || i, now(), now(), 'user-' || lpad(i::text, 5, '0') FROM generate_series(1, 5000) AS i`,
      );
      await db.sql(`DELETE FROM scim_users WHERE id IN (SELECT 'u' || i FROM generate_series(1, 5000, 7) AS i)`);
      const h = createScimHandler({ connector });
      const expected = async (offset: number, count: number) =>
        (await db.sql(`SELECT user_name FROM scim_users ORDER BY seq LIMIT ${count} OFFSET ${offset}`)).rows.map(
          (r) => r.user_name,
        );
      const total = Number((await db.sql('SELECT count(*) AS n FROM scim_users')).rows[0].n);
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
