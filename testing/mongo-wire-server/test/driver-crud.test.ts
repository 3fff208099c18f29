import { ObjectId } from 'mongodb';
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
  return h.client.db(uniqueDb('crud')).collection<any>(name);
}

describe('insert', () => {
  test('insertOne and insertMany store documents with _id first', async () => {
    const c = coll();
    const one = await c.insertOne({ a: 1, _id: 'x' });
    expect(one.insertedId).toBe('x');
    const many = await c.insertMany([{ a: 2 }, { a: 3 }]);
    expect(many.insertedCount).toBe(2);
    const raw = await c.find({}, { sort: { a: 1 } }).toArray();
    expect(raw.map((d) => Object.keys(d)[0])).toEqual(['_id', '_id', '_id']);
    expect(raw[1]!._id).toBeInstanceOf(ObjectId);
  });

  test('ordered insert stops at the first duplicate; unordered goes on', async () => {
    const c = coll();
    const ordered = await serverError(() => c.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }]));
    expect(ordered.code).toBe(11000);
    expect(await c.countDocuments()).toBe(1);
    const unordered = await serverError(() => c.insertMany([{ _id: 1 }, { _id: 3 }, { _id: 3 }, { _id: 4 }], { ordered: false }));
    expect(unordered.code).toBe(11000);
    const writeErrors = (unordered as unknown as { writeErrors: Array<{ index: number; code: number }> }).writeErrors;
    expect(writeErrors.map((e) => e.index)).toEqual([0, 2]);
    expect((await c.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 3, 4]);
  });

  test('duplicate _id error carries keyPattern, keyValue and MongoDB message', async () => {
    const c = coll('dups');
    await c.insertOne({ _id: 7 });
    const error = await serverError(() => c.insertOne({ _id: 7 }));
    expect(error.code).toBe(11000);
    expect(error.message).toMatch(
      /^E11000 duplicate key error collection: crud_\d+_\d+\.dups index: _id_ dup key: \{ _id: 7 \}$/,
    );
    expect(error.keyPattern).toEqual({ _id: 1 });
    expect(error.keyValue).toEqual({ _id: 7 });
  });

  test('numbers of different types are the same _id', async () => {
    const c = coll();
    await c.insertOne({ _id: 1 });
    const error = await serverError(() => c.insertOne({ _id: 1.0 }));
    expect(error.code).toBe(11000);
  });

  test('field names: $-prefixed and dotted names are stored (MongoDB 5.0+), but not inside _id', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, $price: 5, 'a.b': 2, nested: { $inc: true } });
    const back = await c.findOne({ _id: 1 });
    expect(back).toEqual({ _id: 1, $price: 5, 'a.b': 2, nested: { $inc: true } });
    const bad = await serverError(() => c.insertOne({ _id: { $bad: 1 } }));
    expect(bad.code).toBe(52);
    const arrayId = await serverError(() => c.insertOne({ _id: [1, 2] }));
    expect(arrayId.code).toBe(53);
  });
});

