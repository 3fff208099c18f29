/**
 * IP address and CIDR helpers. Every address is held as a 128-bit bigint in the IPv6 space,
 * with IPv4 stored IPv4-mapped (`::ffff:a.b.c.d`), so an IPv4 rule matches a client that
 * reaches a dual-stack socket as `::ffff:a.b.c.d` and vice versa without special cases.
 *
 * Hand-written rather than `node:net` `BlockList` so the behaviour is identical on Node and Bun.
 */

const MAPPED_PREFIX = 0xffffn << 32n;
const ALL_ONES = (1n << 128n) - 1n;

/** A parsed CIDR block. */
export interface Cidr {
  /** Network address (host bits cleared), 128-bit. */
  readonly base: bigint;
  /** Prefix length in the 128-bit space (IPv4 `/n` becomes `/96+n`). */
  readonly prefix: number;
  readonly mask: bigint;
  /** The text it was parsed from. */
  readonly text: string;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: some stacks read them as octal, so `010.0.0.1` is ambiguous.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
    out.push(Number.parseInt(part, 16));
  }
  return out;
}

function parseIPv6(input: string): bigint | undefined {
  let text = input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dbl = text.indexOf('::');
  let groups: number[];
  if (dbl >= 0) {
    if (text.indexOf('::', dbl + 1) >= 0) return undefined;
    const left = parseGroups(text.slice(0, dbl));
    const right = parseGroups(text.slice(dbl + 2));
    if (!left || !right || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    const all = parseGroups(text);
    if (all?.length !== 8) return undefined;
    groups = all;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/**
 * Parse an IPv4 or IPv6 address (zone ids and `[brackets]` allowed) into the 128-bit space.
 *
 * @param text - e.g. `10.1.2.3`, `::1`, `::ffff:10.1.2.3`, `[fe80::1%eth0]`
 * @returns the address, or `undefined` when `text` is not an address
 * @example parseIp('1.2.3.4') === parseIp('::ffff:1.2.3.4') // true
 */
export function parseIp(text: string): bigint | undefined {
  let t = text.trim();
  if (t.length === 0 || t.length > 64) return undefined;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.includes(':')) return parseIPv6(t);
  const v4 = parseIPv4(t);
  return v4 === undefined ? undefined : MAPPED_PREFIX | v4;
}

/** `true` when the 128-bit address is IPv4-mapped (i.e. an IPv4 address). */
export function isIPv4Address(address: bigint): boolean {
  return address >> 32n === 0xffffn;
}

/**
 * Render an address canonically: dotted quad for IPv4 (and IPv4-mapped IPv6),
 * RFC 5952 compressed lower-case text for IPv6.
 *
 * @example formatIp(parseIp('::FFFF:1.2.3.4')!) // '1.2.3.4'
 */
export function formatIp(address: bigint): string {
  if (isIPv4Address(address)) {
    const v = Number(address & 0xffffffffn);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((address >> BigInt(i * 16)) & 0xffffn));
  // Longest run of two or more zero groups becomes `::` (first one on a tie), per RFC 5952 §4.2.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Canonical text of an address, or `undefined` when it is not one.
 *
 * @example normalizeIp('::ffff:7f00:1') // '127.0.0.1'
 */
export function normalizeIp(text: string): string | undefined {
  const a = parseIp(text);
  return a === undefined ? undefined : formatIp(a);
}

/**
 * Parse `address/prefix` (or a bare address, meaning a single host). Host bits are cleared.
 *
 * @returns the block, or `undefined` when malformed
 * @example parseCidr('13.66.141.64/27')
 */
export function parseCidr(text: string): Cidr | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash >= 0 ? t.slice(0, slash) : t;
  const address = parseIp(addrText);
  if (address === undefined) return undefined;
  const v4 = !addrText.includes(':');
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    bits = Number(p);
    if (bits > max) return undefined;
  }
  const prefix = v4 ? 96 + bits : bits;
  const mask = prefix === 0 ? 0n : (ALL_ONES << BigInt(128 - prefix)) & ALL_ONES;
  return { base: address & mask, prefix, mask, text: t };
}

/** `true` when `address` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, address: bigint): boolean {
  return (address & cidr.mask) === cidr.base;
}

/**
 * A compiled list of CIDR blocks with a small decision cache (allow lists of cloud
 * ranges run to hundreds of entries; clients are few).
 *
 * @example
 * const m = IpMatcher.compile(['10.0.0.0/8', '2603:1056:2000::/48'], 'ipAllowList');
 * m.matches('::ffff:10.1.2.3'); // true
 */
export class IpMatcher {
  readonly cidrs: readonly Cidr[];
  readonly #cache = new Map<string, boolean>();

  private constructor(cidrs: Cidr[]) {
    this.cidrs = cidrs;
  }

  /**
   * Compile a list, throwing an `Error` that names `configPath[i]` for the first bad entry.
   */
  static compile(list: readonly unknown[], configPath: string): IpMatcher {
    const out: Cidr[] = [];
    list.forEach((entry, i) => {
      const c = typeof entry === 'string' ? parseCidr(entry) : undefined;
      if (!c) throw new Error(`${configPath}[${i}]: not an IPv4/IPv6 address or CIDR: ${JSON.stringify(entry)}`);
      out.push(c);
    });
    return new IpMatcher(out);
  }

  /** `true` when `address` (any textual form) is inside one of the blocks; unparseable = `false`. */
  matches(address: string): boolean {
    const hit = this.#cache.get(address);
    if (hit !== undefined) return hit;
    const a = parseIp(address);
    const result = a !== undefined && this.cidrs.some((c) => cidrContains(c, a));
    if (this.#cache.size >= 4096) this.#cache.clear();
    this.#cache.set(address, result);
    return result;
  }
}
