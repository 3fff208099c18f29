/**
 * A run against a real MongoDB that dies before `stop()` leaves its users behind; the next run that
 * makes users drops those older than an hour, and only those (checked on the test server, through
 * the same commands a real server answers).
 */
import { randomBytes } from 'node:crypto';
import { startMongoWireServer } from '@scimgw/testing-mongo-wire-server';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropStaleUsers, STALE_USERS_MS } from './helpers/backend.js';

const admin = { username: 'root_admin', password: randomBytes(12).toString('hex') };
let srv: Awaited<ReturnType<typeof startMongoWireServer>>;
let client: MongoClient;

beforeAll(async () => {
  srv = await startMongoWireServer({ users: [admin] });
  client = new MongoClient(srv.connectionString(admin));
});
afterAll(async () => {
  await client?.close();
  await srv?.stop();
});

async function names(): Promise<string[]> {
  const info = await client.db('admin').command({ usersInfo: { forAllDBs: true } });
  return (info['users'] as { user: string; db: string }[]).map((u) => `${u.db}.${u.user}`).sort();
}

describe('users of runs that died', () => {
  it('are dropped once older than the limit; newer runs and other users stay', async () => {
    const now = Date.now();
    const stamp = (t: number) => t.toString(36);
    const make = (db: string, user: string) =>
      client.db(db).command({ createUser: user, pwd: 'pw-123456', roles: [{ role: 'read', db }] });
    const old = `scimgw_101_${stamp(now - STALE_USERS_MS - 60_000)}_alice`;
    const oldOtherDb = `scimgw_102_${stamp(now - 3 * STALE_USERS_MS)}_bob`;
    const running = `scimgw_103_${stamp(now - 60_000)}_carol`;
    await make('admin', old);
    await make('app', oldOtherDb);
    await make('admin', running);
    await make('admin', 'scimgw_service'); // not a run's name
    await make('admin', 'app_scimgw_104_1_dave'); // the pattern, but not at the start

    expect(await dropStaleUsers(client, now)).toEqual([`admin.${old}`, `app.${oldOtherDb}`]);
    expect(await names()).toEqual(
      ['admin.app_scimgw_104_1_dave', 'admin.root_admin', `admin.${running}`, 'admin.scimgw_service'].sort(),
    );
    // Nothing left to drop: a second sweep is a no-op.
    expect(await dropStaleUsers(client, now)).toEqual([]);
  });
});
