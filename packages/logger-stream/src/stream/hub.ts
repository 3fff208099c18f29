import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasBodies, stripBodies } from '../bodies.js';
import { LEVEL_VALUES, type Level, OFF, type SinkLevel, levelValue } from '../levels.js';
import type { LineSink } from '../sinks/types.js';
import { renderLoggerPage } from './page.js';
import { type BacklogLimits, Subscriber } from './subscriber.js';

/** Options of {@link LogStreamHub}. */
export interface LogStreamHubOptions {
  /** Lowest level pushed to subscribers (`log.loglevel.push`). Default `info`; `off` disables the stream (404). */
  level?: SinkLevel;
  /** Interval of heartbeat comments. Default 15 000 ms. */
  heartbeatMs?: number;
  /** Per-subscriber backlog limit in bytes while its socket is full. Default 1 MiB. */
  maxQueueBytes?: number;
  /** Per-subscriber backlog limit in messages. Default 5 000. */
  maxQueueLines?: number;
  /** Disconnect a subscriber whose socket stays full this long. Default 60 000 ms. */
  stallTimeoutMs?: number;
  /** Concurrent subscribers allowed; more get 503. Default 100. */
  maxSubscribers?: number;
  /** Shown in the browser page's title, e.g. the connector name. */
  title?: string;
}

/** Per-request options of {@link LogStreamHub.handle}. */
export interface StreamHandleOptions {
  /** Only lines whose `tenant` equals this; `undefined` = all tenants (then `?tenant=` may narrow). */
  tenant?: string;
  /** Minimum level for this subscriber; never below the hub's push level. Also read from `?level=`. */
  level?: Level;
}

/** Counters for health pages and tests. */
export interface StreamStats {
  subscribers: number;
  /** Bytes queued in all subscriber backlogs. */
  queuedBytes: number;
  /** Bytes buffered in subscriber sockets beyond the queues. */
  socketBuffered: number;
  /** Messages dropped for slow subscribers since start. */
  dropped: number;
  /** One entry per subscriber. */
  perSubscriber: { tenant: string | undefined; queuedBytes: number; socketBuffered: number; dropped: number; blocked: boolean }[];
}

const DEBUG = LEVEL_VALUES.debug!;

/**
 * The live log stream: a framework-free Server-Sent Events hub fed by the
 * logger. `handle()` takes node:http request/response objects (express passes
 * them; so does Bun's node:http), answers a browser with a self-contained live
 * page and everyone else with the raw `text/event-stream`.
 *
 * Each log line is one `event: log` message whose `data:` is the JSON line.
 * Slow subscribers never slow logging down: see {@link Subscriber}.
 *
 * @example
 * ```ts
 * app.get(['/logger', '/:baseEntity/logger'], (req, res) =>
 *   gw.stream.handle(req, res, { tenant: req.params.baseEntity }));
 * ```
 */
export class LogStreamHub implements LineSink {
  readonly level: number;
  readonly #subs = new Set<Subscriber>();
  readonly #limits: BacklogLimits;
  readonly #heartbeatMs: number;
  readonly #maxSubscribers: number;
  readonly #title: string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #dropped = 0;
  #closed = false;

