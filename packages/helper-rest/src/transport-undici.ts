/**
 * The Node transport: one undici `Agent` (or `ProxyAgent`) per connection,
 * with its keep-alive pool per origin, driven through undici's `dispatch` API.
 * A replacement `fetch` gets the same dispatcher as its `dispatcher` field.
 * Redirects are followed (at most five); credentials are dropped when a
 * redirect leaves the origin.
 */
import type { Dispatcher } from 'undici';
import { RestConfigError } from './errors.js';
import {
  CALLER_GRACE_MS,
  MAX_RESPONSE_BYTES,
  ResponseTooLarge,
  type OutboundRequest,
  type RawResponse,
  type Transport,
  TransportAbort,
  type TransportOptions,
} from './transport.js';
import { fetchTransport, readFetchResponse, withAbort } from './transport-fetch.js';

type UndiciModule = typeof import('undici');

/** Redirects followed per request, as a browser would (fewer: no API needs more). */
const MAX_REDIRECTS = 5;

let undiciModule: Promise<UndiciModule> | undefined;

function loadUndici(): Promise<UndiciModule> {
  // Cached once per process; a failed import is tried again by the next request that needs it.
  undiciModule ??= import('undici').catch((e: unknown) => {
    undiciModule = undefined;
    throw new RestConfigError(
      'TLS or proxy options on Node need the "undici" package (a dependency of @scimgw/helper-rest); it could not be loaded',
      { cause: e },
    );
  });
  return undiciModule;
}

interface Sender {
  send(req: OutboundRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

/** Characters undici refuses in a request path; `new URL` percent-encodes them. */
const NEEDS_ENCODING = /[^\x21-\x7e]/;

/** Splits an absolute URL into undici's `origin` and `path` without parsing it. */
export function splitUrl(url: string): { origin: string; path: string } {
  const href = NEEDS_ENCODING.test(url) ? new URL(url).href : url;
  const scheme = href.indexOf('://');
  let cut = -1;
  for (let i = scheme + 3; i < href.length; i++) {
    const c = href.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
      cut = i;
      break;
    }
  }
  if (cut < 0) return { origin: href, path: '/' };
  const rest = href.slice(cut);
  return { origin: href.slice(0, cut), path: rest.startsWith('/') ? rest : `/${rest}` };
}

type RawHeaders = Buffer[] | string[];

/**
 * One header straight from undici's raw `[name, value, …]` list (repeats joined with `, `): the
 * success path never needs the whole set (a redirect needs `Location`, a retry `Retry-After`, an
 * odd body `Content-Type`), so none is parsed until asked for.
 */
export function rawHeader(raw: RawHeaders, name: string, firstOnly = false): string | undefined {
  let out: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i] as Buffer | string;
    if (k.length !== name.length) continue;
    if ((typeof k === 'string' ? k : k.toString('latin1')).toLowerCase() !== name) continue;
    const v = raw[i + 1] as Buffer | string;
    const value = typeof v === 'string' ? v : v.toString('latin1');
    if (firstOnly) return value;
    out = out === undefined ? value : `${out}, ${value}`;
  }
  return out;
}

/** Every header of a raw list as a `Headers` object. */
export function rawHeaders(raw: RawHeaders): Headers {
  const out = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i] as Buffer | string;
    const v = raw[i + 1] as Buffer | string;
    out.append(typeof k === 'string' ? k : k.toString('latin1'), typeof v === 'string' ? v : v.toString('latin1'));
  }
  return out;
}

/** The code of a failure after a redirect was followed: the first request was sent (network-errors.ts). */
export const REDIRECT_HOP_FAILED = 'ERR_REDIRECT_HOP_FAILED';

/** Statuses whose `Location` is followed (RFC 9110 §15.4), as browsers and undici's redirect interceptor do. */
const REDIRECTS: ReadonlySet<number> = new Set([300, 301, 302, 303, 307, 308]);

/** Request headers that only make sense for the URL or body they were sent with. */
function redirectedHeaders(headers: Record<string, string>, dropBody: boolean, otherOrigin: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(headers)) {
    if (k === 'host') continue;
    if (dropBody && k.startsWith('content-')) continue;
    // Credentials stay with the origin they were meant for.
    if (otherOrigin && (k === 'authorization' || k === 'cookie' || k === 'proxy-authorization')) continue;
    out[k] = headers[k] as string;
  }
  return out;
}

/** Exchanges in flight per caller signal (one inbound request), see {@link watch}. */
const inFlight = new WeakMap<AbortSignal, Set<Exchange>>();
const ONCE = { once: true } as const;

/**
 * The exchanges in flight for `signal`. The signal gets one `abort` listener for all of them, on
 * its first exchange: an inbound request's calls share its signal, and Node's `EventTarget` made
 * adding and removing a listener per exchange about 1.3 % of a generic front's CPU on reads.
 */
