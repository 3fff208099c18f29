/**
 * Server-side sorting controls: the request lists sort keys, the response
 * says whether the server sorted.
 *
 * @see RFC 2891 §1.1 (request) and §1.2 (response)
 */
import { BerError, BerReader, boolean, integer, octets, sequence, TAG } from './ber.js';

/** OID of the sort request control. */
export const SORT_REQUEST_OID = '1.2.840.113556.1.4.473';
/** OID of the sort response control. */
export const SORT_RESPONSE_OID = '1.2.840.113556.1.4.474';

const ORDERING_RULE = 0x80;
const REVERSE_ORDER = 0x81;
const ATTRIBUTE_TYPE = 0x80;

/** One sort key. */
export interface SortKey {
  attributeType: string;
  /** Matching rule name or OID; the attribute's own ORDERING rule when absent. */
  orderingRule?: string | undefined;
  reverseOrder?: boolean | undefined;
}

/** The server's answer. */
export interface SortResponse {
  /** 0 when sorted; otherwise an LDAP result code (16 noSuchAttribute, 18 inappropriateMatching, 51 busy …). */
  result: number;
  /** The attribute at fault, if the server names one. */
  attributeType?: string | undefined;
}

/** Encodes the request control's value. `reverseOrder: false` is left out (DEFAULT FALSE). */
export function encodeSortRequest(keys: SortKey[]): Uint8Array {
  if (!keys.length) throw new RangeError('a sort request needs at least one key');
  return sequence(
    keys.map((k) =>
      sequence([
        octets(k.attributeType),
        ...(k.orderingRule ? [octets(k.orderingRule, ORDERING_RULE)] : []),
        ...(k.reverseOrder ? [boolean(true, REVERSE_ORDER)] : []),
      ]),
    ),
  );
}

const text = (b: Uint8Array, what: string) => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new BerError(`${what} is not UTF-8`, 0);
  }
};

/** Decodes a request control's value (servers and tests). */
export function decodeSortRequest(bytes: Uint8Array): SortKey[] {
  const top = new BerReader(bytes);
  const list = top.sequence();
  top.finish('the sort request');
  const keys: SortKey[] = [];
  while (!list.done) {
    const k = list.sequence();
    const key: SortKey = { attributeType: text(k.octets(), 'attributeType') };
    if (k.peekTag() === ORDERING_RULE) key.orderingRule = text(k.octets(ORDERING_RULE, 'orderingRule'), 'orderingRule');
    if (k.peekTag() === REVERSE_ORDER) key.reverseOrder = k.boolean(REVERSE_ORDER, 'reverseOrder');
    k.finish('a sort key');
    keys.push(key);
  }
  if (!keys.length) throw new BerError('a sort request needs at least one key', 0);
  return keys;
}

/**
 * Decodes the response control's value.
 *
 * @throws BerError for bytes that are not a sort response
 */
export function decodeSortResponse(bytes: Uint8Array): SortResponse {
  const top = new BerReader(bytes);
  const s = top.sequence();
  top.finish('the sort response');
  const result = s.integer(TAG.enumerated, 'ENUMERATED');
  const attributeType =
    s.peekTag() === ATTRIBUTE_TYPE ? text(s.octets(ATTRIBUTE_TYPE, 'attributeType'), 'attributeType') : undefined;
  s.finish('the sort response');
  return { result, ...(attributeType !== undefined ? { attributeType } : {}) };
}

/** Encodes a response control's value (tests and servers). */
export function encodeSortResponse(r: SortResponse): Uint8Array {
  return sequence([
    integer(r.result, TAG.enumerated),
    ...(r.attributeType !== undefined ? [octets(r.attributeType, ATTRIBUTE_TYPE)] : []),
  ]);
}
