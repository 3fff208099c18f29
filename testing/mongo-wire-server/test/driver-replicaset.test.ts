import { BSON as RawBSON } from 'bson';
import { BSON, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MongoWireServer, startMongoWireServer } from '../src/index.js';
import { serverError, uniqueDb } from './helpers.js';
import { RawClient } from './raw-client.js';

let srv: MongoWireServer;
let client: MongoClient;
beforeAll(async () => {
  srv = await startMongoWireServer({ replicaSet: 'rs0' });
  client = new MongoClient(srv.url, { serverSelectionTimeoutMS: 10_000, heartbeatFrequencyMS: 500 });
  await client.connect();
});
afterAll(async () => {
  await client.close();
  await srv.stop();
  expect(srv.internalErrors).toEqual([]);
});

describe('replica-set member shape', () => {
  test('hello describes a one-member replica set primary and replies gossip the cluster time', async () => {
    expect(srv.url).toContain('replicaSet=rs0');
    const hello = await client.db('admin').command({ hello: 1 });
    const me = `127.0.0.1:${srv.port}`;
    expect(hello).toMatchObject({
      setName: 'rs0',
      setVersion: 1,
      isWritablePrimary: true,
      secondary: false,
      hosts: [me],
      primary: me,
      me,
      maxWireVersion: 25,
    });
    expect(hello['electionId']).toBeInstanceOf(BSON.ObjectId);
    expect(hello['lastWrite'].opTime.ts).toBeInstanceOf(BSON.Timestamp);
    expect(hello['$clusterTime'].clusterTime).toBeInstanceOf(BSON.Timestamp);
    expect(hello['operationTime']).toBeInstanceOf(BSON.Timestamp);
    const description = client.options.replicaSet;
    expect(description).toBe('rs0');
  });

  test('writes advance operationTime', async () => {
    const c = client.db(uniqueDb('rs')).collection('t');
    const session = client.startSession({ causalConsistency: true });
    await c.insertOne({ a: 1 }, { session });
    const first = session.operationTime!;
    await c.insertOne({ a: 2 }, { session });
    expect(session.operationTime!.greaterThan(first)).toBe(true);
    // A causally consistent read carries afterClusterTime.
    await c.findOne({}, { session });
    expect(srv.calls.of('find').at(-1)!.body['readConcern']).toMatchObject({ afterClusterTime: session.operationTime });
    await session.endSession();
  });
});

describe('retryable writes', () => {
  test('writes carry txnNumber; a write whose connection drops is retried and applied once', async () => {
    const c = client.db(uniqueDb('retry')).collection('t');
    srv.calls.clear();
    srv.failNext('insert', { closeConnection: true });
    await c.insertOne({ _id: 1 } as never);
    const inserts = srv.calls.of('insert');
    expect(inserts).toHaveLength(2);
    expect(inserts[0]!.body['txnNumber']).toEqual(inserts[1]!.body['txnNumber']);
    expect(await c.countDocuments()).toBe(1);
  });

  test('a write that ran but whose reply was lost is retried by the driver and not applied twice', async () => {
    const c = client.db(uniqueDb('retry')).collection<any>('t');
    await c.insertOne({ _id: 1, n: 0 });
    srv.calls.clear();
    srv.failNext('update', { closeConnection: true, afterRunning: true });
    const result = await c.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    expect([result.matchedCount, result.modifiedCount]).toEqual([1, 1]);
    expect(srv.calls.count('update')).toBe(2);
    expect((await c.findOne({ _id: 1 }))!.n).toBe(1);
  });

  test('the same txnNumber on the same session returns the first reply without running again', async () => {
    const db = uniqueDb('retry');
    const raw = await RawClient.open(srv.port);
    const lsid = { id: new RawBSON.UUID() };
    const command = { insert: 't', documents: [{ n: 1 }], lsid, txnNumber: RawBSON.Long.fromNumber(5), $db: db };
    const first = await raw.command(command, 1);
    const second = await raw.command(command, 2);
    expect(first).toMatchObject({ n: 1, ok: 1 });
    expect(second).toMatchObject({ n: 1, ok: 1 });
    expect(await client.db(db).collection('t').countDocuments()).toBe(1);
    const old = await raw.command({ ...command, txnNumber: RawBSON.Long.fromNumber(4) }, 3);
    expect(old).toMatchObject({ ok: 0, code: 225, codeName: 'TransactionTooOld' });
    const multi = await raw.command(
      {
        update: 't',
        updates: [{ q: {}, u: { $set: { x: 1 } }, multi: true }],
        lsid,
        txnNumber: RawBSON.Long.fromNumber(6),
        $db: db,
      },
      4,
    );
    expect(multi).toMatchObject({ ok: 0, code: 72 });
    raw.close();
  });
});