function watch(signal: AbortSignal): Set<Exchange> {
  let set = inFlight.get(signal);
  if (!set) {
    const exchanges = new Set<Exchange>();
    set = exchanges;
    inFlight.set(signal, exchanges);
    signal.addEventListener(
      'abort',
      () => {
        // An exchange leaves the set as it settles, which may happen inside abort(): Set iteration allows it.
        for (const x of exchanges) x.abort(new TransportAbort('caller', signal.reason));
      },
      ONCE,
    );
  }
  return set;
}

/** An answer read to its end; its headers stay undici's raw list until someone asks for one. */
class UndiciAnswer implements RawResponse {
  #built: Headers | undefined;

  constructor(
    readonly status: number,
    readonly raw: RawHeaders,
    readonly bytes: Uint8Array,
    readonly url: string,
  ) {}

  header(name: string): string | undefined {
    return rawHeader(this.raw, name);
  }

  headers(): Headers {
    this.#built ??= rawHeaders(this.raw);
    return this.#built;
  }
}

const NO_HEADERS: RawHeaders = [];

/**
 * Collects one exchange's answer, following redirects itself (at most {@link MAX_REDIRECTS}): undici's
 * redirect interceptor wraps every request in a second handler and parses a `URL` for every answer,
 * redirected or not. A class rather than closures: one object per request, the methods shared (this
 * runs for every request a connector sends).
 *
 * It implements undici's raw handler (`onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`),
 * the one undici's own `request()` uses: a handler with the newer `onRequestStart` … methods is
 * wrapped by undici in two more objects per request, and its headers parsed into an object (the
 * trailers too), which on a small read cost more than everything this class does.
 */
class Exchange implements Dispatcher.DispatchHandler {
  #abort: ((err?: Error) => void) | undefined;
  #stop: Error | undefined;
  #settled = false;
  #status = 0;
  #raw: RawHeaders = NO_HEADERS;
  #chunks: Buffer[] = [];
  #size = 0;
  /** Where the current answer redirects to; its body is ignored. */
  #location: string | undefined;
  #hops = 0;
  /** The request as sent last (it changes only when a redirect is followed). */
  #url: string;
  #origin: string;
  #path: string;
  #method: string;
  #sentHeaders: Record<string, string>;
  #body: string | Uint8Array | undefined;
  #timer: ReturnType<typeof setTimeout>;
  /** Time the exchange has left when its first timer fires (0: that timer is its timeout). */
  #after: number;
  /** The exchanges in flight for the caller's signal, this one among them until it settles. */
  #siblings: Set<Exchange> | undefined;

  constructor(
    readonly dispatcher: Dispatcher,
    readonly req: OutboundRequest,
    readonly resolve: (r: RawResponse) => void,
    readonly reject: (e: unknown) => void,
    /** Largest body read (bytes). */
    readonly limit: number,
  ) {
    const { origin, path } = splitUrl(req.url);
    this.#url = req.url;
    this.#origin = origin;
    this.#path = path;
    this.#method = req.method;
    this.#sentHeaders = req.headers;
    this.#body = req.body;
    // One timer for the whole exchange, redirects included; with a caller, it first fires after
    // CALLER_GRACE_MS to start listening to the caller's signal (see there).
    const first = req.caller && req.timeoutMs > CALLER_GRACE_MS ? CALLER_GRACE_MS : req.timeoutMs;
    this.#after = req.timeoutMs - first;
    this.#timer = setTimeout(() => this.#tick(), first);
  }

  #tick(): void {
    if (this.#after <= 0) {
      this.abort(new TransportAbort('timeout'));
      return;
    }
    this.#timer = setTimeout(() => this.abort(new TransportAbort('timeout')), this.#after);
    this.#after = 0;
    const signal = this.req.caller?.();
    if (!signal || this.#settled) return;
    if (signal.aborted) this.abort(new TransportAbort('caller', signal.reason));
    else this.#siblings = watch(signal).add(this);
  }

  /** Sends the request (again, after a redirect). */
  send(): void {
    this.#abort = undefined;
    try {
      this.dispatcher.dispatch(
        {
          origin: this.#origin,
          path: this.#path,
          method: this.#method as Dispatcher.HttpMethod,
          headers: this.#sentHeaders,
          body: this.#body ?? null,
        },
        this,
      );
    } catch (e) {
      this.fail(e);
    }
  }