  /** @param options - push level, heartbeat and backlog limits */
  constructor(options: LogStreamHubOptions = {}) {
    this.level = levelValue(options.level, 'info');
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#maxSubscribers = options.maxSubscribers ?? 100;
    this.#title = options.title ?? 'scimgw';
    this.#limits = {
      maxQueueBytes: options.maxQueueBytes ?? 1024 * 1024,
      maxQueueLines: options.maxQueueLines ?? 5000,
      stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
    };
  }

  /** Number of connected subscribers. */
  get subscriberCount(): number {
    return this.#subs.size;
  }

  /** Current counters. */
  stats(): StreamStats {
    const perSubscriber = [...this.#subs].map((s) => ({
      tenant: s.tenant,
      queuedBytes: s.queuedBytes,
      socketBuffered: s.socketBuffered,
      dropped: s.droppedTotal,
      blocked: s.blocked,
    }));
    const sum = (f: (p: (typeof perSubscriber)[number]) => number) => perSubscriber.reduce((n, p) => n + f(p), 0);
    return {
      subscribers: this.#subs.size,
      queuedBytes: sum((p) => p.queuedBytes),
      socketBuffered: sum((p) => p.socketBuffered),
      dropped: this.#dropped,
      perSubscriber,
    };
  }

  /**
   * Serves `GET /logger` or `GET /<baseEntity>/logger`.
   *
   * @param req - the node:http request (or express's)
   * @param res - the node:http response (or express's)
   * @param options - tenant scope (`undefined` = all tenants) and level
   */
  handle(req: IncomingMessage, res: ServerResponse, options: StreamHandleOptions = {}): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method Not Allowed\n');
      return;
    }
    if (this.level === OFF) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Live log stream is disabled (log.loglevel.push is off)\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const accept = String(req.headers.accept ?? '').toLowerCase();
    const tenant = options.tenant ?? (url.searchParams.get('tenant') || undefined);
    const level = Math.max(this.level, levelValue(options.level ?? url.searchParams.get('level'), 'debug'));
    if (accept.includes('text/html') && !accept.includes('text/event-stream')) {
      this.#servePage(req, res, tenant);
      return;
    }
    if (this.#closed || this.#subs.size >= this.#maxSubscribers) {
      res.writeHead(503, { 'Retry-After': '10', 'Content-Type': 'text/plain' }).end('Too many log subscribers\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    req.socket.setNoDelay(true);
    const sub = new Subscriber(
      res,
      { tenant, level },
      this.#limits,
      (s) => this.#remove(s),
      (n) => {
        this.#dropped += n;
      },
    );
    this.#subs.add(sub);
    const hello = JSON.stringify({
      tenant: tenant ?? null,
      level: Object.keys(LEVEL_VALUES).find((k) => LEVEL_VALUES[k] === level),
    });
    sub.send(`retry: 3000\n: connected\n\nevent: hello\ndata: ${hello}\n\n`);
    this.#startHeartbeat();
  }

  /**
   * Fans one JSON log line out to matching subscribers. Called by the logger;
   * costs next to nothing when nobody listens.
   *
   * @param line - one JSON line (newline-terminated or not)
   * @param level - its numeric level
   */
  write(line: string, level: number): void {
    if (this.#subs.size === 0) return;
    const data = line.endsWith('\n') ? line.slice(0, -1) : line;
    let tenant: unknown;
    let parsed = false;
    let full: string | undefined;
    let lean: string | undefined;
    const now = Date.now();
    for (const sub of this.#subs) {
      if (level < sub.level) continue;
      if (sub.tenant !== undefined) {
        if (!parsed) {
          parsed = true;
          tenant = tenantOf(data);
        }
        if (tenant !== sub.tenant) continue;
      }
      if (sub.level > DEBUG && hasBodies(data)) {
        lean ??= `event: log\ndata: ${stripBodies(data)}\n\n`;
        sub.send(lean, now);
      } else {
        full ??= `event: log\ndata: ${data}\n\n`;
        sub.send(full, now);
      }
    }
  }

  /** Ends every subscriber's stream and stops the heartbeat. */
  close(): void {
    this.#closed = true;
    for (const sub of [...this.#subs]) sub.disconnect();
    this.#stopHeartbeat();
  }

  #servePage(req: IncomingMessage, res: ServerResponse, tenant: string | undefined): void {
    const nonce = randomBytes(16).toString('base64');
    const html = renderLoggerPage({ title: this.#title, tenant, nonce });
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'`,
      'Content-Length': Buffer.byteLength(html),
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  #remove(sub: Subscriber): void {
    this.#subs.delete(sub);
    if (this.#subs.size === 0) this.#stopHeartbeat();
  }

  #startHeartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      const now = Date.now();
      for (const sub of [...this.#subs]) sub.heartbeat(now);
    }, this.#heartbeatMs);
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** The `tenant` field of a JSON line, without trusting the line to be JSON. */
function tenantOf(data: string): unknown {
  if (!data.includes('"tenant"')) return undefined;
  try {
    return (JSON.parse(data) as { tenant?: unknown }).tenant;
  } catch {
    return undefined;
  }
}
