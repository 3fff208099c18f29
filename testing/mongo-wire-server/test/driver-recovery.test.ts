import { MongoClient, MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MongoWireServer, startMongoWireServer } from '../src/index.js';
import { serverError, uniqueDb } from './helpers.js';

let srv: MongoWireServer;
let client: MongoClient;
const db = uniqueDb('recovery');

beforeAll(async () => {
  srv = await startMongoWireServer();
  client = new MongoClient(srv.url, { serverSelectionTimeoutMS: 10_000, heartbeatFrequencyMS: 500 });
  await client.connect();
});
afterAll(async () => {
  await client.close();
  await srv.stop();
  expect(srv.internalErrors).toEqual([]);
});

describe('restart and failover recovery', () => {
  test('restart mid-run: data stays, the driver reconnects on the same port', async () => {
    const c = client.db(db).collection<any>('items');
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i })));
    const port = srv.port;
    const cursor = c.find({}, { batchSize: 10 });
    await cursor.next();
    await srv.restart();
    expect(srv.port).toBe(port);
    // The open cursor died with the old process.
    await expect(cursor.toArray()).rejects.toBeDefined();
    await cursor.close().catch(() => {});
    // The next operations succeed on new connections.
    expect(await c.countDocuments()).toBe(50);
    await c.insertOne({ _id: 'after' });
    expect(await c.countDocuments()).toBe(51);
  });

  test('stopped for a while, then started again: an operation issued during the outage completes', async () => {
    const c = client.db(db).collection<any>('outage');
    await c.insertOne({ _id: 1 });
    await srv.stop();
    expect(srv.running).toBe(false);
    const pending = c.findOne({ _id: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await srv.restart();
    expect(await pending).toEqual({ _id: 1 });
  });

  test('restart with keepData false starts empty', async () => {
    const c = client.db(db).collection<any>('wiped');
    await c.insertOne({ a: 1 });
    await srv.restart({ keepData: false });
    expect(await c.countDocuments()).toBe(0);
  });

  test('dropConnections: a retryable read is retried once and succeeds', async () => {
    const c = client.db(db).collection<any>('drops');
    await c.insertOne({ _id: 1 });
    expect(srv.dropConnections()).toBeGreaterThan(0);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1 });
  });

  test('failNext closeConnection: reads retry; on a standalone, writes are not retried', async () => {
    const c = client.db(db).collection<any>('faults');
    await c.insertOne({ _id: 1 });
    srv.calls.clear();
    srv.failNext('find', { closeConnection: true });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1 });
    expect(srv.calls.count('find')).toBe(2);
    srv.failNext('insert', { closeConnection: true });
    await expect(c.insertOne({ _id: 2 })).rejects.toBeInstanceOf(MongoNetworkError);
    await c.insertOne({ _id: 3 });
    expect(await c.countDocuments()).toBe(2);
  });

  test('on a standalone, a write whose reply is lost fails for the client although it ran', async () => {
    const c = client.db(db).collection<any>('lost');
    srv.failNext('insert', { closeConnection: true, afterRunning: true });
    await expect(c.insertOne({ _id: 'x' })).rejects.toBeInstanceOf(MongoNetworkError);
    expect(await c.countDocuments({ _id: 'x' })).toBe(1);
  });

  test('failNext with an error code answers exactly that error, once', async () => {
    const c = client.db(db).collection<any>('faults2');
    srv.failNext('insert', { code: 11600, errmsg: 'interrupted at shutdown' });
    const error = await serverError(() => c.insertOne({ a: 1 }));
    expect([error.code, error.codeName, error.message]).toEqual([11600, 'InterruptedAtShutdown', 'interrupted at shutdown']);
    await c.insertOne({ a: 2 });
    srv.failNext('find', { code: 2, errorLabels: ['SomeLabel'] }, 2);
    for (let i = 0; i < 2; i++) {
      const e = await serverError(() => c.findOne({}));
      expect([e.code, e.codeName]).toEqual([2, 'BadValue']);
      expect(e.hasErrorLabel('SomeLabel')).toBe(true);
    }
    expect(await c.findOne({}, { projection: { _id: 0 } })).toEqual({ a: 2 });
  });
});
