/** Writing plain responses to node:http. */
import { ServerResponse } from 'node:http';
import { type BodyPiece, responsePieces } from './json.js';

const ON_BUN = (globalThis as { Bun?: unknown }).Bun !== undefined;

/**
 * On Node, bodies longer than this (in UTF-16 code units) are encoded to a Buffer once, which gives
 * the length too, where `Buffer.byteLength` and the socket's own encoding would each walk the
 * string; shorter ones go as strings (see below). Bun writes large strings faster than Buffers
 * (850 against 691 req/s for a 5,000-member group), so there every body goes as a string.
 */
const BUFFER_FROM = ON_BUN ? Number.POSITIVE_INFINITY : 16 * 1024;

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
  const json = typeof body === 'string' ? body : responsePieces(body);
  if (typeof json !== 'string') {
    sendPieces(res, status, headers, json);
    return;
  }
  if (json.length > BUFFER_FROM) {
    const data = Buffer.from(json, 'utf8');
    res.writeHead(status, { ...headers, 'content-length': data.length });
    res.end(data);
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(json, 'utf8') });
  res.end(json, 'utf8');
}

/** A body in more pieces than this is joined into one Buffer on Bun, and written corked on Node. */
const MAX_WRITES = 8;
const COMMA = Buffer.from(',');

/**
 * A body with cached JSON in it (a group's members, see `responsePieces`): each piece is written as
 * it is, the cached bytes without a copy (on Node one `writev` once the response ends). On Bun this
 * measured 5× less CPU per read of a 5,000-member group than joining the pieces into one string
 * (0.26–0.36 against 1.4–1.7 ms, `bench/cost.mjs`), and 2–4× less than one Buffer.concat. A page
 * of kept resources (a piece per resource, see `responsePieces`) is written corked on Node and
 * joined on Bun.
 */
function sendPieces(res: ServerResponse, status: number, headers: Record<string, string>, pieces: BodyPiece[]): void {
  if (pieces.length > MAX_WRITES && (ON_BUN || typeof res.cork !== 'function')) {
    // A page of kept resources (a piece each) on Bun: copied together rather than written a piece
    // each (a call into its HTTP server per piece; measured no better for a page of 100). On Bun's
    // own HTTP server into one reused buffer; for a body too large for it, or a response that
    // cannot be corked (hyco-https's, through Azure Relay), into a new Buffer.
    const data =
      (ON_BUN && res instanceof ServerResponse ? joined(pieces) : undefined) ??
      Buffer.concat(pieces.map((p) => (typeof p !== 'string' ? p : p === ',' ? COMMA : Buffer.from(p, 'utf8'))));
    res.writeHead(status, { ...headers, 'content-length': data.length });
    res.end(data);
    return;
  }
  let length = 0;
  for (const p of pieces) length += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
  res.writeHead(status, { ...headers, 'content-length': length });
  // On Node a page's pieces are queued on the corked socket and leave in one `writev` when the
  // response ends: the kernel copies them from where they are, where joining them first allocated
  // and copied the whole body once more (about 60 KB per page of 100 users; 15% less CPU per
  // request, bench/cost.mjs (c)).
  const corked = pieces.length > MAX_WRITES;
  if (corked) res.cork();
  const last = pieces.length - 1;
  for (let i = 0; i < last; i++) {
    const p = pieces[i] as BodyPiece;
    if (typeof p === 'string') {
      if (p.length > 0) res.write(p, 'utf8');
    } else res.write(p);
  }
  res.end(pieces[last]);
  if (corked) res.uncork();
}

/** Bodies up to this many bytes are joined in {@link scratch} on Bun; larger ones get a Buffer of their own. */
const SCRATCH_BYTES = 1024 * 1024;
let scratch: Buffer | undefined;

/**
 * The pieces copied into one buffer that is reused by the next response: on Bun, whose HTTP server
 * copies what `end` is given before `end` returns (into the socket, or into its own buffer when the
 * client reads slowly: test/pieces-runtimes.test.ts proves it with stalled clients and bodies far
 * larger than the socket's buffers). A page of 100 users then allocates no 60 KB Buffer per
 * response: bench/cost.mjs (c) on Bun measured 0.118–0.127 against 0.152–0.169 CPU ms per request
 * on the main thread, and 0.13 against 0.19–0.21 in all threads (less to collect). Never on Node,
 * which writes from the caller's buffer while the socket drains. Undefined when the body is larger
 * than {@link SCRATCH_BYTES}.
 */
function joined(pieces: BodyPiece[]): Buffer | undefined {
  let n = 0;
  for (const p of pieces) n += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
  if (n > SCRATCH_BYTES) return undefined;
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  let at = 0;
  for (const p of pieces) at += typeof p === 'string' ? scratch.write(p, at, 'utf8') : p.copy(scratch, at);
  return scratch.subarray(0, at);
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

/** The first of a header's comma-separated values, trimmed (no array made: this runs per request). */
function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const comma = s.indexOf(',');
  return (comma === -1 ? s : s.slice(0, comma)).trim();
}

/** The origin (`https://host:port`) a client used, for `meta.location`. */
export function requestOrigin(
  headers: Record<string, string | string[] | undefined>,
  encrypted: boolean,
  trustForwarded: boolean,
): string {
  const set = originOf.get(headers);
  if (set !== undefined) return set;
  const proto = (trustForwarded && first(headers['x-forwarded-proto'])) || (encrypted ? 'https' : 'http');
  const host = (trustForwarded && first(headers['x-forwarded-host'])) || first(headers.host) || 'localhost';
  return `${proto}://${host}`;
}
