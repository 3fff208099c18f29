import type { Document } from 'bson';
import { crc32c } from './crc32c.js';
import {
  FLAG_CHECKSUM_PRESENT,
  FLAG_EXHAUST_ALLOWED,
  FLAG_MORE_TO_COME,
  HEADER_SIZE,
  OP_COMPRESSED,
  OP_MSG,
  OP_QUERY,
  OP_REPLY,
} from './constants.js';
import { readDocument, serializeDocument } from './bson-io.js';
import { WireProtocolError } from './protocol-error.js';

/** A document sequence (OP_MSG section kind 1). */
export interface DocumentSequence {
  readonly identifier: string;
  readonly documents: Document[];
}

/** A parsed OP_MSG request. */
export interface OpMsgRequest {
  readonly opCode: typeof OP_MSG;
  readonly requestId: number;
  readonly flags: number;
  readonly body: Document;
  readonly sequences: readonly DocumentSequence[];
  /** The client expects no reply (unacknowledged write). */
  readonly moreToCome: boolean;
  /** The client accepts a stream of replies. */
  readonly exhaustAllowed: boolean;
}

/** A parsed legacy OP_QUERY request. */
export interface OpQueryRequest {
  readonly opCode: typeof OP_QUERY;
  readonly requestId: number;
  readonly flags: number;
  readonly fullCollectionName: string;
  readonly numberToSkip: number;
  readonly numberToReturn: number;
  readonly query: Document;
}

/** An OP_COMPRESSED request; this server never negotiates compression, so it is refused. */
export interface OpCompressedRequest {
  readonly opCode: typeof OP_COMPRESSED;
  readonly requestId: number;
  readonly originalOpCode: number;
}

/** Any other (removed or unknown) op code. */
export interface UnsupportedRequest {
  readonly opCode: number;
  readonly requestId: number;
  readonly unsupported: true;
}

/** What {@link parseMessage} returns. */
export type WireRequest = OpMsgRequest | OpQueryRequest | OpCompressedRequest | UnsupportedRequest;

/**
 * Parses one whole message (as cut by {@link FrameReader}).
 *
 * @throws WireProtocolError for anything the wire protocol reference does not allow.
 */
export function parseMessage(frame: Buffer): WireRequest {
  if (frame.length < HEADER_SIZE || frame.readInt32LE(0) !== frame.length) {
    throw new WireProtocolError('ProtocolError', 'message length does not match its header', { fatal: true });
  }
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  switch (opCode) {
    case OP_MSG:
      return parseOpMsg(frame, requestId);
    case OP_QUERY:
      return parseOpQuery(frame, requestId);
    case OP_COMPRESSED:
      if (frame.length < HEADER_SIZE + 9) {
        throw new WireProtocolError('ProtocolError', 'OP_COMPRESSED message is truncated', { fatal: true, requestId });
      }
      return { opCode: OP_COMPRESSED, requestId, originalOpCode: frame.readInt32LE(HEADER_SIZE) };
    default:
      return { opCode, requestId, unsupported: true };
  }
}

function parseOpMsg(frame: Buffer, requestId: number): OpMsgRequest {
  if (frame.length < HEADER_SIZE + 4) {
    throw new WireProtocolError('ProtocolError', 'OP_MSG message is truncated', { fatal: true, requestId });
  }
  const flags = frame.readUInt32LE(HEADER_SIZE);
  const known = FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME;
  if ((flags & 0xffff & ~known) !== 0) {
    throw new WireProtocolError(
      'IllegalOpMsgFlag',
      `Message contains illegal flags value: 0b${flags.toString(2).padStart(32, '0')}`,
      {
        fatal: true,
        requestId,
      },
    );
  }
  let end = frame.length;
  if (flags & FLAG_CHECKSUM_PRESENT) {
    end -= 4;
    if (end < HEADER_SIZE + 4) {
      throw new WireProtocolError('ProtocolError', 'OP_MSG message is too short for its checksum', { fatal: true, requestId });
    }
    if (frame.readUInt32LE(end) !== crc32c(frame.subarray(0, end))) {
      throw new WireProtocolError('ChecksumMismatch', 'OP_MSG checksum does not match contents', { fatal: true, requestId });
    }
  }
  let body: Document | undefined;
  const sequences: DocumentSequence[] = [];
  let offset = HEADER_SIZE + 4;
  while (offset < end) {
    const kind = frame[offset]!;
    offset += 1;
    if (kind === 0) {
      if (body) throw new WireProtocolError('Location40430', 'Multiple body sections in message', { fatal: false, requestId });
      [body, offset] = readDocument(frame, offset, end, requestId);
    } else if (kind === 1) {
      offset = readSequence(frame, offset, end, requestId, sequences);
    } else {
      throw new WireProtocolError('Location40432', `Unknown section kind ${kind}`, { fatal: false, requestId });
    }
  }
  if (!body) throw new WireProtocolError('Location40587', 'OP_MSG messages must have a body', { fatal: false, requestId });
  for (const sequence of sequences) {
    if (Object.hasOwn(body, sequence.identifier)) {
      throw new WireProtocolError('Location40433', `Duplicate field between body and document sequence ${sequence.identifier}`, {
        fatal: false,
        requestId,
      });
    }
  }
  return {
    opCode: OP_MSG,
    requestId,
    flags,
    body,
    sequences,
    moreToCome: (flags & FLAG_MORE_TO_COME) !== 0,
    exhaustAllowed: (flags & FLAG_EXHAUST_ALLOWED) !== 0,
  };
}

