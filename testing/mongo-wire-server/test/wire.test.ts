import { BSON } from 'bson';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  crc32c,
  FrameReader,
  type MongoWireServer,
  parseMessage,
  startMongoWireServer,
  WireProtocolError,
} from '../src/index.js';
import { opMsg, opQuery, RawClient } from './raw-client.js';

describe('frames', () => {
  test('CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  test('OP_MSG with a body and a document sequence', () => {
    const frame = opMsg({ insert: 'c', $db: 'd' }, { requestId: 9, sequences: [['documents', [{ a: 1 }, { a: 2 }]]] });
    const request = parseMessage(frame);
    expect(request).toMatchObject({ opCode: 2013, requestId: 9, body: { insert: 'c', $db: 'd' }, moreToCome: false });
    expect((request as { sequences: unknown }).sequences).toEqual([{ identifier: 'documents', documents: [{ a: 1 }, { a: 2 }] }]);
  });

  test('a valid checksum is accepted, a wrong one is a fatal ChecksumMismatch', () => {
    expect(parseMessage(opMsg({ ping: 1, $db: 'a' }, { checksum: true }))).toMatchObject({ body: { ping: 1 } });
    const error = catchError(() => parseMessage(opMsg({ ping: 1, $db: 'a' }, { checksum: true, corruptChecksum: true })));
    expect([error.code, error.codeName, error.fatal]).toEqual([288, 'ChecksumMismatch', true]);
  });

  test('structural errors carry MongoDB codes', () => {
    const unknownFlag = catchError(() => parseMessage(opMsg({ ping: 1 }, { flags: 1 << 4 })));
    expect([unknownFlag.code, unknownFlag.fatal]).toEqual([223, true]);
    // Optional flag bits (16-31) are ignored.
    expect(parseMessage(opMsg({ ping: 1 }, { flags: 1 << 20 }))).toMatchObject({ body: { ping: 1 } });
    const duplicate = catchError(() => parseMessage(opMsg({ documents: [], insert: 'c' }, { sequences: [['documents', [{}]]] })));
    expect(duplicate.code).toBe(40433);
    const twoSequences = catchError(() =>
      parseMessage(
        opMsg(
          { x: 1 },
          {
            sequences: [
              ['a', [{}]],
              ['a', [{}]],
            ],
          },
        ),
      ),
    );
    expect(twoSequences.code).toBe(40431);
    const noBody = Buffer.alloc(21);
    noBody.writeInt32LE(20, 0);
    noBody.writeInt32LE(2013, 12);
    expect(catchError(() => parseMessage(noBody.subarray(0, 20))).code).toBe(40587);
    const kind = opMsg({ ping: 1 });
    kind[20] = 7;
    expect(catchError(() => parseMessage(kind)).code).toBe(40432);
  });

  test('the frame reader splits a stream at any chunk boundary and refuses absurd lengths', () => {
    const frames = [opMsg({ a: 1 }), opMsg({ b: 'x'.repeat(300) }), opMsg({ c: [1, 2, 3] })];
    const stream = Buffer.concat(frames);
    for (const step of [1, 3, 7, 64, stream.length]) {
      const reader = new FrameReader();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...reader.push(stream.subarray(i, i + step)));
      expect(out.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
      expect(reader.buffered).toBe(0);
    }
    const huge = Buffer.alloc(4);
    huge.writeInt32LE(49_000_000);
    expect(() => new FrameReader().push(huge)).toThrow(WireProtocolError);
  });
});

