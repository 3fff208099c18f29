/**
 * One NATS connection of the stream: servers, TLS, credentials, reconnects forever, and a status
 * the gateway reports. Credentials never reach a log line: servers are logged without user info,
 * and errors are logged by their message only.
 */
import type { Logger } from '@scimgw/core';
import { type Authenticator, jwtAuthenticator, type NatsConnection, nkeyAuthenticator } from '@nats-io/nats-core';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';

/** Credentials of a connection: JWT and seed, nkey seed, user and password, or a token. */
export interface NatsCredentials {
  jwt?: string | null | undefined;
  secret?: string | null | undefined;
  user?: string | null | undefined;
  password?: string | null | undefined;
  token?: string | null | undefined;
}

/** TLS material as PEM text. */
export interface NatsTls {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** Everything a connection needs. */
export interface ConnectionSettings {
  servers: readonly string[];
  credentials: NatsCredentials;
  tls?: NatsTls | undefined;
  /** Shown in the server's monitoring (`connz`). */
  name: string;
  /** Milliseconds between reconnect attempts. Default 2000. */
  reconnectTimeWait?: number;
}

/** What {@link StreamConnection.status} reports. */
export interface ConnectionStatus {
  connected: boolean;
  /** The server connected to (no credentials), when connected. */
  server?: string | undefined;
  reconnects: number;
  /** The last connection problem, when there was one since the last connect. */
  lastError?: string | undefined;
}

/** `nats://user:pass@host:4222` → `nats://host:4222`: what may be logged of a server URL. */
export function redactServer(server: string): string {
  return server.replace(/^([a-z]+:\/\/)?[^@/]*@/i, (_m, scheme: string | undefined) => scheme ?? '');
}

function authenticatorOf(c: NatsCredentials): Pick<NodeConnectionOptions, 'authenticator' | 'user' | 'pass' | 'token'> {
  const enc = (s: string) => new TextEncoder().encode(s.trim());
  if (c.jwt && c.secret) return { authenticator: jwtAuthenticator(c.jwt.trim(), enc(c.secret)) as Authenticator };
  if (c.secret) return { authenticator: nkeyAuthenticator(enc(c.secret)) as Authenticator };
  if (c.user) return { user: c.user, ...(c.password ? { pass: c.password } : {}) };
  if (c.token) return { token: c.token };
  return {};
}

/** The connect options of a connection (exported for tests: what goes to the client library). */
export function connectOptions(settings: ConnectionSettings): NodeConnectionOptions {
  const tls = settings.tls;
  return {
    servers: [...settings.servers],
    name: settings.name,
    ...authenticatorOf(settings.credentials),
    ...(tls && (tls.ca || tls.cert)
      ? {
          tls: {
            ...(tls.ca ? { ca: tls.ca } : {}),
            ...(tls.cert ? { cert: tls.cert } : {}),
            ...(tls.key ? { key: tls.key } : {}),
          },
        }
      : {}),
    // The first connect is retried by StreamConnection itself, so that closing can stop it.
    waitOnFirstConnect: false,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: settings.reconnectTimeWait ?? 2000,
    pingInterval: 20_000,
    maxPingOut: 3,
    timeout: 5000,
  };
}

/**
 * A NATS connection that keeps itself up: it connects in the background, reconnects after every
 * loss (the client library's reconnects, then a fresh connection if the library gives up), and
 * runs `onConnect` after each (re)connect so callers can (re)declare streams and consumers.
 */
export class StreamConnection {
  private nc: NatsConnection | undefined;
  private closing = false;
  private reconnects = 0;
  private lastError: string | undefined;
  private readonly waiters: ((nc: NatsConnection) => void)[] = [];
  private readonly listeners: ((nc: NatsConnection) => Promise<void> | void)[] = [];
  /** A listener's next attempt after a failed one. */
  private readonly retries = new Map<(nc: NatsConnection) => Promise<void> | void, ReturnType<typeof setTimeout>>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly log: Logger,
  ) {}

  /** Starts connecting (returns at once). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Runs `fn` after every (re)connect, and now if connected. */
  onConnect(fn: (nc: NatsConnection) => Promise<void> | void): void {
    this.listeners.push(fn);
    if (this.nc && !this.nc.isClosed()) void this.notify(fn, this.nc);
  }

  /** The connection, once connected; rejects after `timeoutMs`. */
  connection(timeoutMs: number): Promise<NatsConnection> {
    const nc = this.nc;
    if (nc && !nc.isClosed()) return Promise.resolve(nc);
    return this.nextConnection(timeoutMs);
  }

