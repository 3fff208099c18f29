import { Long } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, harness, serverError, uniqueDb } from './helpers.js';

let h: Harness;
const db = uniqueDb('cursors');
beforeAll(async () => {
  h = await harness();
  const docs = Array.from({ length: 10_000 }, (_, i) => ({ _id: i, group: i % 7, label: `item-${String(i).padStart(5, '0')}` }));
  await h.client.db(db).collection<any>('items').insertMany(docs);
});
afterAll(async () => {
  await h.close();
});

// The driver turns int64 values that fit a JS number into numbers; cursor ids may come back as either.
const isZero = (id: unknown) => Long.fromValue(id as number).isZero();

describe('cursors over 10,000 documents', () => {
  test('batchSize 500 reads everything in order with 19 getMores', async () => {
    h.srv.calls.clear();
    const seen: number[] = [];
    for await (const doc of h.client
      .db(db)
      .collection<any>('items')
      .find({}, { batchSize: 500, sort: { _id: 1 } }))
      seen.push(doc._id as number);
    expect(seen).toHaveLength(10_000);
    expect(seen.every((id, i) => id === i)).toBe(true);
    expect(h.srv.calls.count('find')).toBe(1);
    expect(h.srv.calls.count('getMore')).toBe(19);
    const getMore = h.srv.calls.of('getMore')[0]!.body;
    expect(getMore['collection']).toBe('items');
    expect(getMore['batchSize']).toBe(500);
  });

  test('default first batch is 101 documents; the last batch closes the cursor (id 0)', async () => {
    const reply = await h.client.db(db).command({ find: 'items', filter: { group: 3 } });
    const cursor = reply['cursor'] as { firstBatch: unknown[]; id: Long; ns: string };
    expect(cursor.firstBatch).toHaveLength(101);
    expect(cursor.ns).toBe(`${db}.items`);
    expect(isZero(cursor.id)).toBe(false);
    const rest = await h.client.db(db).command({ getMore: cursor.id, collection: 'items' });
    const next = rest['cursor'] as { nextBatch: unknown[]; id: Long };
    expect(next.nextBatch).toHaveLength(1429 - 101);
    expect(isZero(next.id)).toBe(true);
  });

  test('limit and singleBatch close the cursor at once', async () => {
    const limited = await h.client.db(db).command({ find: 'items', limit: 10 });
    expect(isZero((limited['cursor'] as { id: Long }).id)).toBe(true);
    const single = await h.client.db(db).command({ find: 'items', batchSize: 5, singleBatch: true });
    const cursor = single['cursor'] as { firstBatch: unknown[]; id: Long };
    expect(cursor.firstBatch).toHaveLength(5);
    expect(isZero(cursor.id)).toBe(true);
  });

  test('closing a cursor early sends killCursors; getMore after it is CursorNotFound (43)', async () => {
    const cursor = h.client.db(db).collection<any>('items').find({}, { batchSize: 10 });
    await cursor.next();
    const id = cursor.id!;
    h.srv.calls.clear();
    await cursor.close();
    expect(h.srv.calls.count('killCursors')).toBe(1);
    expect(h.srv.calls.of('killCursors')[0]!.body['cursors']).toEqual([id]);
    const error = await serverError(() => h.client.db(db).command({ getMore: id, collection: 'items' }));
    expect([error.code, error.codeName]).toEqual([43, 'CursorNotFound']);
  });

  test('killCursors reports killed and unknown ids', async () => {
    const first = await h.client.db(db).command({ find: 'items', batchSize: 1 });
    const id = (first['cursor'] as { id: Long }).id;
    const reply = await h.client.db(db).command({ killCursors: 'items', cursors: [id, Long.fromNumber(12345)] });
    expect(reply['cursorsKilled']).toEqual([id]);
    expect((reply['cursorsNotFound'] as unknown[]).map(Number)).toEqual([12345]);
  });

  test('getMore on another collection than the cursor is refused', async () => {
    const first = await h.client.db(db).command({ find: 'items', batchSize: 1 });
    const id = (first['cursor'] as { id: Long }).id;
    const error = await serverError(() => h.client.db(db).command({ getMore: id, collection: 'other' }));
    expect(error.code).toBe(13);
  });

  test('aggregate cursors page with batchSize too', async () => {
    h.srv.calls.clear();
    const out = await h.client
      .db(db)
      .collection('items')
      .aggregate([{ $match: { group: { $in: [1, 2] } } }, { $project: { _id: 1 } }], { batchSize: 1000 })
      .toArray();
    expect(out).toHaveLength(2858);
    expect(h.srv.calls.count('getMore')).toBe(2);
  });

  test('negative skip is refused as MongoDB does', async () => {
    const error = await serverError(() => h.client.db(db).command({ find: 'items', skip: -1 }));
    expect(error.code).toBe(51024);
  });
});
