import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, harness, serverError, uniqueDb } from './helpers.js';

let h: Harness;
const db = uniqueDb('agg');
beforeAll(async () => {
  h = await harness();
  await h.client
    .db(db)
    .collection<any>('orders')
    .insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        _id: i,
        customer: `c${i % 3}`,
        amount: (i % 10) + 1,
        status: i % 4 === 0 ? 'open' : 'closed',
        items: [{ sku: `s${i % 5}` }],
      })),
    );
  await h.client
    .db(db)
    .collection<any>('customers')
    .insertMany([
      { _id: 'c0', name: 'Zero' },
      { _id: 'c1', name: 'One' },
    ]);
});
afterAll(async () => {
  await h.close();
});

const orders = () => h.client.db(db).collection<any>('orders');

describe('aggregate', () => {
  test('$match + $group totals', async () => {
    const totals = await orders()
      .aggregate([
        { $match: { status: 'closed' } },
        { $group: { _id: '$customer', total: { $sum: '$amount' }, n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    // Expected totals computed independently of the server.
    const expected = new Map<string, { total: number; n: number }>();
    for (let i = 0; i < 300; i++) {
      if (i % 4 === 0) continue;
      const key = `c${i % 3}`;
      const entry = expected.get(key) ?? { total: 0, n: 0 };
      entry.total += (i % 10) + 1;
      entry.n += 1;
      expected.set(key, entry);
    }
    expect(totals).toEqual([...expected.entries()].sort().map(([k, v]) => ({ _id: k, total: v.total, n: v.n })));
  });

  test('$sort $skip $limit $project $count', async () => {
    const page = await orders()
      .aggregate([{ $sort: { amount: -1, _id: 1 } }, { $skip: 1 }, { $limit: 2 }, { $project: { _id: 1, amount: 1 } }])
      .toArray();
    expect(page).toEqual([
      { _id: 19, amount: 10 },
      { _id: 29, amount: 10 },
    ]);
    expect(
      await orders()
        .aggregate([{ $match: { status: 'open' } }, { $count: 'open' }])
        .toArray(),
    ).toEqual([{ open: 75 }]);
  });

  test('$facet gives a page and a total in one round trip', async () => {
    const [result] = await orders()
      .aggregate([
        { $match: { customer: 'c1' } },
        { $facet: { total: [{ $count: 'n' }], page: [{ $sort: { _id: 1 } }, { $limit: 2 }, { $project: { _id: 1 } }] } },
      ])
      .toArray();
    expect(result).toEqual({ total: [{ n: 100 }], page: [{ _id: 1 }, { _id: 4 }] });
  });

  test('countDocuments runs as an aggregate', async () => {
    h.srv.calls.clear();
    expect(await orders().countDocuments({ customer: 'c2', amount: { $gt: 5 } })).toBe(50);
    expect(h.srv.calls.names()).toEqual(['aggregate']);
  });

  test('$lookup joins another collection of the database', async () => {
    const joined = await orders()
      .aggregate([
        { $match: { _id: { $in: [0, 1, 2] } } },
        { $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } },
        { $project: { who: '$who.name' } },
      ])
      .toArray();
    expect(joined).toEqual([
      { _id: 0, who: ['Zero'] },
      { _id: 1, who: ['One'] },
      { _id: 2, who: [] },
    ]);
  });

  test('pipelines never change stored documents', async () => {
    const before = await orders()
      .find({ _id: { $lt: 3 } })
      .toArray();
    await orders()
      .aggregate([
        { $addFields: { 'items.extra': 1, amount: 0 } },
        { $unwind: { path: '$items', includeArrayIndex: 'ix' } },
        { $set: { status: 'x' } },
      ])
      .toArray();
    expect(
      await orders()
        .find({ _id: { $lt: 3 } })
        .toArray(),
    ).toEqual(before);
  });

  test('unknown and unsupported stages are errors', async () => {
    const unknown = await serverError(() =>
      orders()
        .aggregate([{ $bogus: {} }])
        .toArray(),
    );
    expect([unknown.code, unknown.message]).toEqual([40324, "Unrecognized pipeline stage name: '$bogus'"]);
    const out = await serverError(() =>
      orders()
        .aggregate([{ $out: 'copy' }])
        .toArray(),
    );
    expect(out.code).toBe(115);
    const twoFields = await serverError(() =>
      orders()
        .aggregate([{ $match: {}, $limit: 1 }])
        .toArray(),
    );
    expect(twoFields.code).toBe(40323);
  });

  test("the 'cursor' option is required", async () => {
    const error = await serverError(() => h.client.db(db).command({ aggregate: 'orders', pipeline: [] }));
    expect(error.code).toBe(9);
  });

  test('aggregate on a missing collection is empty', async () => {
    expect(
      await h.client
        .db(db)
        .collection('none')
        .aggregate([{ $match: {} }])
        .toArray(),
    ).toEqual([]);
  });
});