describe('find', () => {
  test('filter, projection, sort, skip, limit', async () => {
    const c = coll();
    await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, n: i % 5, name: `u${i}`, tags: [`t${i % 3}`] })));
    const page = await c
      .find({ n: { $gte: 2 } }, { projection: { name: 1 }, sort: { n: -1, _id: 1 }, skip: 2, limit: 3 })
      .toArray();
    // n = 4: ids 4, 9, 14, 19; n = 3: ids 3, 8, …; skipping two leaves 14, 19, 3.
    expect(page).toEqual([
      { _id: 14, name: 'u14' },
      { _id: 19, name: 'u19' },
      { _id: 3, name: 'u3' },
    ]);
    expect(await c.countDocuments({ tags: 't1' })).toBe(7);
    expect(await c.countDocuments({ 'tags.0': 't2' })).toBe(6);
    const excluded = await c.findOne({ _id: 3 }, { projection: { tags: 0, name: 0 } });
    expect(excluded).toEqual({ _id: 3, n: 3 });
  });

  test('projection keeps the document order of fields', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: 1, b: 2, c: 3 });
    const doc = await c.findOne({}, { projection: { c: 1, a: 1 } });
    expect(Object.keys(doc!)).toEqual(['_id', 'a', 'c']);
  });

  test('mixed inclusion and exclusion is refused with 31254', async () => {
    const c = coll();
    await c.insertOne({ a: 1 });
    const error = await serverError(() => c.findOne({}, { projection: { a: 1, b: 0 } }));
    expect(error.code).toBe(31254);
    expect(error.message).toBe('Cannot do exclusion on field b in inclusion projection');
  });

  test('unknown query operator is BadValue', async () => {
    const c = coll();
    await c.insertOne({ a: 1 });
    const error = await serverError(() => c.findOne({ a: { $foo: 1 } }));
    expect(error.code).toBe(2);
    expect(error.codeName).toBe('BadValue');
    expect(error.message).toBe('unknown operator: $foo');
    const top = await serverError(() => c.findOne({ $foo: 1 }));
    expect(top.code).toBe(2);
    expect(top.message).toMatch(/^unknown top level operator: \$foo/);
  });

  test('sorting follows BSON type order and array semantics', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, v: 'b' },
      { _id: 2, v: 10 },
      { _id: 3, v: null },
      { _id: 4, v: [5, 50] },
      { _id: 5, v: { x: 1 } },
      { _id: 6 },
      { _id: 7, v: true },
    ]);
    const asc = (await c.find().sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    expect(asc).toEqual([3, 6, 4, 2, 1, 5, 7]);
    const desc = (await c.find().sort({ v: -1, _id: 1 }).toArray()).map((d) => d._id);
    expect(desc).toEqual([7, 5, 1, 4, 2, 3, 6]);
  });

  test('collation makes equality case-insensitive at strength 2', async () => {
    const c = coll();
    await c.insertMany([{ name: 'Alice' }, { name: 'ALICE' }, { name: 'Älice' }, { name: 'bob' }]);
    expect(await c.countDocuments({ name: 'alice' })).toBe(0);
    const ci = await c.find({ name: 'alice' }, { collation: { locale: 'en', strength: 2 } }).toArray();
    expect(ci.map((d) => d.name).sort()).toEqual(['ALICE', 'Alice']);
    const base = await c.find({ name: 'alice' }, { collation: { locale: 'en', strength: 1 } }).toArray();
    expect(base).toHaveLength(3);
    const bad = await serverError(() => c.findOne({}, { collation: { locale: 'en', strength: 9 } }));
    expect(bad.code).toBe(2);
  });

  test('hint is accepted for an existing index and refused for a missing one', async () => {
    const c = coll();
    await c.createIndex({ a: 1 });
    await c.insertMany([{ a: 1 }, { a: 2 }]);
    expect(await c.countDocuments({ a: 1 }, { hint: 'a_1' })).toBe(1);
    expect(await c.find({ a: 2 }, { hint: { a: 1 } }).toArray()).toHaveLength(1);
    expect(await c.find({}, { hint: { $natural: 1 } }).toArray()).toHaveLength(2);
    const error = await serverError(() => c.find({}, { hint: 'nope_1' }).toArray());
    expect([error.code, error.message]).toEqual([2, 'hint provided does not correspond to an existing index']);
  });

  test('$comment is accepted and literal documents with $-fields match literally', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, ref: { x: 1, $y: 2 } },
      { _id: 2, ref: { x: 1 } },
    ]);
    expect(await c.countDocuments({ _id: 1, $comment: 'why' })).toBe(1);
    expect((await c.find({ ref: { x: 1, $y: 2 } }).toArray()).map((d) => d._id)).toEqual([1]);
    const mixed = await serverError(() => c.findOne({ ref: { $gt: 0, x: 1 } }));
    expect([mixed.code, mixed.message]).toEqual([2, 'unknown operator: x']);
    const notArray = await serverError(() => c.findOne({ _id: { $in: 5 } }));
    expect([notArray.code, notArray.message]).toEqual([2, '$in needs an array']);
  });

  test('find on a missing collection is empty', async () => {
    expect(await coll('nothing').find({ a: 1 }).toArray()).toEqual([]);
  });
});

