import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestSchema, PG } from './helpers/database.js';

describe('statement timeout on PostgreSQL', () => {
  it('a write stuck behind a lock is cut off by statementTimeoutMs and answers 503; it succeeds once the lock is gone', async () => {
    const db = await createTestSchema('timeout');
    const connector = await createConnector(
      testContext({ connection: db.connection, createTables: true, statementTimeoutMs: 400, retry: { attempts: 1 } }),
    );
    const locker = new pg.Client({ ...PG, user: 'root' });
    await locker.connect();
    try {
      const h = createScimHandler({ connector });
      const u = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'locked.user' }) });
      const id = (u.body as { id: string }).id;
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM "${db.schema}".scim_users WHERE id = $1 FOR UPDATE`, [id]);
      const started = Date.now();
      const stuck = await h.handle({
        method: 'PATCH',
        url: `/Users/${id}`,
        body: JSON.stringify({ Operations: [{ op: 'replace', path: 'title', value: 'x' }] }),
      });
      expect(stuck.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(20_000);
      await locker.query('ROLLBACK');
      const after = await h.handle({
        method: 'PATCH',
        url: `/Users/${id}`,
        body: JSON.stringify({ Operations: [{ op: 'replace', path: 'title', value: 'y' }] }),
      });
      expect(after.status).toBe(200);
      expect((after.body as { title: string }).title).toBe('y');
    } finally {
      await locker.end();
      await connector.close?.();
      await db.drop();
    }
  });
});