describe('on the socket', () => {
  let srv: MongoWireServer;
  let raw: RawClient;
  beforeAll(async () => {
    srv = await startMongoWireServer();
  });
  afterAll(async () => {
    raw?.close();
    await srv.stop();
    expect(srv.internalErrors).toEqual([]);
  });

  test('legacy OP_QUERY handshake is answered with OP_REPLY; other OP_QUERY commands with 352', async () => {
    raw = await RawClient.open(srv.port);
    raw.send(opQuery('admin.$cmd', { isMaster: 1, helloOk: true }, 5));
    const reply = await raw.read();
    expect(reply?.opCode).toBe(1);
    expect(reply?.responseTo).toBe(5);
    expect(reply?.documents[0]).toMatchObject({ ismaster: true, helloOk: true, maxWireVersion: 25, ok: 1 });
    expect(reply?.documents[0]?.['compression']).toBeUndefined();
    raw.send(opQuery('admin.$cmd', { find: 'x' }, 6));
    const refused = await raw.read();
    expect(refused?.documents[0]).toMatchObject({ ok: 0, code: 352, codeName: 'UnsupportedOpQueryCommand' });
    raw.close();
  });

  test('hello has the standalone shape of a current server', async () => {
    raw = await RawClient.open(srv.port);
    const hello = await raw.command({ hello: 1, $db: 'admin' });
    expect(Object.keys(hello)).toEqual([
      'isWritablePrimary',
      'topologyVersion',
      'maxBsonObjectSize',
      'maxMessageSizeBytes',
      'maxWriteBatchSize',
      'localTime',
      'logicalSessionTimeoutMinutes',
      'connectionId',
      'minWireVersion',
      'maxWireVersion',
      'readOnly',
      'ok',
    ]);
    expect(hello).toMatchObject({
      isWritablePrimary: true,
      maxBsonObjectSize: 16777216,
      maxMessageSizeBytes: 48000000,
      maxWriteBatchSize: 100000,
      logicalSessionTimeoutMinutes: 30,
    });
    expect(hello['topologyVersion'].processId).toBeInstanceOf(BSON.ObjectId);
    raw.close();
  });

  test('OP_MSG: missing $db (40571), unknown command (59), checksummed requests work', async () => {
    raw = await RawClient.open(srv.port);
    expect(await raw.command({ ping: 1 })).toMatchObject({ ok: 0, code: 40571 });
    expect(await raw.command({ frobnicate: 1, $db: 'admin' })).toEqual({
      ok: 0,
      errmsg: "no such command: 'frobnicate'",
      code: 59,
      codeName: 'CommandNotFound',
    });
    raw.send(opMsg({ ping: 1, $db: 'admin' }, { checksum: true, requestId: 77 }));
    const reply = await raw.read();
    expect([reply?.responseTo, reply?.documents[0]]).toEqual([77, { ok: 1 }]);
    raw.close();
  });

  test('document sequences (kind 1) carry insert documents and update statements', async () => {
    raw = await RawClient.open(srv.port);
    raw.send(
      opMsg({ insert: 'seq', $db: 'wire' }, { requestId: 11, sequences: [['documents', [{ _id: 1 }, { _id: 2 }, { _id: 1 }]]] }),
    );
    const inserted = await raw.read();
    expect(inserted?.documents[0]).toMatchObject({ n: 2, ok: 1, writeErrors: [{ index: 2, code: 11000 }] });
    raw.send(
      opMsg(
        { update: 'seq', $db: 'wire' },
        { requestId: 12, sequences: [['updates', [{ q: { _id: 2 }, u: { $set: { x: 1 } } }]]] },
      ),
    );
    const updated = await raw.read();
    expect(updated?.documents[0]).toEqual({ n: 1, nModified: 1, ok: 1 });
    raw.close();
  });

  test('moreToCome requests get no reply (unacknowledged writes)', async () => {
    raw = await RawClient.open(srv.port);
    raw.send(opMsg({ insert: 'w0', documents: [{ _id: 1 }], $db: 'wire', writeConcern: { w: 0 } }, { flags: 2, requestId: 1 }));
    expect(await raw.read(300)).toBeUndefined();
    const count = await raw.command({ count: 'w0', $db: 'wire' }, 2);
    expect(count).toEqual({ n: 1, ok: 1 });
    raw.close();
  });

  test('a wrong checksum closes the connection after an error reply', async () => {
    raw = await RawClient.open(srv.port);
    raw.send(opMsg({ ping: 1, $db: 'admin' }, { checksum: true, corruptChecksum: true, requestId: 3 }));
    const reply = await raw.read();
    expect(reply?.documents[0]).toMatchObject({ ok: 0, code: 288, codeName: 'ChecksumMismatch' });
    expect(await raw.read(500)).toBeUndefined();
    expect(raw.closed).toBe(true);
  });

  test('OP_COMPRESSED is refused (compression is never negotiated)', async () => {
    raw = await RawClient.open(srv.port);
    const frame = Buffer.alloc(25);
    frame.writeInt32LE(25, 0);
    frame.writeInt32LE(4, 4);
    frame.writeInt32LE(2012, 12);
    frame.writeInt32LE(2013, 16);
    raw.send(frame);
    const reply = await raw.read();
    expect(reply?.documents[0]).toMatchObject({ ok: 0, code: 17 });
    expect(await raw.read(500)).toBeUndefined();
  });

  test('removed legacy op codes end the connection', async () => {
    raw = await RawClient.open(srv.port);
    const frame = Buffer.alloc(20);
    frame.writeInt32LE(20, 0);
    frame.writeInt32LE(2002, 12); // OP_INSERT
    raw.send(frame);
    expect(await raw.read(500)).toBeUndefined();
    expect(raw.closed).toBe(true);
  });

  test('transactions are refused as on a standalone mongod', async () => {
    raw = await RawClient.open(srv.port);
    const reply = await raw.command({
      find: 'x',
      $db: 'wire',
      lsid: { id: new BSON.UUID() },
      txnNumber: BSON.Long.fromNumber(1),
      startTransaction: true,
      autocommit: false,
    });
    expect(reply).toEqual({
      ok: 0,
      errmsg: 'Transaction numbers are only allowed on a replica set member or mongos',
      code: 20,
      codeName: 'IllegalOperation',
    });
    raw.close();
  });

  test('unknown command fields are refused as MongoDB IDL does', async () => {
    raw = await RawClient.open(srv.port);
    expect(await raw.command({ find: 'x', filtr: {}, $db: 'wire' })).toEqual({
      ok: 0,
      errmsg: "BSON field 'find.filtr' is an unknown field.",
      code: 40415,
      codeName: 'Location40415',
    });
    expect(await raw.command({ find: 'x', limit: 'ten', $db: 'wire' })).toMatchObject({
      ok: 0,
      code: 14,
      codeName: 'TypeMismatch',
    });
    expect(await raw.command({ insert: 'x', documents: [], $db: 'wire' })).toMatchObject({ ok: 0, code: 16 });
    raw.close();
  });
});

function catchError(fn: () => unknown): WireProtocolError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WireProtocolError) return error;
    throw error;
  }
  throw new Error('expected a WireProtocolError');
}
