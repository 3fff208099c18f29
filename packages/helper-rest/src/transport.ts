/**
 * How bytes leave the process. Every connection keeps its own pool of
 * keep-alive connections; which client drives it depends on the runtime:
 *
 * - Node: an undici `Agent` (or `ProxyAgent` with a proxy) and its `request`
 *   API. Node's global `fetch` is undici too, but its WHATWG layer (Request,
 *   Response, web streams, Headers) costs several times more CPU per request
 *   than the request itself (docs/guide/performance.md has the numbers).
 * - Bun: the global `fetch`, which is native there and the cheapest client Bun
 *   has; TLS and proxy settings go to its own `tls`/`proxy` init fields.
 * - A replacement `fetch` from `createHelperRest({ fetch })` is used as given;
 *   on Node it receives an undici `dispatcher` for TLS and proxy settings.
 *
 * undici is loaded on the first request. If it cannot be loaded (a bundle that
 * left it out), plain connections fall back to the global `fetch` and only
 * connections with TLS or proxy settings fail, with a configuration error.
 */
import type { ResolvedProxy } from './proxy.js';
import type { LoadedTls } from './tls.js';
import { fetchTransport } from './transport-fetch.js';
import { undiciTransport } from './transport-undici.js';

/** One HTTP exchange as the pipeline hands it to a transport. */
export interface OutboundRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  /** The exchange is abandoned after this many ms (the transport then throws {@link TransportAbort}). */
  timeoutMs: number;
  /**
   * The caller's cancellation (`ctx.signal`, `options.signal`), asked for only when the transport
   * listens: a host may make the signal when it is first read (the gateway does, per request), and
   * an exchange that ends within {@link CALLER_GRACE_MS} then never makes one.
   */
  caller?: (() => AbortSignal | undefined) | undefined;
}

/**
 * How long an exchange runs before the Node transport listens to its caller's signal: an abort
 * within that time lets the exchange end by itself, at most this much later. Abandoning a short
 * exchange would not spare the target its work, and a signal per inbound request (made on first
 * read) plus a listener cost a generic front more CPU than the rest of its exchange bookkeeping.
 */
export const CALLER_GRACE_MS = 100;

/** Thrown by a transport that abandoned an exchange: its timeout passed, or the caller aborted. */
export class TransportAbort extends Error {
  constructor(
    readonly why: 'timeout' | 'caller',
    readonly reason?: unknown,
  ) {
    super(why === 'timeout' ? 'exchange timed out' : 'exchange aborted by the caller');
  }
}

/**
 * Largest response body read into memory (bytes) unless the connection sets `maxResponseBytes`; a
 * bigger one fails the exchange with {@link ResponseTooLarge}.
 */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/**
 * Thrown by a transport for an answer whose body is larger than the connection reads (declared by
 * `Content-Length` or found while reading): what was read is dropped and the connection closed.
 */
export class ResponseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`response larger than ${limit} bytes`);
  }
}

/** A response read to its end. */
export interface RawResponse {
  status: number;
  /** One header (lower-case name); repeated headers joined with `, `. */
  header(name: string): string | undefined;
  /** Every header, as a `Headers` object (built on first call). */
  headers(): Headers;
  bytes: Uint8Array;
  /** The URL that answered. */
  url: string;
}

/** Sends requests for one connection over its own connection pool. */
export interface Transport {
  send(req: OutboundRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

/** What the transport needs to know about a connection. */
export interface TransportOptions {
  tls?: LoadedTls | undefined;
  proxy?: ResolvedProxy | undefined;
  /** Replacement fetch from `createHelperRest({ fetch })`. */
  fetchImpl?: typeof fetch | undefined;
  /** Largest answer read, in bytes; {@link MAX_RESPONSE_BYTES} when absent. */
  maxResponseBytes?: number | undefined;
}

/** True when running on Bun. */
export function isBun(): boolean {
  return typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
}

/** Creates the transport for one connection. */
export function createTransport(opts: TransportOptions): Transport {
  if (isBun()) return fetchTransport(opts.fetchImpl ?? globalThis.fetch.bind(globalThis), opts);
  if (opts.fetchImpl && !opts.tls && !opts.proxy)
    return fetchTransport(opts.fetchImpl, { maxResponseBytes: opts.maxResponseBytes });
  return undiciTransport(opts);
}
