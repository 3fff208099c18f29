/**
 * The Node transport: one undici `Agent` (or `ProxyAgent`) per connection,
 * with its keep-alive pool per origin, driven through undici's `request` API.
 * A replacement `fetch` gets the same dispatcher as its `dispatcher` field.
 * Redirects are followed (at most five); credentials are dropped when a
 * redirect leaves the origin.
 */
import type { Dispatcher } from 'undici';
import { RestConfigError } from './errors.js';
import type { OutboundRequest, RawResponse, Transport, TransportOptions } from './transport.js';
import { fetchTransport, readFetchResponse } from './transport-fetch.js';

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

function headerValue(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function toHeaders(h: Record<string, string | string[] | undefined>): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (Array.isArray(v)) for (const x of v) out.append(k, x);
    else if (v !== undefined) out.append(k, v);
  }
  return out;
}

async function requestVia(d: Dispatcher, req: OutboundRequest): Promise<RawResponse> {
  const { origin, path } = splitUrl(req.url);
  const res = await d.request({
    origin,
    path,
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers,
    body: req.body ?? null,
    signal: req.signal,
  });
  const bytes = new Uint8Array(await res.body.arrayBuffer());
  const h = res.headers;
  let built: Headers | undefined;
  return {
    status: res.statusCode,
    header: (name) => headerValue(h, name),
    headers: () => (built ??= toHeaders(h)),
    bytes,
    url: req.url,
  };
}

async function buildSender(opts: TransportOptions): Promise<Sender> {
  let undici: UndiciModule;
  try {
    undici = await loadUndici();
  } catch (e) {
    // Without undici a plain connection still works through the global fetch.
    if (!opts.tls && !opts.proxy) return fetchTransport(opts.fetchImpl ?? globalThis.fetch.bind(globalThis), {});
    throw e;
  }
  const tls = opts.tls ? { ...opts.tls } : undefined;
  const agent: Dispatcher = opts.proxy
    ? new undici.ProxyAgent({
        uri: opts.proxy.url,
        ...(opts.proxy.authorization ? { token: opts.proxy.authorization } : {}),
        ...(tls ? { requestTls: tls } : {}),
      })
    : new undici.Agent({ connect: tls ?? {} });
  const close = () => agent.close();
  if (opts.fetchImpl) {
    const f = opts.fetchImpl;
    return {
      async send(req) {
        const res = await f(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body ?? null,
          signal: req.signal,
          redirect: 'follow',
          dispatcher: agent,
        } as unknown as RequestInit);
        return readFetchResponse(res, req.url);
      },
      close,
    };
  }
  const dispatcher = agent.compose(undici.interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
  return { send: (req) => requestVia(dispatcher, req), close };
}

/** The Node transport of one connection (see the module comment). */
export function undiciTransport(opts: TransportOptions): Transport {
  let sender: Promise<Sender> | undefined;
  let closed = false;
  const get = () => {
    sender ??= buildSender(opts).catch((e: unknown) => {
      sender = undefined;
      throw e;
    });
    return sender;
  };
  return {
    async send(req) {
      if (closed) throw new RestConfigError('The REST helper is closed');
      return (await get()).send(req);
    },
    async close() {
      closed = true;
      if (sender) await (await sender.catch(() => undefined))?.close();
    },
  };
}
