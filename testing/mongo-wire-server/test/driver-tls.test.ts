import { MongoClient, MongoServerSelectionError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MongoWireServer, startMongoWireServer } from '../src/index.js';

let srv: MongoWireServer;
beforeAll(async () => {
  srv = await startMongoWireServer({ tls: true, users: [{ username: 'app', password: 'tls-secret' }] });
});
afterAll(async () => {
  await srv.stop();
  expect(srv.internalErrors).toEqual([]);
});

describe('TLS (no x509 client certificates)', () => {
  test('the url carries tls=true and the CA file; SCRAM works over TLS', async () => {
    expect(srv.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?tls=true&tlsCAFile=/);
    expect(srv.tls?.ca).toMatch(/BEGIN CERTIFICATE/);
    const client = new MongoClient(srv.connectionString({ username: 'app', password: 'tls-secret' }), {
      serverSelectionTimeoutMS: 3000,
    });
    try {
      await client.connect();
      await client.db('t').collection('x').insertOne({ over: 'tls' });
      expect(
        await client
          .db('t')
          .collection('x')
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({ over: 'tls' });
    } finally {
      await client.close();
    }
  });

  test('a client that does not trust the CA cannot connect', async () => {
    const url = `mongodb://127.0.0.1:${srv.port}/?tls=true`;
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000 });
    await expect(client.connect()).rejects.toBeInstanceOf(MongoServerSelectionError);
    await client.close();
  });

  test('a plain TCP client cannot talk to the TLS port', async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${srv.port}/`, { serverSelectionTimeoutMS: 1000 });
    await expect(client.connect()).rejects.toBeInstanceOf(MongoServerSelectionError);
    await client.close();
  });
});

describe('generated CA file', () => {
  test('exists while the server runs, is removed by stop() and written again by restart()', async () => {
    const { existsSync } = await import('node:fs');
    const own = await startMongoWireServer({ tls: true });
    const caFile = own.tls!.caFile!;
    expect(existsSync(caFile)).toBe(true);
    await own.stop();
    expect(existsSync(caFile)).toBe(false);
    await own.restart();
    expect(existsSync(caFile)).toBe(true);
    const client = new MongoClient(own.url, { serverSelectionTimeoutMS: 3000 });
    await client.db('admin').command({ ping: 1 });
    await client.close();
    await own.stop();
    expect(existsSync(caFile)).toBe(false);
  });
});
