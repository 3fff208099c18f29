/**
 * The Virtual List View controls: a search asks for a window of the sorted
 * result (by offset, or from the first value at or after an assertion) and
 * the server answers with the window's position and the size of the whole
 * list. Used with server-side sorting, which VLV requires.
 *
 * @see draft-ietf-ldapext-ldapv3-vlv-09 §6.1 (request) and §6.2 (response)
 */
import { BerError, BerReader, integer, octets, sequence, TAG } from './ber.js';

/** OID of the VLV request control. */
export const VLV_REQUEST_OID = '2.16.840.1.113730.3.4.9';
/** OID of the VLV response control. */
export const VLV_RESPONSE_OID = '2.16.840.1.113730.3.4.10';

/** `byOffset` target: `[0] SEQUENCE { offset, contentCount }`. */
const BY_OFFSET = 0xa0;
/** `greaterThanOrEqual` target: `[1] AssertionValue`. */
const GREATER_OR_EQUAL = 0x81;

/** What a VLV search asks for. */
export interface VlvRequest {
  /** Entries before the target to return. */
  beforeCount: number;
  /** Entries after the target to return. */
  afterCount: number;
  /** The target: a 1-based offset (with the client's idea of the list size, 0 if unknown) or an assertion value. */
  target: { offset: number; contentCount: number } | { greaterThanOrEqual: string | Uint8Array };
  /** The server's context from an earlier response on the same list. */
  contextId?: Uint8Array | undefined;
}

/** What the server answers. */
export interface VlvResponse {
  /** 1-based position of the target in the list. */
  targetPosition: number;
  /** The server's count of entries in the list. */
  contentCount: number;
  /** 0 on success; otherwise an LDAP result code (the draft's list, or a server's own). */
  result: number;
  contextId?: Uint8Array | undefined;
}

const MAX_INT = 2_147_483_647;

function count(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min || v > MAX_INT)
    throw new RangeError(`VLV ${name} must be an integer in ${min}..${MAX_INT}`);
}

/**
 * Encodes the request control's value.
 *
 * @example
 * encodeVlvRequest({ beforeCount: 0, afterCount: 99, target: { offset: 9001, contentCount: 0 } })
 */
export function encodeVlvRequest(r: VlvRequest): Uint8Array {
  count('beforeCount', r.beforeCount, 0);
  count('afterCount', r.afterCount, 0);
  let target: Uint8Array;
  if ('offset' in r.target) {
    count('offset', r.target.offset, 0);
    count('contentCount', r.target.contentCount, 0);
    target = sequence([integer(r.target.offset), integer(r.target.contentCount)], BY_OFFSET);
  } else {
    target = octets(r.target.greaterThanOrEqual, GREATER_OR_EQUAL);
  }
  return sequence([
    integer(r.beforeCount),
    integer(r.afterCount),
    target,
    ...(r.contextId !== undefined ? [octets(r.contextId)] : []),
  ]);
}

/** Decodes a request control's value (servers and tests; the connector only encodes requests). */
export function decodeVlvRequest(bytes: Uint8Array): VlvRequest {
  const top = new BerReader(bytes);
  const s = top.sequence();
  top.finish('the VLV request');
  const beforeCount = s.integer();
  const afterCount = s.integer();
  let target: VlvRequest['target'];
  const tag = s.peekTag();
  if (tag === BY_OFFSET) {
    const o = s.sequence(BY_OFFSET, 'byOffset');
    target = { offset: o.integer(), contentCount: o.integer() };
    o.finish('byOffset');
  } else if (tag === GREATER_OR_EQUAL) {
    target = { greaterThanOrEqual: s.octets(GREATER_OR_EQUAL, 'greaterThanOrEqual') };
  } else {
    throw new BerError('expected a VLV target', 0);
  }
  const contextId = s.done ? undefined : s.octets(TAG.octetString, 'contextID');
  s.finish('the VLV request');
  return { beforeCount, afterCount, target, ...(contextId ? { contextId } : {}) };
}

/**
 * Decodes the response control's value.
 *
 * @throws BerError for bytes that are not a VLV response
 */
export function decodeVlvResponse(bytes: Uint8Array): VlvResponse {
  const top = new BerReader(bytes);
  const s = top.sequence();
  top.finish('the VLV response');
  const targetPosition = s.integer();
  const contentCount = s.integer();
  const result = s.integer(TAG.enumerated, 'ENUMERATED');
  const contextId = s.done ? undefined : s.octets(TAG.octetString, 'contextID');
  // Later revisions may add elements; the draft marks the type extensible, so they are skipped.
  while (!s.done) s.next();
  if (targetPosition < 0 || contentCount < 0) throw new BerError('negative VLV position or count', 0);
  return { targetPosition, contentCount, result, ...(contextId ? { contextId } : {}) };
}

/** Encodes a response control's value (tests and servers). */
export function encodeVlvResponse(r: VlvResponse): Uint8Array {
  return sequence([
    integer(r.targetPosition),
    integer(r.contentCount),
    integer(r.result, TAG.enumerated),
    ...(r.contextId !== undefined ? [octets(r.contextId)] : []),
  ]);
}
