/** Writing plain responses to node:http. */
import type { ServerResponse } from 'node:http';
import { responseJson } from './json.js';

/**
 * On Node, bodies longer than this (in UTF-16 code units) are encoded to a Buffer once, which gives
 * the length too, where `Buffer.byteLength` and the socket's own encoding would each walk the
 * string; shorter ones go as strings (see below). Bun writes large strings faster than Buffers
 * (850 against 691 req/s for a 5,000-member group), so there every body goes as a string.
 */
const BUFFER_FROM = (globalThis as { Bun?: unknown }).Bun === undefined ? 16 * 1024 : Number.POSITIVE_INFINITY;

/** Sends a status, headers and an optional JSON body. */
export function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body?: unknown): void {
  if (body === undefined || status === 204 || status === 304) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  // Sent as a string: Node copies a string body into the header block and hands the socket one
  // buffer, where a Buffer body costs an encoding pass, an allocation and a separate part in the
  // `writev` (strace: [head+body, ''] against [head, body, '']). All headers go to writeHead in
  // one object: when none was set before with setHeader, Node formats that object directly
  // instead of merging it into its header map key by key.
  // Frozen arrays (a group's members) come as JSON cached by `responseJson`.
  const json = typeof body === 'string' ? body : responseJson(body);
  const data = typeof json === 'string' && json.length > BUFFER_FROM ? Buffer.from(json, 'utf8') : json;
  if (typeof data !== 'string') {
    res.writeHead(status, { ...headers, 'content-length': data.length });
    res.end(data);
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(data, 'utf8') });
  res.end(data, 'utf8');
}

/**
 * Origins set for requests that did not come through this host's own listener (Azure Relay), keyed
 * by the request's header object: the pipeline computes origins from headers alone.
 */
const originOf = new WeakMap<object, string>();

/**
 * Sets the origin {@link requestOrigin} gives for one request: for requests that arrived another
 * way than the host's port, such as through Azure Relay (`https://<namespace>/<hybrid-connection>`).
 */
export function setRequestOrigin(headers: Record<string, string | string[] | undefined>, origin: string): void {
  originOf.set(headers, origin);
}

/** The origin (`https://host:port`) a client used, for `meta.location`. */
export function requestOrigin(
  headers: Record<string, string | string[] | undefined>,
  encrypted: boolean,
  trustForwarded: boolean,
): string {
  const set = originOf.get(headers);
  if (set !== undefined) return set;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
  const proto = (trustForwarded && first(headers['x-forwarded-proto'])) || (encrypted ? 'https' : 'http');
  const host = (trustForwarded && first(headers['x-forwarded-host'])) || first(headers.host) || 'localhost';
  return `${proto}://${host}`;
}