  /** The next connection made; rejects after `timeoutMs`. */
  private nextConnection(timeoutMs: number): Promise<NatsConnection> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i !== -1) this.waiters.splice(i, 1);
        reject(new Error(`not connected to NATS${this.lastError ? ` (${this.lastError})` : ''}`));
      }, timeoutMs);
      const done = (c: NatsConnection) => {
        clearTimeout(timer);
        resolve(c);
      };
      this.waiters.push(done);
    });
  }

  /**
   * Resolves once connected (not reconnecting): at once when connected now; rejects after
   * `timeoutMs`. Unlike {@link connection}, a connection that is reconnecting does not count.
   */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return this.nextConnection(timeoutMs).then(() => {});
  }

  /** Connected right now (not reconnecting). */
  get connected(): boolean {
    return this.nc !== undefined && !this.nc.isClosed() && this.up;
  }
  private up = false;

  status(): ConnectionStatus {
    return {
      connected: this.connected,
      ...(this.connected && this.nc ? { server: redactServer(this.nc.getServer()) } : {}),
      reconnects: this.reconnects,
      ...(this.lastError && !this.connected ? { lastError: this.lastError } : {}),
    };
  }

  /**
   * Runs a listener for `nc`. A listener that fails (JetStream not ready yet right after a server
   * starts, an API timeout under load) is tried again with backoff for as long as `nc` is the
   * connection, instead of waiting for the next reconnect, which may never come.
   */
  private async notify(fn: (nc: NatsConnection) => Promise<void> | void, nc: NatsConnection, delay = 250): Promise<void> {
    clearTimeout(this.retries.get(fn));
    this.retries.delete(fn);
    try {
      await fn(nc);
    } catch (e) {
      if (this.closing || this.nc !== nc || nc.isClosed()) return;
      this.log.warn('stream: setup after connecting failed; trying again', {
        error: (e as Error).message,
        retryInMs: delay,
      });
      const t = setTimeout(() => {
        if (this.retries.get(fn) !== t) return;
        this.retries.delete(fn);
        if (!this.closing && this.nc === nc && !nc.isClosed()) void this.notify(fn, nc, Math.min(delay * 2, 10_000));
      }, delay);
      t.unref?.();
      this.retries.set(fn, t);
    }
  }

  private async run(): Promise<void> {
    let delay = 500;
    while (!this.closing) {
      let nc: NatsConnection;
      try {
        nc = await connect(connectOptions(this.settings));
      } catch (e) {
        const msg = (e as Error).message;
        if (msg !== this.lastError) this.log.warn('stream: cannot connect to NATS; retrying', { error: msg });
        this.lastError = msg;
        await this.sleep(delay);
        delay = Math.min(delay * 2, 10_000);
        continue;
      }
      if (this.closing) {
        await nc.close().catch(() => {});
        return;
      }
      delay = 500;
      this.nc = nc;
      this.up = true;
      this.lastError = undefined;
      this.log.info('stream: connected to NATS', { server: redactServer(nc.getServer()), name: this.settings.name });
      for (const w of this.waiters.splice(0)) w(nc);
      for (const l of this.listeners) await this.notify(l, nc);
      void this.watch(nc);
      const err = await nc.closed();
      this.up = false;
      if (this.closing) return;
      this.lastError = err instanceof Error ? err.message : 'connection closed';
      this.log.warn('stream: NATS connection closed; connecting again', { error: this.lastError });
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          this.up = false;
          this.log.warn('stream: disconnected from NATS', { server: redactServer(s.server) });
          break;
        case 'reconnect':
          this.up = true;
          this.reconnects++;
          this.lastError = undefined;
          this.log.info('stream: reconnected to NATS', { server: redactServer(s.server) });
          for (const w of this.waiters.splice(0)) w(nc);
          for (const l of this.listeners) await this.notify(l, nc);
          break;
        case 'error':
          this.lastError = s.error.message;
          this.log.warn('stream: NATS error', { error: s.error.message });
          break;
        default:
          break;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Closes the connection, after flushing what was published. */
  async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    const nc = this.nc;
    if (nc && !nc.isClosed()) {
      // A connection that is down cannot drain: close it without waiting for the server.
      if (this.up) await withTimeout(nc.drain(), 5000).catch(() => nc.close());
      else await nc.close().catch(() => {});
    }
    await this.loop?.catch(() => {});
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
