/**
 * Built-in roles, as MongoDB's "Built-In Roles" documents them: `read` reads one database,
 * `readWrite` also writes and manages its indexes, `readAnyDatabase` reads every database,
 * `root` does everything; the rest is 13 Unauthorized "not authorized on <db> to execute command".
 */
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MongoWireServer, startMongoWireServer } from '../src/index.js';
import { actionOf } from '../src/auth/roles.js';
import { serverError, withClient } from './helpers.js';

let srv: MongoWireServer;

beforeAll(async () => {
  srv = await startMongoWireServer({
    users: [
      { username: 'admin', password: 'pw-admin' },
      { username: 'reader', password: 'pw-reader', roles: [{ role: 'read', db: 'hr' }] },
      { username: 'writer', password: 'pw-writer', roles: [{ role: 'readWrite', db: 'hr' }] },
      { username: 'auditor', password: 'pw-auditor', roles: [{ role: 'readAnyDatabase', db: 'admin' }] },
      // A role on a database that is not `admin` grants nothing anywhere else.
      { username: 'misplaced', password: 'pw-misplaced', roles: [{ role: 'readAnyDatabase', db: 'hr' }] },
    ],
  });
  await as('admin', (c) => c.db('hr').collection('users').insertOne({ userName: 'bjensen' }));
  await as('admin', (c) => c.db('other').collection('users').insertOne({ userName: 'jsmith' }));
});
afterAll(async () => {
  await srv.stop();
  expect(srv.internalErrors).toEqual([]);
});

const as = <T>(user: string, fn: (client: MongoClient) => Promise<T>): Promise<T> =>
  withClient(srv.connectionString({ username: user, password: `pw-${user}` }), fn);

describe('built-in roles', () => {
  test('read: finds, counts and lists indexes on its database; every write is 13 Unauthorized', async () => {
    await as('reader', async (c) => {
      const users = c.db('hr').collection('users');
      expect(await users.findOne({ userName: 'bjensen' })).toMatchObject({ userName: 'bjensen' });
      expect(await users.countDocuments()).toBe(1);
      expect((await users.listIndexes().toArray()).map((i) => i.name)).toContain('_id_');
      for (const write of [
        () => users.insertOne({ userName: 'x' }),
        () => users.updateOne({ userName: 'bjensen' }, { $set: { a: 1 } }),
        () => users.deleteOne({ userName: 'bjensen' }),
        () => users.createIndex({ userName: 1 }),
        () => users.findOneAndUpdate({ userName: 'bjensen' }, { $set: { a: 1 } }),
      ]) {
        const e = await serverError(write);
        expect([e.code, e.codeName]).toEqual([13, 'Unauthorized']);
        expect(e.message).toMatch(/^not authorized on hr to execute command \{ \w+: "users" \}$/);
      }
      expect((await serverError(() => c.db('other').collection('users').findOne({}))).code).toBe(13);
    });
  });

  test('readWrite: writes and creates indexes on its database only', async () => {
    await as('writer', async (c) => {
      const users = c.db('hr').collection('users');
      await users.insertOne({ userName: 'new' });
      await users.createIndex({ userName: 1 }, { unique: true });
      expect((await users.deleteOne({ userName: 'new' })).deletedCount).toBe(1);
      expect((await serverError(() => c.db('other').collection('users').insertOne({ a: 1 }))).code).toBe(13);
      expect((await serverError(() => c.db('other').collection('users').findOne({}))).code).toBe(13);
    });
  });

  test('readAnyDatabase on admin reads everywhere and writes nowhere; granted on another database, nothing', async () => {
    await as('auditor', async (c) => {
      expect(await c.db('other').collection('users').findOne({})).toMatchObject({ userName: 'jsmith' });
      expect((await serverError(() => c.db('hr').collection('users').insertOne({ a: 1 }))).code).toBe(13);
    });
    await as('misplaced', async (c) => {
      expect((await serverError(() => c.db('hr').collection('users').findOne({}))).code).toBe(13);
    });
  });

  test("connectionStatus reports the user's roles; ping and hello need none", async () => {
    await as('reader', async (c) => {
      await c.db('admin').command({ ping: 1 });
      const status = await c.db('admin').command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUserRoles).toEqual([{ role: 'read', db: 'hr' }]);
    });
  });

  test('an aggregation writing with $out or $merge is a write', () => {
    expect(actionOf('aggregate', { aggregate: 'users', pipeline: [{ $match: {} }] })).toBe('read');
    expect(actionOf('aggregate', { aggregate: 'users', pipeline: [{ $match: {} }, { $out: 'copy' }] })).toBe('write');
    expect(actionOf('aggregate', { aggregate: 'users', pipeline: [{ $merge: { into: 'copy' } }] })).toBe('write');
    expect(actionOf('hello', { hello: 1 })).toBeUndefined();
  });
});