  abort(why: Error): void {
    if (this.#settled || this.#stop) return;
    this.#stop = why;
    // Before undici connected the request, onConnect sees #stop and aborts it then.
    this.#abort?.(why);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#siblings?.delete(this);
    return true;
  }

  fail(e: unknown): void {
    if (!this.#settle()) return;
    // After a redirect the request was sent and answered: a hop that cannot connect says nothing
    // of whether the target applied it, so it must not read as "never sent" (retried, failed over).
    const why =
      this.#hops > 0 && !this.#stop
        ? Object.assign(new Error(`following a redirect to ${this.#origin} failed`, { cause: e }), { code: REDIRECT_HOP_FAILED })
        : e;
    this.reject(this.#stop ?? why);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#stop) abort(this.#stop);
  }

  onHeaders(statusCode: number, headers: Buffer[], _resume: () => void, _statusText: string): boolean {
    this.#status = statusCode;
    if (REDIRECTS.has(statusCode) && this.#hops < MAX_REDIRECTS) {
      // Only the first of repeated Location headers counts.
      const at = rawHeader(headers, 'location', true);
      if (at) {
        this.#location = at;
        return true;
      }
    }
    this.#raw = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    // A redirect's body says nothing the Location does not (RFC 9110 §15.4).
    if (this.#location !== undefined) return true;
    this.#size += chunk.length;
    if (this.#size > this.limit) this.abort(new ResponseTooLarge(this.limit));
    else this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#location !== undefined) {
      this.#follow(this.#location);
      return;
    }
    if (!this.#settle()) return;
    const chunks = this.#chunks;
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#size);
    this.resolve(new UndiciAnswer(this.#status, this.#raw, bytes, this.#url));
  }

  onError(err: Error): void {
    this.fail(err);
  }

  /** Sends the request to where the answer pointed, as RFC 9110 §15.4 says a client may. */
  #follow(location: string): void {
    const status = this.#status;
    this.#location = undefined;
    let next: URL;
    try {
      next = new URL(location, this.#url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`redirect to ${next.protocol} URL`);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.#hops++;
    // 303 asks for a GET; 301 and 302 turned a POST into a GET in every browser, and still do.
    const toGet = (status === 303 && this.#method !== 'HEAD') || ((status === 301 || status === 302) && this.#method === 'POST');
    if (toGet) {
      this.#method = 'GET';
      this.#body = undefined;
    }
    this.#sentHeaders = redirectedHeaders(this.#sentHeaders, toGet, next.origin !== this.#origin);
    this.#url = next.href;
    this.#origin = next.origin;
    this.#path = `${next.pathname}${next.search}`;
    this.#status = 0;
    this.#raw = NO_HEADERS;
    this.send();
  }
}

/**
 * One exchange through `d.dispatch`: undici's `request()` would wrap the answer in a Node stream
 * first, which costs more than the exchange itself on a small answer.
 */
function dispatchVia(d: Dispatcher, req: OutboundRequest, limit: number): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    new Exchange(d, req, resolve, reject, limit).send();
  });
}

async function buildSender(opts: TransportOptions): Promise<Sender> {
  let undici: UndiciModule;
  try {
    undici = await loadUndici();
  } catch (e) {
    // Without undici a plain connection still works through the global fetch.
    if (!opts.tls && !opts.proxy)
      return fetchTransport(opts.fetchImpl ?? globalThis.fetch.bind(globalThis), { maxResponseBytes: opts.maxResponseBytes });
    throw e;
  }
  const tls = opts.tls ? { ...opts.tls } : undefined;
  const limit = opts.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  // The pipeline times every exchange itself (attempt timeout, deadline): undici's own header and
  // body timers would only be a second timer per request.
  const timers = { headersTimeout: 0, bodyTimeout: 0 };
  const agent: Dispatcher = opts.proxy
    ? new undici.ProxyAgent({
        uri: opts.proxy.url,
        ...(opts.proxy.authorization ? { token: opts.proxy.authorization } : {}),
        ...(tls ? { requestTls: tls } : {}),
        ...timers,
      })
    : new undici.Agent({ connect: tls ?? {}, ...timers });
  const close = () => agent.close();
  if (opts.fetchImpl) {
    const f = opts.fetchImpl;
    return {
      send: (req) =>
        withAbort(req, async (signal) => {
          const res = await f(req.url, {
            method: req.method,
            headers: req.headers,
            body: req.body ?? null,
            signal,
            redirect: 'follow',
            dispatcher: agent,
          } as unknown as RequestInit);
          return readFetchResponse(res, req.url, limit);
        }),
      close,
    };
  }
  return { send: (req) => dispatchVia(agent, req, limit), close };
}

/** The Node transport of one connection (see the module comment). */
export function undiciTransport(opts: TransportOptions): Transport {
  let sender: Promise<Sender> | undefined;
  let ready: Sender | undefined;
  let closed = false;
  const get = () => {
    sender ??= buildSender(opts).then(
      (s) => (ready = s),
      (e: unknown) => {
        sender = undefined;
        throw e;
      },
    );
    return sender;
  };
  return {
    send(req) {
      if (closed) return Promise.reject(new RestConfigError('The REST helper is closed'));
      return ready ? ready.send(req) : get().then((s) => s.send(req));
    },
    async close() {
      closed = true;
      if (sender) await (await sender.catch(() => undefined))?.close();
    },
  };
}