describe('transactions', () => {
  test('withTransaction commits writes to two collections at once', async () => {
    const db = client.db(uniqueDb('txn'));
    await db.collection('users').insertOne({ _id: 'u1', groups: [] } as never);
    await db.collection('groups').insertOne({ _id: 'g1', members: [] } as never);
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await db.collection<any>('groups').updateOne({ _id: 'g1' }, { $addToSet: { members: 'u1' } }, { session });
        await db.collection<any>('users').updateOne({ _id: 'u1' }, { $addToSet: { groups: 'g1' } }, { session });
        // Own writes are visible inside, not outside.
        expect((await db.collection<any>('groups').findOne({ _id: 'g1' }, { session }))!.members).toEqual(['u1']);
        expect((await db.collection<any>('groups').findOne({ _id: 'g1' }))!.members).toEqual([]);
      });
    } finally {
      await session.endSession();
    }
    expect((await db.collection<any>('groups').findOne({ _id: 'g1' }))!.members).toEqual(['u1']);
    expect((await db.collection<any>('users').findOne({ _id: 'u1' }))!.groups).toEqual(['g1']);
    expect(srv.calls.count('commitTransaction')).toBeGreaterThan(0);
  });

  test('abort discards everything, including inserts into a new collection', async () => {
    const db = client.db(uniqueDb('txn'));
    const session = client.startSession();
    session.startTransaction();
    await db.collection('fresh').insertOne({ a: 1 }, { session });
    await db.collection('fresh').insertOne({ a: 2 }, { session });
    expect(await db.collection('fresh').countDocuments({}, {})).toBe(0);
    await session.abortTransaction();
    await session.endSession();
    expect(await db.collection('fresh').countDocuments()).toBe(0);
  });

  test('a duplicate key inside a transaction aborts it', async () => {
    const db = client.db(uniqueDb('txn'));
    const c = db.collection<any>('users');
    await c.createIndex({ userName: 1 }, { unique: true, collation: { locale: 'en', strength: 2 } });
    await c.insertOne({ userName: 'Alice' });
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ userName: 'bob' }, { session });
    const error = await serverError(() => c.insertOne({ userName: 'ALICE' }, { session }));
    expect(error.code).toBe(11000);
    const after = await serverError(() => c.insertOne({ userName: 'carol' }, { session }));
    expect([after.code, after.codeName]).toEqual([251, 'NoSuchTransaction']);
    expect(after.hasErrorLabel('TransientTransactionError')).toBe(true);
    await session.abortTransaction().catch(() => {});
    await session.endSession();
    expect(await c.countDocuments()).toBe(1);
  });

  test('unique keys are checked against the transaction’s own writes too', async () => {
    const c = client.db(uniqueDb('txn')).collection<any>('users');
    await c.createIndex({ email: 1 }, { unique: true });
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ email: 'a@x' }, { session });
    expect((await serverError(() => c.insertOne({ email: 'a@x' }, { session }))).code).toBe(11000);
    await session.abortTransaction().catch(() => {});
    await session.endSession();
  });

  test('concurrent transactions on one document: the loser gets a TransientTransactionError and withTransaction retries', async () => {
    const c = client.db(uniqueDb('txn')).collection<any>('counters');
    await c.insertOne({ _id: 'n', value: 0 });
    const increment = async () => {
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          const doc = await c.findOne({ _id: 'n' }, { session });
          await new Promise((resolve) => setTimeout(resolve, 5));
          await c.updateOne({ _id: 'n', value: doc!.value }, { $set: { value: doc!.value + 1 } }, { session });
        });
      } finally {
        await session.endSession();
      }
    };
    await Promise.all(Array.from({ length: 5 }, increment));
    expect((await c.findOne({ _id: 'n' }))!.value).toBe(5);
  });

  test('a write outside a transaction to a document the transaction changed makes its commit fail', async () => {
    const c = client.db(uniqueDb('txn')).collection<any>('docs');
    await c.insertOne({ _id: 1, v: 0 });
    const session = client.startSession();
    session.startTransaction();
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session });
    await c.updateOne({ _id: 1 }, { $set: { v: 2 } });
    const error = await session.commitTransaction().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(112);
    expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    await session.endSession();
    expect((await c.findOne({ _id: 1 }))!.v).toBe(2);
  });

  test('commands MongoDB does not run in transactions are refused (263)', async () => {
    const db = client.db(uniqueDb('txn'));
    const session = client.startSession();
    session.startTransaction();
    await db.collection('c').insertOne({ a: 1 }, { session });
    const error = await serverError(() => db.command({ count: 'c' }, { session }));
    expect([error.code, error.codeName]).toEqual([263, 'OperationNotSupportedInTransaction']);
    await session.abortTransaction().catch(() => {});
    await session.endSession();
  });

  test('a restart loses an open transaction; the driver reconnects to the new primary', async () => {
    const c = client.db(uniqueDb('txn')).collection('t');
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ a: 1 }, { session });
    const before = (await client.db('admin').command({ hello: 1 }))['electionId'] as BSON.ObjectId;
    await srv.restart();
    await expect(session.commitTransaction()).rejects.toBeDefined();
    await session.endSession();
    expect(await c.countDocuments()).toBe(0);
    const after = (await client.db('admin').command({ hello: 1 }))['electionId'] as BSON.ObjectId;
    expect(after.toHexString() > before.toHexString()).toBe(true);
    await c.insertOne({ a: 2 });
    expect(await c.countDocuments()).toBe(1);
  });
});
