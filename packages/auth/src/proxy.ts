/**
 * Client address resolution behind reverse proxies.
 */
import { getHeader } from './headers.js';
import { type IpMatcher, normalizeIp } from './ip.js';
import type { HeaderBag } from './types.js';

/** Strip an optional port some proxies append (`1.2.3.4:5678`, `[2001:db8::1]:443`). */
function stripPort(entry: string): string {
  if (entry.startsWith('[')) {
    const end = entry.indexOf(']');
    return end > 0 ? entry.slice(1, end) : entry;
  }
  const colon = entry.indexOf(':');
  if (colon > 0 && colon === entry.lastIndexOf(':')) return entry.slice(0, colon);
  return entry;
}

/** Normalized peer addresses: a handful of peers send almost every request. Bounded; cleared when full. */
const peerCache = new Map<string, string>();

function normalizedPeer(remoteAddress: string): string {
  let peer = peerCache.get(remoteAddress);
  if (peer === undefined) {
    peer = normalizeIp(remoteAddress) ?? remoteAddress;
    if (peerCache.size >= 1024) peerCache.clear();
    peerCache.set(remoteAddress, peer);
  }
  return peer;
}

/**
 * The caller's address. `X-Forwarded-For` is read only when the socket peer is a trusted
 * proxy, and then walked from the right: each hop that is itself a trusted proxy is skipped,
 * the first untrusted hop is the client. Entries to its left were written by the client and
 * are never believed — that is what stops a client from choosing its own address.
 *
 * @param headers - request headers
 * @param remoteAddress - the socket peer
 * @param trusted - compiled `trustedProxies`, or `undefined` when none are configured
 * @returns a canonical address (IPv4-mapped IPv6 rendered as IPv4), or the raw text when unparseable
 */
export function resolveClientAddress(headers: HeaderBag, remoteAddress: string, trusted: IpMatcher | undefined): string {
  const peer = normalizedPeer(remoteAddress);
  if (!trusted?.matches(peer)) return peer;
  const xff = getHeader(headers, 'x-forwarded-for');
  if (!xff) return peer;
  const hops = xff
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const raw = stripPort(hops[i]!);
    const addr = normalizeIp(raw);
    // A hop a trusted proxy wrote but that is no address: refuse to guess past it.
    if (addr === undefined) return raw;
    client = addr;
    if (!trusted.matches(addr)) return addr;
  }
  return client;
}
