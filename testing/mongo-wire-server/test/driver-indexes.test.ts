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

function coll(name = 'c') {
  return h.client.db(uniqueDb('idx')).collection<any>(name);
}

const CI = { locale: 'en', strength: 2 } as const;

describe('createIndexes', () => {
  test('is idempotent and reports numIndexes and the note', async () => {
    const c = coll();
    const db = h.client.db(c.dbName);
    const first = await db.command({ createIndexes: c.collectionName, indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(first).toMatchObject({ numIndexesBefore: 1, numIndexesAfter: 2, createdCollectionAutomatically: true, ok: 1 });
    const again = await db.command({ createIndexes: c.collectionName, indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(again).toMatchObject({ numIndexesBefore: 2, numIndexesAfter: 2, note: 'all indexes already exist', ok: 1 });
    expect(await c.createIndex({ a: 1 })).toBe('a_1');
  });

  test('listIndexes shows _id_ and full collation documents', async () => {
    const c = coll();
    await c.createIndex({ userName: 1 }, { unique: true, collation: CI });
    const indexes = await c.listIndexes().toArray();
    expect(indexes).toEqual([
      { v: 2, key: { _id: 1 }, name: '_id_' },
      {
        v: 2,
        key: { userName: 1 },
        name: 'userName_1',
        unique: true,
        collation: {
          locale: 'en',
          caseLevel: false,
          caseFirst: 'off',
          strength: 2,
          numericOrdering: false,
          alternate: 'non-ignorable',
          maxVariable: 'punct',
          normalization: false,
          backwards: false,
          version: '57.1',
        },
      },
    ]);
    expect(await c.indexExists('userName_1')).toBe(true);
  });

  test('conflicts: same name other key is 86, same key other name is 85, same name other options is 85', async () => {
    const c = coll();
    await c.createIndex({ a: 1 }, { name: 'a_idx' });
    const keys = await serverError(() => c.createIndex({ b: 1 }, { name: 'a_idx' }));
    expect([keys.code, keys.codeName]).toEqual([86, 'IndexKeySpecsConflict']);
    const name = await serverError(() => c.createIndex({ a: 1 }, { name: 'other' }));
    expect([name.code, name.codeName]).toEqual([85, 'IndexOptionsConflict']);
    expect(name.message).toBe('Index already exists with a different name: a_idx');
    const options = await serverError(() => c.createIndex({ a: 1 }, { name: 'a_idx', unique: true }));
    expect([options.code, options.codeName]).toEqual([85, 'IndexOptionsConflict']);
    // The same key with another collation is a different index.
    expect(await c.createIndex({ a: 1 }, { name: 'a_ci', collation: CI })).toBe('a_ci');
  });

  test('a unique index cannot be built over duplicates', async () => {
    const c = coll();
    await c.insertMany([{ e: 'x' }, { e: 'x' }]);
    const error = await serverError(() => c.createIndex({ e: 1 }, { unique: true }));
    expect(error.code).toBe(11000);
    expect(await c.indexExists('e_1')).toBe(false);
  });

  test('unsupported index kinds are refused, not silently accepted', async () => {
    const c = coll();
    expect((await serverError(() => c.createIndex({ t: 'text' }))).code).toBe(67);
    expect((await serverError(() => c.createIndex({ t: 1 }, { expireAfterSeconds: 10 }))).code).toBe(115);
  });

  test('dropIndexes by name, by key, and *', async () => {
    const c = coll();
    await c.createIndexes([{ key: { a: 1 } }, { key: { b: 1 } }, { key: { c: -1 } }]);
    await c.dropIndex('a_1');
    await c.dropIndex({ b: 1 } as never);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'c_-1']);
    const missing = await serverError(() => c.dropIndex('nope'));
    expect([missing.code, missing.codeName]).toEqual([27, 'IndexNotFound']);
    const id = await serverError(() => c.dropIndex('_id_'));
    expect(id.code).toBe(72);
    await c.dropIndexes();
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  test('listIndexes and dropIndexes on a missing collection are NamespaceNotFound', async () => {
    const c = coll('missing');
    const list = await serverError(() => c.listIndexes().toArray());
    expect([list.code, list.codeName]).toEqual([26, 'NamespaceNotFound']);
    const drop = await serverError(() => c.dropIndex('a_1'));
    expect(drop.code).toBe(26);
  });
});

describe('unique indexes', () => {
  test('duplicate key error names the index, key pattern and value', async () => {
    const c = coll('people');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x' });
    const error = await serverError(() => c.insertOne({ email: 'a@x' }));
    expect(error.code).toBe(11000);
    expect(error.message).toMatch(
      /^E11000 duplicate key error collection: idx_\d+_\d+\.people index: email_1 dup key: \{ email: "a@x" \}$/,
    );
    expect(error.keyPattern).toEqual({ email: 1 });
    expect(error.keyValue).toEqual({ email: 'a@x' });
  });

  test('missing fields count as null in a unique index unless it is sparse or partial', async () => {
    const c = coll();
    await c.createIndex({ externalId: 1 }, { unique: true });
    await c.insertOne({ a: 1 });
    expect((await serverError(() => c.insertOne({ a: 2 }))).code).toBe(11000);
    const s = coll();
    await s.createIndex({ externalId: 1 }, { unique: true, sparse: true });
    await s.insertMany([{ a: 1 }, { a: 2 }, { externalId: 'e' }]);
    expect((await serverError(() => s.insertOne({ externalId: 'e' }))).code).toBe(11000);
    const p = coll();
    await p.createIndex({ externalId: 1 }, { unique: true, partialFilterExpression: { externalId: { $type: 'string' } } });
    await p.insertMany([{ externalId: null }, { externalId: null }, { externalId: 'e' }]);
    expect((await serverError(() => p.insertOne({ externalId: 'e' }))).code).toBe(11000);
  });

  test('case-insensitive uniqueness with collation strength 2', async () => {
    const c = coll();
    await c.createIndex({ userName: 1 }, { unique: true, collation: CI });
    await c.insertOne({ userName: 'Alice' });
    const error = await serverError(() => c.insertOne({ userName: 'aLiCe' }));
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ userName: 1 });
    await c.insertOne({ userName: 'Älice' });
  });

  test('updates are checked too, and a failed update leaves the document as it was', async () => {
    const c = coll();
    await c.createIndex({ userName: 1 }, { unique: true, collation: CI });
    await c.insertMany([
      { _id: 1, userName: 'alice', n: 1 },
      { _id: 2, userName: 'bob', n: 1 },
    ]);
    const error = await serverError(() => c.updateOne({ _id: 2 }, { $set: { userName: 'ALICE', n: 2 } }));
    expect(error.code).toBe(11000);
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, userName: 'bob', n: 1 });
    const replace = await serverError(() => c.replaceOne({ _id: 2 }, { userName: 'Alice' }));
    expect(replace.code).toBe(11000);
    const fam = await serverError(() => c.findOneAndUpdate({ _id: 2 }, { $set: { userName: 'alice' } }));
    expect(fam.code).toBe(11000);
    expect(fam.keyValue).toEqual({ userName: 'alice' });
    // Changing only the case of one's own key is fine.
    await c.updateOne({ _id: 1 }, { $set: { userName: 'Alice' } });
    expect((await c.findOne({ _id: 1 }))!.userName).toBe('Alice');
  });

  test('multikey: array elements are keys; one document may repeat a value', async () => {
    const c = coll();
    await c.createIndex({ 'emails.value': 1 }, { unique: true });
    await c.insertOne({ emails: [{ value: 'a' }, { value: 'a' }, { value: 'b' }] });
    expect((await serverError(() => c.insertOne({ emails: [{ value: 'c' }, { value: 'b' }] }))).code).toBe(11000);
    await c.insertOne({ emails: [{ value: 'c' }] });
    expect(await c.countDocuments({ 'emails.value': 'b' })).toBe(1);
  });

  test('compound unique index', async () => {
    const c = coll();
    await c.createIndex({ tenant: 1, name: 1 }, { unique: true });
    await c.insertMany([
      { tenant: 'a', name: 'x' },
      { tenant: 'b', name: 'x' },
    ]);
    const error = await serverError(() => c.insertOne({ tenant: 'a', name: 'x' }));
    expect(error.keyValue).toEqual({ tenant: 'a', name: 'x' });
    expect(error.message).toContain('dup key: { tenant: "a", name: "x" }');
  });

  test('20 concurrent inserts of one case-insensitive key over separate connections: exactly one wins', async () => {
    const db = uniqueDb('race');
    await h.client.db(db).collection('users').createIndex({ userName: 1 }, { unique: true, collation: CI });
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const client = new MongoClient(h.srv.url, { maxPoolSize: 1 });
        await client.connect();
        return client;
      }),
    );
    try {
      const results = await Promise.allSettled(
        clients.map((client, i) =>
          client
            .db(db)
            .collection('users')
            .insertOne({ userName: i % 2 ? 'Racer' : 'rAcEr', i }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const r of lost) expect((r.reason as { code: number }).code).toBe(11000);
      expect(await h.client.db(db).collection('users').countDocuments()).toBe(1);
      const connections = new Set(h.srv.calls.of('insert', 'users').map((r) => r.connectionId));
      expect(connections.size).toBe(20);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  test('20 concurrent upserts of one key: one document, no duplicate', async () => {
    const c = coll('upserts');
    await c.createIndex({ key: 1 }, { unique: true });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => c.updateOne({ key: 'k' }, { $set: { last: i } }, { upsert: true })),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await c.countDocuments({ key: 'k' })).toBe(1);
  });
});

describe('collection default collation', () => {
  test('create with collation makes queries and indexes case-insensitive', async () => {
    const db = h.client.db(uniqueDb('coll'));
    await db.createCollection('users', { collation: CI });
    const c = db.collection<any>('users');
    await c.insertOne({ _id: 'Alice' as never, n: 1 });
    expect((await serverError(() => c.insertOne({ _id: 'alice' as never }))).code).toBe(11000);
    expect(await c.countDocuments({ _id: 'ALICE' as never })).toBe(1);
    const infos = await db.listCollections({ name: 'users' }).toArray();
    expect((infos[0] as unknown as { options: { collation: { strength: number } } }).options.collation.strength).toBe(2);
    // Creating it again with the same options succeeds (MongoDB 7.0+); other options do not.
    await db.createCollection('users', { collation: CI });
    expect((await serverError(() => db.createCollection('users'))).code).toBe(48);
  });
});
