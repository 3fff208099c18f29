/**
 * Two writers adding the same member: the second MERGE waits on the first's uncommitted row and
 * is then refused by the primary key (301). That is a write conflict, retried — not a 409.
 */
import { describe, expect, it } from 'vitest';
import { promised } from '../../src/tables/native.js';
import { LOGIN, useHanaHandler } from '../helpers/emulator.js';

const hana = useHanaHandler();
const { call } = hana;

/** Waits until a session of the emulator's database waits on a lock (bounded; fails otherwise). */
async function someoneWaitsOnALock(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const [row] = await hana.server.sql(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((row?.n as number) > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the PATCH never waited on the concurrent insert');
}

describe('concurrent member additions, table mode, on the HANA emulator', () => {
  it('a MERGE that loses the race to the same key is retried and succeeds (never 409)', async () => {
    const user = await call('POST', '/Users', { userName: 'racer' });
    const group = await call('POST', '/Groups', { displayName: 'race-group' });
    const uid = String(user.body.id);
    const gid = String(group.body.id);
    const other = hana.server.hana.module.createConnection();
    await promised<void>((cb) =>
      other.connect({ serverNode: hana.server.hana.serverNode, uid: LOGIN.user, pwd: LOGIN.password }, cb),
    );
    other.setAutoCommit(false);
    await promised((cb) =>
      other.exec('INSERT INTO "scim_group_members" ("group_id", "member_id") VALUES (?, ?)', [gid, uid], cb),
    );
    const patch = call('PATCH', `/Groups/${gid}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: uid }] }],
    });
    await someoneWaitsOnALock();
    await promised<void>((cb) => other.commit(cb));
    await promised<void>((cb) => other.disconnect(cb));
    const r = await patch;
    expect(r.status).toBeLessThan(300);
    const members = await hana.server.sql(`SELECT member_id FROM "scim_group_members" WHERE group_id = '${gid}'`);
    expect(members).toEqual([{ member_id: uid }]);
  });
});