describe('update', () => {
  test('operators: $set $unset $inc $push $pull $addToSet $each $pullAll', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, n: 1, tags: ['a'], gone: true, list: [1, 2, 3, 2] });
    const r = await c.updateOne({ _id: 1 }, {
      $set: { 'deep.x': 1 },
      $unset: { gone: '' },
      $inc: { n: 2 },
      $push: { tags: { $each: ['b', 'c'] } },
      $pullAll: { list: [2] },
    } as any);
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(1);
    await c.updateOne({ _id: 1 }, { $addToSet: { tags: { $each: ['a', 'd'] } } });
    await c.updateOne({ _id: 1 }, { $pull: { tags: 'b' } } as any);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, n: 3, tags: ['a', 'c', 'd'], list: [1, 3], deep: { x: 1 } });
  });

  test('$addToSet adds only missing values and keeps duplicates already present', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: [1, 1, { x: 1, y: 2 }] });
    await c.updateOne({ _id: 1 }, { $addToSet: { a: { $each: [1, 2, 2, { y: 2, x: 1 }, { x: 1, y: 2 }] } } } as any);
    // Field order matters for documents; 2 is added once.
    expect((await c.findOne({ _id: 1 }))!.a).toEqual([1, 1, { x: 1, y: 2 }, 2, { y: 2, x: 1 }]);
    await c.updateOne({ _id: 1 }, { $addToSet: { fresh: 'v', 'nested.list': 'w' } } as any);
    expect(await c.findOne({ _id: 1 }, { projection: { fresh: 1, nested: 1 } })).toEqual({
      _id: 1,
      fresh: ['v'],
      nested: { list: ['w'] },
    });
  });

  test('$pull by document condition, by scalar and with operators', async () => {
    const c = coll();
    await c.insertOne({
      _id: 1,
      members: [{ value: 'a', display: 'A' }, { value: 'b' }, { value: 'a', extra: true }],
      tags: ['x', 'y', 'x'],
      n: [1, 5, 9],
    });
    const r = await c.updateOne({ _id: 1 }, { $pull: { members: { value: 'a' }, tags: 'x', n: { $gte: 5 } } } as any);
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, members: [{ value: 'b' }], tags: ['y'], n: [1] });
    const none = await c.updateOne({ _id: 1 }, { $pull: { members: { value: 'zzz' } } } as any);
    expect(none.modifiedCount).toBe(0);
  });

  test('a no-op update matches but does not modify', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: 1, s: ['x'] });
    const r = await c.updateOne({ _id: 1 }, { $set: { a: 1 }, $addToSet: { s: 'x' } });
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 0]);
  });

  test('replacement keeps _id; changing _id is ImmutableField (66)', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: 1, b: 2 });
    await c.replaceOne({ _id: 1 }, { c: 3 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, c: 3 });
    const error = await serverError(() => c.replaceOne({ _id: 1 }, { _id: 2, c: 3 }));
    expect(error.code).toBe(66);
    const set = await serverError(() => c.updateOne({ _id: 1 }, { $set: { _id: 2 } }));
    expect(set.code).toBe(66);
    await c.updateOne({ _id: 1 }, { $set: { _id: 1, d: 4 } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, c: 3, d: 4 });
  });

  test('upsert builds the new document from the query equalities', async () => {
    const c = coll();
    const r = await c.updateOne(
      { userName: 'bob', 'meta.kind': 'user', age: { $gt: 3 } },
      { $set: { active: true }, $setOnInsert: { created: 1 } },
      { upsert: true },
    );
    expect(r.upsertedCount).toBe(1);
    const doc = await c.findOne({ _id: r.upsertedId! });
    expect(doc).toEqual({ _id: r.upsertedId, userName: 'bob', meta: { kind: 'user' }, active: true, created: 1 });
    const again = await c.updateOne(
      { userName: 'bob' },
      { $set: { active: false }, $setOnInsert: { created: 2 } },
      { upsert: true },
    );
    expect([again.matchedCount, again.modifiedCount, again.upsertedCount]).toEqual([1, 1, 0]);
    expect((await c.findOne({ userName: 'bob' }))!.created).toBe(1);
  });

  test('multi updates every match; arrayFilters select elements', async () => {
    const c = coll();
    await c.insertMany([
      {
        _id: 1,
        k: 'x',
        emails: [
          { type: 'work', v: 'a' },
          { type: 'home', v: 'b' },
        ],
      },
      { _id: 2, k: 'x', emails: [{ type: 'work', v: 'c' }] },
      { _id: 3, k: 'y', emails: [] },
    ]);
    const r = await c.updateMany({ k: 'x' }, { $set: { 'emails.$[e].primary': true } }, { arrayFilters: [{ 'e.type': 'work' }] });
    expect([r.matchedCount, r.modifiedCount]).toEqual([2, 2]);
    expect((await c.findOne({ _id: 1 }))!.emails).toEqual([
      { type: 'work', v: 'a', primary: true },
      { type: 'home', v: 'b' },
    ]);
    const positional = await c.updateOne({ _id: 1, 'emails.type': 'home' }, { $set: { 'emails.$.v': 'B' } });
    expect(positional.modifiedCount).toBe(1);
    expect((await c.findOne({ _id: 1 }))!.emails[1].v).toBe('B');
    const unused = await serverError(() => c.updateOne({ _id: 1 }, { $set: { a: 1 } }, { arrayFilters: [{ 'z.x': 1 }] }));
    expect(unused.code).toBe(9);
  });

  test('type errors answer with MongoDB codes instead of doing nothing', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, s: 'text', n: 5 });
    const inc = await serverError(() => c.updateOne({ _id: 1 }, { $inc: { s: 1 } }));
    expect(inc.code).toBe(14);
    expect(inc.message).toBe(
      "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 's' of non-numeric type string",
    );
    const push = await serverError(() => c.updateOne({ _id: 1 }, { $push: { s: 1 } } as any));
    expect(push.code).toBe(2);
    const path = await serverError(() => c.updateOne({ _id: 1 }, { $set: { 'n.x': 1 } }));
    expect(path.code).toBe(28);
    const conflict = await serverError(() => c.updateOne({ _id: 1 }, { $set: { a: 1 }, $unset: { a: '' } }));
    expect(conflict.code).toBe(40);
    const unknown = await h.client
      .db(c.dbName)
      .command({ update: c.collectionName, updates: [{ q: {}, u: { $foo: { a: 1 } } }] });
    expect(unknown.ok).toBe(1);
    expect(unknown.writeErrors).toEqual([
      {
        index: 0,
        code: 9,
        errmsg: 'Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array',
      },
    ]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, s: 'text', n: 5 });
  });

  test('pipeline updates', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: 2, b: 3 });
    await c.updateOne({ _id: 1 }, [{ $set: { sum: { $add: ['$a', '$b'] } } }, { $unset: 'b' }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, a: 2, sum: 5 });
  });
});

