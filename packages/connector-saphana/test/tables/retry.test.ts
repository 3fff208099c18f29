import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { createHanaConnector } from '../../src/index.js';
import { promised } from '../../src/tables/native.js';
import { LOGIN, useHanaHandler } from '../helpers/emulator.js';

const hana = useHanaHandler({ retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, retryAfterSeconds: 7 } });
const { call } = hana;

describe('transient HANA errors, table mode', () => {
  it('a pooled connection that broke (-10807) is discarded and the operation retried on a new one', async () => {
    const u = await call('POST', '/Users', { userName: 'retry-a' });
    expect(u.status).toBe(201);
    expect(hana.server.hana.openSessions()).toBeGreaterThan(0);
    hana.server.hana.breakConnections();
    const again = await call('GET', `/Users/${String(u.body.id)}`);
    expect(again.status).toBe(200);
    expect(again.body.userName).toBe('retry-a');
  });
  it('a server refusing connections (-10709) past the retries answers 503 with Retry-After, and recovers', async () => {
    hana.server.hana.breakConnections();
    hana.server.hana.refuseConnections(true);
    try {
      const r = await call('GET', '/Users?filter=userName%20eq%20%22retry-a%22');
      expect(r.status).toBe(503);
      expect(Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1]).toBe('7');
    } finally {
      hana.server.hana.refuseConnections(false);
    }
    const back = await call('GET', '/Users?filter=userName%20eq%20%22retry-a%22');
    expect(back.body.totalResults).toBe(1);
  });
});

describe('statement timeout, table mode', () => {
  it('a statement waiting on a lock past statementTimeoutMs is aborted (613) and answered 503, not retried into a hang', async () => {
    // No startup statements on the timed connector (the machine may be loaded): the layout is known.
    const ctx = testContext(hana.server.config({ statementTimeoutMs: 1000, createTables: false, checkLayout: false }));
    const timed = await createHanaConnector({
      config: ctx.config,
      registry: ctx.registry,
      log: ctx.log,
      hana: hana.server.hana.module,
    });
    const handler = createScimHandler({ connector: timed });
    const created = await handler.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'locked-1' }) });
    const id = String((created.body as { id: string }).id);
    const holder = hana.server.hana.module.createConnection();
    await promised<void>((cb) =>
      holder.connect({ serverNode: hana.server.hana.serverNode, uid: LOGIN.user, pwd: LOGIN.password }, cb),
    );
    try {
      holder.setAutoCommit(false);
      await promised((cb) => holder.exec('UPDATE "scim_users" SET "display_name" = ? WHERE "id" = ?', ['held', id], cb));
      const r = await handler.handle({
        method: 'PATCH',
        url: `/Users/${id}`,
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
        }),
      });
      expect(r.status).toBe(503);
    } finally {
      await promised<void>((cb) => holder.rollback(cb));
      await promised<void>((cb) => holder.disconnect(cb));
      await timed.close?.();
    }
  });
});
