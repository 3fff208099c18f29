/**
 * Active Directory GUIDs (`objectGUID`, `mS-DS-ConsistencyGuid`): 16 bytes on
 * the wire, shown as the mixed-endian string Windows uses — the first three
 * groups little-endian, the last two in byte order.
 *
 * @see MS-DTYP §2.3.4 (GUID packet representation)
 */

/** Raised for a GUID string or buffer that has the wrong shape. */
export class GuidFormatError extends Error {
  override name = 'GuidFormatError';
  readonly code = 'ERR_LDAP_GUID_FORMAT';
}

const GUID_RE = /^\{?([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})\}?$/;

const hex = (b: Uint8Array, from: number, to: number, reverse: boolean) => {
  const part = Array.from(b.subarray(from, to));
  if (reverse) part.reverse();
  return part.map((x) => x.toString(16).padStart(2, '0')).join('');
};

/**
 * Formats 16 GUID bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (lower case).
 *
 * @throws GuidFormatError when `bytes` is not 16 bytes long
 * @example
 * guidToString(Buffer.from('78563412341278564567abcdef012345', 'hex'))
 * // '12345678-1234-5678-4567-abcdef012345'
 */
export function guidToString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new GuidFormatError(`A GUID has 16 bytes, got ${bytes.length}`);
  return [
    hex(bytes, 0, 4, true),
    hex(bytes, 4, 6, true),
    hex(bytes, 6, 8, true),
    hex(bytes, 8, 10, false),
    hex(bytes, 10, 16, false),
  ].join('-');
}

/**
 * Parses a GUID string (braces optional, any case) into its 16 wire bytes.
 *
 * @throws GuidFormatError for anything that is not a GUID string
 * @example
 * guidToBytes('12345678-1234-5678-4567-abcdef012345').toString('hex')
 * // '78563412341278564567abcdef012345'
 */
export function guidToBytes(text: string): Buffer {
  const m = typeof text === 'string' ? GUID_RE.exec(text.trim()) : null;
  if (!m) throw new GuidFormatError(`Not a GUID: ${JSON.stringify(String(text).slice(0, 60))}`);
  const [, a, b, c, d, e] = m as unknown as [string, string, string, string, string, string];
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(a), le(b), le(c), Buffer.from(d, 'hex'), Buffer.from(e, 'hex')]);
}

/** True when `text` is a GUID string {@link guidToBytes} accepts. */
export function isGuidString(text: string): boolean {
  return GUID_RE.test(text.trim());
}