function readSequence(frame: Buffer, start: number, end: number, requestId: number, sequences: DocumentSequence[]): number {
  if (end - start < 4) throw new WireProtocolError('ProtocolError', 'document sequence is truncated', { fatal: true, requestId });
  const size = frame.readInt32LE(start);
  if (size < 5 || size > end - start) {
    throw new WireProtocolError('ProtocolError', `document sequence size ${size} does not fit the message`, {
      fatal: true,
      requestId,
    });
  }
  const sectionEnd = start + size;
  const nul = frame.indexOf(0, start + 4);
  if (nul < 0 || nul >= sectionEnd) {
    throw new WireProtocolError('ProtocolError', 'document sequence identifier is not terminated', { fatal: true, requestId });
  }
  const identifier = frame.toString('utf8', start + 4, nul);
  if (sequences.some((s) => s.identifier === identifier)) {
    throw new WireProtocolError('Location40431', `Duplicate document sequence: ${identifier}`, { fatal: false, requestId });
  }
  if (sequences.length >= 2) {
    throw new WireProtocolError('TooManyDocumentSequences', 'Too many document sequences in OP_MSG', { fatal: true, requestId });
  }
  const documents: Document[] = [];
  let offset = nul + 1;
  while (offset < sectionEnd) {
    const [doc, next] = readDocument(frame, offset, sectionEnd, requestId);
    documents.push(doc);
    offset = next;
  }
  sequences.push({ identifier, documents });
  return sectionEnd;
}

function parseOpQuery(frame: Buffer, requestId: number): OpQueryRequest {
  const end = frame.length;
  let offset = HEADER_SIZE;
  if (end - offset < 4) throw new WireProtocolError('ProtocolError', 'OP_QUERY message is truncated', { fatal: true, requestId });
  const flags = frame.readInt32LE(offset);
  offset += 4;
  const nul = frame.indexOf(0, offset);
  if (nul < 0)
    throw new WireProtocolError('ProtocolError', 'OP_QUERY collection name is not terminated', { fatal: true, requestId });
  const fullCollectionName = frame.toString('utf8', offset, nul);
  offset = nul + 1;
  if (end - offset < 8) throw new WireProtocolError('ProtocolError', 'OP_QUERY message is truncated', { fatal: true, requestId });
  const numberToSkip = frame.readInt32LE(offset);
  const numberToReturn = frame.readInt32LE(offset + 4);
  offset += 8;
  const [query, next] = readDocument(frame, offset, end, requestId);
  if (next < end) readDocument(frame, next, end, requestId); // returnFieldsSelector: validated, unused
  return { opCode: OP_QUERY, requestId, flags, fullCollectionName, numberToSkip, numberToReturn, query };
}

/** Encodes an OP_MSG reply with one body section. */
export function encodeOpMsg(requestId: number, responseTo: number, body: Document, flags = 0): Buffer {
  const bson = serializeDocument(body);
  const header = Buffer.allocUnsafe(HEADER_SIZE + 5);
  header.writeInt32LE(HEADER_SIZE + 5 + bson.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(flags >>> 0, 16);
  header.writeUInt8(0, 20);
  return Buffer.concat([header, bson]);
}

/** Encodes an OP_REPLY carrying `documents` (the answer to a legacy OP_QUERY). */
export function encodeOpReply(requestId: number, responseTo: number, documents: Document[]): Buffer {
  const bodies = documents.map(serializeDocument);
  const size = HEADER_SIZE + 20 + bodies.reduce((sum, b) => sum + b.length, 0);
  const header = Buffer.alloc(HEADER_SIZE + 20);
  header.writeInt32LE(size, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(OP_REPLY, 12);
  header.writeInt32LE(0, 16); // responseFlags
  header.writeBigInt64LE(0n, 20); // cursorID
  header.writeInt32LE(0, 28); // startingFrom
  header.writeInt32LE(documents.length, 32);
  return Buffer.concat([header, ...bodies]);
}
