#!/usr/bin/env node
// Speed of the MongoDB wire test server, driven by the official driver. Not a test: it prints
// numbers (docs/guide numbers and the package README quote them). Run after a build:
//
//   pnpm --filter @scimgw/testing-mongo-wire-server bench
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { startMongoWireServer } from '../dist/index.js';

const srv = await startMongoWireServer();
const client = new MongoClient(srv.url);
await client.connect();
const db = client.db('bench');
const rows = [];

async function measure(name, runs, fn) {
  await fn(0); // warm-up
  const start = performance.now();
  for (let i = 1; i <= runs; i++) await fn(i);
  const ms = (performance.now() - start) / runs;
  rows.push({ workload: name, runs, 'ms/op': ms.toFixed(3) });
}

async function once(name, fn) {
  const start = performance.now();
  await fn();
  rows.push({ workload: name, runs: 1, 'ms/op': (performance.now() - start).toFixed(1) });
}

const users = db.collection('users');
await users.createIndex({ userName: 1 }, { unique: true, collation: { locale: 'en', strength: 2 } });
await users.createIndex({ externalId: 1 }, { unique: true, sparse: true });
const docs = Array.from({ length: 100_000 }, (_, i) => ({
  _id: `u${i}`,
  userName: `User.${i}`,
  externalId: `ext-${i}`,
  active: i % 3 === 0,
  emails: [{ value: `u${i}@example.org`, type: 'work' }],
}));
await once('insertMany 100,000 documents (2 unique indexes)', () => users.insertMany(docs));
await measure('findOne by _id (100,000 docs)', 1000, (i) => users.findOne({ _id: `u${(i * 7919) % 100_000}` }));
await measure('findOne by case-insensitive unique index', 1000, (i) =>
  users.findOne({ userName: `user.${(i * 7919) % 100_000}` }, { collation: { locale: 'en', strength: 2 } }),
);
await measure('countDocuments, unindexed filter (scan of 100,000)', 10, () => users.countDocuments({ active: true }));
await measure('updateOne $set by _id', 1000, (i) => users.updateOne({ _id: `u${i}` }, { $set: { title: `t${i}` } }));

const groups = db.collection('groups');
const members = Array.from({ length: 50_000 }, (_, i) => ({ value: `u${i}`, display: `User ${i}` }));
await once('insertOne group with 50,000 members', () => groups.insertOne({ _id: 'big', displayName: 'Big', members }));
await measure('$addToSet one member (50,000-member group)', 50, (i) =>
  groups.updateOne({ _id: 'big' }, { $addToSet: { members: { value: `new${i}`, display: 'New' } } }),
);
await measure('$pull one member (50,000-member group)', 50, (i) =>
  groups.updateOne({ _id: 'big' }, { $pull: { members: { value: `u${i}` } } }),
);
await measure('findOne group, members excluded', 100, () => groups.findOne({ _id: 'big' }, { projection: { members: 0 } }));

await once('read 100,000 documents through a cursor (batchSize 1000)', async () => {
  let n = 0;
  for await (const _ of users.find({}, { batchSize: 1000 })) n++;
  if (n !== 100_000) throw new Error(`read ${n}`);
});

console.table(rows);
console.log(`node ${process.version}, rss ${Math.round(process.memoryUsage().rss / 1048576)} MiB`);
await client.close();
await srv.stop();
