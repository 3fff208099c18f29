import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, harness, serverError, uniqueDb } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.close();
});

describe('commands', () => {
  test('an unsupported command is CommandNotFound (59), never a silent success', async () => {
    for (const command of [
      { collMod: 'x' },
      { renameCollection: 'a.b', to: 'a.c' },
      { serverStatus: 1 },
      { explain: { find: 'x' } },
      { mapReduce: 'x' },
    ]) {
      const error = await serverError(() => h.client.db('admin').command(command));
      expect([error.code, error.codeName]).toEqual([59, 'CommandNotFound']);
      expect(error.message).toBe(`no such command: '${Object.keys(command)[0]}'`);
    }
  });

  test('buildInfo and hello report MongoDB 8.0 (wire version 25)', async () => {
    const info = await h.client.db('admin').command({ buildInfo: 1 });
    expect(info['version']).toBe('8.0.0');
    expect(info['versionArray']).toEqual([8, 0, 0, 0]);
    const hello = await h.client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({
      isWritablePrimary: true,
      maxWireVersion: 25,
      minWireVersion: 0,
      logicalSessionTimeoutMinutes: 30,
    });
    expect(hello['setName']).toBeUndefined();
  });

  test('transactions are refused as on a standalone (IllegalOperation 20); plain writes carry no txnNumber', async () => {
    const c = h.client.db(uniqueDb('txn')).collection('c');
    h.srv.calls.clear();
    await c.insertOne({ a: 1 });
    expect(h.srv.calls.of('insert')[0]!.body['txnNumber']).toBeUndefined();
    const session = h.client.startSession();
    try {
      session.startTransaction();
      const error = await serverError(() => c.insertOne({ a: 2 }, { session }));
      // The driver recognises a standalone's answer and rewraps it, as it does with a real mongod.
      expect(error.message).toBe(
        'This MongoDB deployment does not support retryable writes. Please add retryWrites=false to your connection string.',
      );
      const original = (error as unknown as { originalError: { code: number; codeName: string; errmsg: string } }).originalError;
      expect([original.code, original.codeName]).toEqual([20, 'IllegalOperation']);
      expect(h.srv.calls.of('insert').at(-1)!.body['startTransaction']).toBe(true);
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
    }
    expect(await c.countDocuments()).toBe(1);
  });

  test('sessions: lsid is accepted on every command', async () => {
    const c = h.client.db(uniqueDb('sess')).collection('c');
    const session = h.client.startSession();
    await c.insertOne({ a: 1 }, { session });
    expect(await c.countDocuments({}, { session })).toBe(1);
    await session.endSession();
    expect(h.srv.calls.of('insert').at(-1)!.body['lsid']).toBeDefined();
  });

  test('create, listCollections, drop, dropDatabase, listDatabases', async () => {
    const name = uniqueDb('cat');
    const db = h.client.db(name);
    await db.createCollection('a');
    await db.collection('b').insertOne({ x: 1 });
    const infos = await db.listCollections().toArray();
    expect(infos.map((i) => i.name)).toEqual(['a', 'b']);
    expect(infos[0]).toMatchObject({
      type: 'collection',
      options: {},
      info: { readOnly: false },
      idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
    });
    expect((await db.listCollections({ name: 'b' }, { nameOnly: true }).toArray()).map((i) => i.name)).toEqual(['b']);
    expect(await db.collection('a').drop()).toBe(true);
    expect(await db.collection('never').drop()).toBe(true);
    const dbs = await h.client.db('admin').admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(name);
    await db.dropDatabase();
    expect(await db.listCollections().toArray()).toEqual([]);
    const invalid = await serverError(() => db.createCollection('bad$name'));
    expect(invalid.code).toBe(73);
    const unsupported = await serverError(() => db.createCollection('capped', { capped: true, size: 1000 }));
    expect(unsupported.code).toBe(115);
  });

  test('zlib and zstd compressors requested by the client are negotiated off', async () => {
    const client = new MongoClient(h.srv.url, { compressors: ['zlib'] });
    try {
      await client.connect();
      h.srv.calls.clear();
      await client
        .db(uniqueDb('zip'))
        .collection('c')
        .insertOne({ text: 'x'.repeat(10_000) });
      expect(h.srv.calls.count('insert')).toBe(1);
    } finally {
      await client.close();
    }
  });

  test('$natural sort and w: 0 writes', async () => {
    const c = h.client.db(uniqueDb('nat')).collection<any>('c');
    await c.insertMany([{ _id: 3 }, { _id: 1 }, { _id: 2 }]);
    expect((await c.find().sort({ $natural: -1 }).toArray()).map((d) => d._id)).toEqual([2, 1, 3]);
    await c.insertOne({ _id: 9 }, { writeConcern: { w: 0 } });
    expect(await c.countDocuments({ _id: 9 })).toBe(1);
  });
});
