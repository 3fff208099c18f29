import { BSON, type Document } from 'bson';
import { MAX_BSON_DEPTH } from './constants.js';
import { WireProtocolError } from './protocol-error.js';

const DESERIALIZE_OPTIONS = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false } as const;

/**
 * Reads the BSON document that starts at `offset` and must end by `end`.
 *
 * @returns the document and the offset just past it.
 * @throws WireProtocolError (InvalidBSON) for a bad size, a missing terminator, undecodable bytes or
 *   nesting deeper than {@link MAX_BSON_DEPTH}.
 */
export function readDocument(frame: Buffer, offset: number, end: number, requestId: number): [Document, number] {
  if (end - offset < 5) throw invalid('document is truncated', requestId);
  const size = frame.readInt32LE(offset);
  if (size < 5 || size > end - offset) throw invalid(`document size ${size} does not fit the message`, requestId);
  if (frame[offset + size - 1] !== 0) throw invalid('document is not terminated', requestId);
  let doc: Document;
  try {
    doc = BSON.deserialize(frame.subarray(offset, offset + size), DESERIALIZE_OPTIONS);
  } catch (error) {
    throw invalid(`invalid BSON: ${(error as Error).message}`, requestId);
  }
  if (depthExceeds(doc, MAX_BSON_DEPTH))
    throw invalid(`BSONObj exceeds maximum nested object depth: ${MAX_BSON_DEPTH}`, requestId);
  return [doc, offset + size];
}

/** Serializes a reply or stored document. */
export function serializeDocument(doc: Document): Buffer {
  const bytes = BSON.serialize(doc, { checkKeys: false, ignoreUndefined: false });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The encoded size of `doc` in bytes. */
export function documentSize(doc: Document): number {
  return BSON.calculateObjectSize(doc, { ignoreUndefined: false });
}

function invalid(message: string, requestId: number): WireProtocolError {
  return new WireProtocolError('InvalidBSON', message, { fatal: false, requestId });
}

function depthExceeds(root: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(value)) {
      for (const item of value) if (isContainer(item)) stack.push([item, depth + 1]);
    } else {
      for (const key in value as Record<string, unknown>) {
        const item = (value as Record<string, unknown>)[key];
        if (isContainer(item)) stack.push([item, depth + 1]);
      }
    }
  }
  return false;
}

function isContainer(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
