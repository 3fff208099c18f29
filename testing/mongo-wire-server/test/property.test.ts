import { BSON, type Document } from 'bson';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FrameReader, type MongoWireServer, parseMessage, startMongoWireServer, WireProtocolError } from '../src/index.js';
import { opMsg, RawClient } from './raw-client.js';

const validFrame = opMsg(
  { insert: 'c', $db: 'd', ordered: true },
  { sequences: [['documents', [{ a: 1 }, { b: 'x' }]]], checksum: true },
);

describe('frame parser properties', () => {
  test('random bytes give a request or a WireProtocolError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const frame = Buffer.from(bytes);
        if (frame.length >= 4) frame.writeInt32LE(frame.length, 0);
        try {
          parseMessage(frame);
        } catch (error) {
          expect(error).toBeInstanceOf(WireProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated valid frames (flipped bytes, OP_MSG header kept) give a request or a WireProtocolError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: validFrame.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        (flips) => {
          const frame = Buffer.from(validFrame);
          for (const [at, value] of flips) if (at >= 16) frame[at] = value;
          try {
            parseMessage(frame);
          } catch (error) {
            expect(error).toBeInstanceOf(WireProtocolError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('the frame reader, fed random chunks, yields frames that add up or fails cleanly', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const reader = new FrameReader();
        let total = 0;
        let consumed = 0;
        try {
          for (const chunk of chunks) {
            total += chunk.length;
            for (const frame of reader.push(Buffer.from(chunk))) {
              expect(frame.readInt32LE(0)).toBe(frame.length);
              consumed += frame.length;
            }
          }
          expect(consumed + reader.buffered).toBe(total);
        } catch (error) {
          expect(error).toBeInstanceOf(WireProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// Field names that have tripped up document stores: operators, paths, prototype keys.
const awkwardKey = fc.oneof(
  fc.constantFrom(
    '$a',
    '$set',
    '$where',
    'a.b',
    '.',
    '$',
    '$$x',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    'ü',
    '💥',
  ),
  fc.string({ unit: 'grapheme', maxLength: 8 }).filter((s) => !s.includes('\u0000')),
);
const key = awkwardKey.filter((k) => k !== '_id');

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

const operator = fc.constantFrom(
  '$eq',
  '$ne',
  '$gt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$size',
  '$regex',
  '$not',
  '$elemMatch',
  '$all',
  '$type',
  '$mod',
  '$foo',
  '$where',
  '$expr',
);
const condition = fc.oneof(value, fc.dictionary(operator, value, { minKeys: 1, maxKeys: 2 }));
const filter = fc.dictionary(fc.oneof(key, fc.constantFrom('$and', '$or', '$nor', '$text', '$comment')), condition, {
  maxKeys: 3,
});
const updateOperator = fc.constantFrom(
  '$set',
  '$unset',
  '$inc',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$pop',
  '$rename',
  '$min',
  '$mul',
  '$currentDate',
  '$setOnInsert',
  '$bogus',
  'plain',
);
const updateDoc = fc.dictionary(updateOperator, fc.oneof(fc.dictionary(key, value, { maxKeys: 3 }), value), {
  minKeys: 1,
  maxKeys: 3,
});

function isCleanReply(reply: Document): boolean {
  if (reply['ok'] === 1) return true;
  return (
    reply['ok'] === 0 &&
    typeof reply['code'] === 'number' &&
    reply['code'] !== 1 &&
    typeof reply['errmsg'] === 'string' &&
    typeof reply['codeName'] === 'string'
  );
}

describe('commands with random field names and values', () => {
  let srv: MongoWireServer;
  let raw: RawClient;
  beforeAll(async () => {
    srv = await startMongoWireServer();
    raw = await RawClient.open(srv.port);
  });
  afterAll(async () => {
    raw.close();
    await srv.stop();
  });

  test('documents with awkward field names are stored and returned exactly', async () => {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true }), async (fields) => {
        id += 1;
        const doc = { _id: id, ...fields };
        const reply = await raw.command({ insert: 'names', documents: [doc], $db: 'prop' });
        expect(reply).toEqual({ n: 1, ok: 1 });
        const found = await raw.command({ find: 'names', filter: { _id: id }, $db: 'prop' });
        const back = (found['cursor'] as { firstBatch: Document[] }).firstBatch[0];
        expect(BSON.serialize(back!).toString()).toBe(BSON.serialize(doc).toString());
      }),
      { numRuns: 300 },
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('$set');
  });

  test('a field named __proto__ survives where the server reorders or rebuilds a document', async () => {
    // `_id` last: the server moves it first, rebuilding the document field by field (found by the
    // property above, with a field "0" that JavaScript orders before `_id`).
    const doc = JSON.parse('{"a":0,"__proto__":{"polluted":1},"b":{"__proto__":[1]},"_id":"proto-1"}');
    expect((await raw.command({ insert: 'protos', documents: [doc], $db: 'prop' }))['ok']).toBe(1);
    const find = async (projection?: Document) => {
      const found = await raw.command({
        find: 'protos',
        filter: { _id: 'proto-1' },
        ...(projection ? { projection } : {}),
        $db: 'prop',
      });
      return (found['cursor'] as { firstBatch: Document[] }).firstBatch[0]!;
    };
    const back = await find();
    expect(Object.keys(back)).toEqual(['_id', 'a', '__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    // (Projections are mingo's, which leaves out a field named __proto__: see the README.)
    expect(Object.keys(await find({ b: 1 }))).toEqual(['_id', 'b']);
    // A unique index on the field names it in the duplicate-key error.
    const index = await raw.command({
      createIndexes: 'protos',
      indexes: [{ key: JSON.parse('{"__proto__":1}'), name: 'p', unique: true }],
      $db: 'prop',
    });
    expect(index['ok']).toBe(1);
    const dup = await raw.command({
      insert: 'protos',
      documents: [JSON.parse('{"_id":"proto-2","__proto__":{"polluted":1}}')],
      $db: 'prop',
    });
    expect(JSON.stringify(dup['writeErrors'])).toContain('__proto__');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('random filters are answered or refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(filter, async (f) => {
        const reply = await raw.command({ find: 'names', filter: f, $db: 'prop' });
        expect(isCleanReply(reply)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  test('random updates and upserts are applied or refused cleanly; stored documents keep _id first', async () => {
    await fc.assert(
      fc.asyncProperty(filter, updateDoc, fc.boolean(), async (q, u, upsert) => {
        const reply = await raw.command({ update: 'names', updates: [{ q, u, upsert, multi: false }], $db: 'prop' });
        expect(isCleanReply(reply)).toBe(true);
        for (const error of (reply['writeErrors'] as Document[] | undefined) ?? []) {
          expect(typeof error['code']).toBe('number');
          expect(error['code']).not.toBe(1);
        }
      }),
      { numRuns: 400 },
    );
    const all = await raw.command({ find: 'names', $db: 'prop', batchSize: 100000 });
    // A JavaScript object lists integer-like keys ("0", "17") before all others whatever their
    // order in the BSON it was read from, so `_id` is checked against the other keys only.
    const named = (doc: Document) => Object.keys(doc).filter((k) => !/^(0|[1-9]\d*)$/.test(k));
    for (const doc of (all['cursor'] as { firstBatch: Document[] }).firstBatch) expect(named(doc)[0]).toBe('_id');
  });

  test('random bytes on a connection never take the server down', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), async (bytes, fixLength) => {
        const client = await RawClient.open(srv.port);
        const frame = Buffer.from(bytes);
        if (fixLength && frame.length >= 16) frame.writeInt32LE(frame.length, 0);
        client.send(frame);
        await client.read(50);
        client.close();
      }),
      { numRuns: 150 },
    );
    const probe = await RawClient.open(srv.port);
    expect(await probe.command({ ping: 1, $db: 'admin' })).toEqual({ ok: 1 });
    probe.close();
    expect(srv.internalErrors).toEqual([]);
  });
});
