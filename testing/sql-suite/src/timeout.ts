/**
 * The statement timeout: a write stuck behind a row lock is cut off by `statementTimeoutMs` and
 * answers 503; it succeeds once the lock is gone.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import type { SqlDialect, TestDatabase } from './dialect.js';
import type { SuiteCase } from './types.js';
import { check } from './types.js';

/** A second, administrator's session that holds a row lock. */
export interface RowLocker {
  /** Opens a transaction and locks the row of user `id` in `scim_users` (`SELECT … FOR UPDATE`). */
  lock(id: string): Promise<void>;
  /** Rolls the transaction back (the lock goes). */
  release(): Promise<void>;
  /** Closes the session. */
  end(): Promise<void>;
}

/** Options of {@link timeoutCases}. */
export interface TimeoutOptions<Db extends TestDatabase> {
  dialect: SqlDialect<Db>;
  /** Connects a {@link RowLocker} to `db`. */
  locker(db: Db): Promise<RowLocker>;
}

export function timeoutCases<Db extends TestDatabase>(o: TimeoutOptions<Db>): SuiteCase[] {
  return [
    {
      name: 'a write stuck behind a lock is cut off by statementTimeoutMs and answers 503; it succeeds once the lock is gone',
      async run() {
        const db = await o.dialect.createDatabase('timeout');
        const connector = await o.dialect.createConnector(
          testContext({ connection: db.connection, createTables: true, statementTimeoutMs: 400, retry: { attempts: 1 } }),
        );
        const locker = await o.locker(db);
        try {
          const h = createScimHandler({ connector });
          const u = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'locked.user' }) });
          const id = (u.body as { id: string }).id;
          await locker.lock(id);
          const started = Date.now();
          const stuck = await h.handle({
            method: 'PATCH',
            url: `/Users/${id}`,
            body: JSON.stringify({ Operations: [{ op: 'replace', path: 'title', value: 'x' }] }),
          });
          check(stuck.status === 503, `a write behind the lock answered ${stuck.status}, expected 503`);
          const waited = Date.now() - started;
          check(waited < 20_000, `the stuck write took ${waited} ms`);
          await locker.release();
          const after = await h.handle({
            method: 'PATCH',
            url: `/Users/${id}`,
            body: JSON.stringify({ Operations: [{ op: 'replace', path: 'title', value: 'y' }] }),
          });
          check(after.status === 200, `after the lock: ${after.status}`);
          check(
            (after.body as { title: string }).title === 'y',
            `after the lock: title ${(after.body as { title: string }).title}`,
          );
        } finally {
          await locker.end();
          await connector.close?.();
          await db.drop();
        }
      },
    },
  ];
}