describe('delete and findAndModify', () => {
  test('deleteOne, deleteMany', async () => {
    const c = coll();
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({})).deletedCount).toBe(2);
    expect((await c.deleteMany({ k: 9 })).deletedCount).toBe(0);
  });

  test('findOneAndUpdate returns before/after, upserts, sorts', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, k: 'a', n: 1 },
      { _id: 2, k: 'a', n: 2 },
    ]);
    const before = await c.findOneAndUpdate({ k: 'a' }, { $inc: { n: 10 } }, { sort: { n: -1 } });
    expect(before).toEqual({ _id: 2, k: 'a', n: 2 });
    const after = await c.findOneAndUpdate({ _id: 1 }, { $set: { x: 1 } }, { returnDocument: 'after', projection: { x: 1 } });
    expect(after).toEqual({ _id: 1, x: 1 });
    const upserted = await c.findOneAndUpdate(
      { _id: 3 },
      { $set: { k: 'b' } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(upserted.value).toEqual({ _id: 3, k: 'b' });
    expect(upserted.lastErrorObject).toEqual({ n: 1, updatedExisting: false, upserted: 3 });
    const removed = await c.findOneAndDelete({ _id: 3 });
    expect(removed).toEqual({ _id: 3, k: 'b' });
    expect(await c.findOneAndDelete({ _id: 3 })).toBeNull();
    const replaced = await c.findOneAndReplace({ _id: 1 }, { z: 1 }, { returnDocument: 'after' });
    expect(replaced).toEqual({ _id: 1, z: 1 });
  });

  test('findAndModify with both remove and update is FailedToParse', async () => {
    const c = coll();
    const error = await serverError(() =>
      h.client.db(c.dbName).command({ findAndModify: c.collectionName, query: {}, remove: true, update: { $set: { a: 1 } } }),
    );
    expect(error.code).toBe(9);
  });
});

describe('count and distinct', () => {
  test('count, estimatedDocumentCount, distinct', async () => {
    const c = coll();
    await c.insertMany([{ t: ['a', 'b'] }, { t: 'b' }, { t: 'c' }, { x: 1 }, { t: 'B' }]);
    expect(await c.estimatedDocumentCount()).toBe(5);
    expect(await c.countDocuments({ t: 'b' })).toBe(2);
    expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect((await c.distinct('t')).sort()).toEqual(['B', 'a', 'b', 'c']);
    expect((await c.distinct('t', {}, { collation: { locale: 'en', strength: 2 } })).length).toBe(3);
    expect(await c.distinct('t', { x: 1 })).toEqual([]);
  });
});
