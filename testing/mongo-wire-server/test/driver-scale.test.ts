import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, harness, uniqueDb } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.close();
});

describe('a group with 50,000 members', () => {
  const db = uniqueDb('scale');
  const members = Array.from({ length: 50_000 }, (_, i) => ({ value: `user-${i}`, display: `User ${i}` }));

  test('adding one member is one update and no find, and changes only that member', async () => {
    const groups = h.client.db(db).collection<any>('groups');
    await groups.insertOne({ _id: 'g1', displayName: 'Big', members });
    h.srv.calls.clear();
    const examinedBefore = h.srv.stats.documentsExamined;
    const result = await groups.updateOne({ _id: 'g1' }, { $addToSet: { members: { value: 'user-new', display: 'New' } } });
    expect([result.matchedCount, result.modifiedCount]).toEqual([1, 1]);
    expect(h.srv.calls.names()).toEqual(['update']);
    expect(h.srv.calls.count('find')).toBe(0);
    // The _id lookup examined one document, not the collection.
    expect(h.srv.stats.documentsExamined - examinedBefore).toBe(1);
    const again = await groups.updateOne({ _id: 'g1' }, { $addToSet: { members: { value: 'user-new', display: 'New' } } });
    expect(again.modifiedCount).toBe(0);
    const removed = await groups.updateOne({ _id: 'g1' }, { $pull: { members: { value: 'user-7' } } } as any);
    expect(removed.modifiedCount).toBe(1);
    const [stats] = await groups
      .aggregate([
        { $match: { _id: 'g1' } },
        { $project: { n: { $size: '$members' }, last: { $arrayElemAt: ['$members.value', -1] } } },
      ])
      .toArray();
    expect(stats).toEqual({ _id: 'g1', n: 50_000, last: 'user-new' });
    expect(await groups.countDocuments({ 'members.value': 'user-7' })).toBe(0);
    expect(await groups.countDocuments({ 'members.value': 'user-49999' })).toBe(1);
  });

  test('membership queries use a multikey index', async () => {
    const groups = h.client.db(db).collection<any>('groups');
    await groups.createIndex({ 'members.value': 1 });
    const before = { ...h.srv.stats };
    expect(await groups.countDocuments({ 'members.value': 'user-123' })).toBe(1);
    expect(h.srv.stats.indexLookups).toBe(before.indexLookups + 1);
    expect(h.srv.stats.collectionScans).toBe(before.collectionScans);
  });
});

describe('100,000 documents', () => {
  const db = uniqueDb('scale');

  test('insertMany, then equality lookups on indexed fields do not scan', async () => {
    const users = h.client.db(db).collection<any>('users');
    await users.createIndex({ userName: 1 }, { unique: true, collation: { locale: 'en', strength: 2 } });
    await users.createIndex({ externalId: 1 }, { unique: true, sparse: true });
    const docs = Array.from({ length: 100_000 }, (_, i) => ({
      _id: `id-${i}`,
      userName: `User.${i}`,
      externalId: i % 2 ? `ext-${i}` : undefined,
      active: i % 3 === 0,
    }));
    const inserted = await users.insertMany(docs, { ignoreUndefined: true });
    expect(inserted.insertedCount).toBe(100_000);
    expect(await users.estimatedDocumentCount()).toBe(100_000);

    const before = { ...h.srv.stats };
    expect(await users.findOne({ _id: 'id-99999' })).toMatchObject({ userName: 'User.99999' });
    expect(await users.findOne({ userName: 'user.4242' }, { collation: { locale: 'en', strength: 2 } })).toMatchObject({
      _id: 'id-4242',
    });
    expect(await users.findOne({ userName: 'User.4242' })).toMatchObject({ _id: 'id-4242' });
    expect(await users.findOne({ externalId: 'ext-777' })).toMatchObject({ _id: 'id-777' });
    expect(await users.find({ _id: { $in: ['id-1', 'id-2', 'nope'] } }).toArray()).toHaveLength(2);
    expect(await users.countDocuments({ $and: [{ active: true }, { externalId: 'ext-3' }] })).toBe(1);
    expect(await users.countDocuments({ $or: [{ _id: 'id-5' }, { externalId: 'ext-7' }, { userName: 'User.9' }] })).toBe(3);
    expect(h.srv.stats.collectionScans).toBe(before.collectionScans);
    expect(h.srv.stats.documentsExamined - before.documentsExamined).toBeLessThanOrEqual(10);

    // An unindexed filter scans, and still answers correctly.
    expect(await users.countDocuments({ active: true })).toBe(33_334);
    expect(h.srv.stats.collectionScans).toBe(before.collectionScans + 1);
  });
});
