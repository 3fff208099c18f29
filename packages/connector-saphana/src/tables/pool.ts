/**
 * A small pool of `@sap/hana-client` connections: at most `max` open, idle ones closed after
 * `idleTimeoutMs`, callers waiting at most `connectionTimeoutMs` (then a `connectionLost`-class
 * error, so the SQL layer answers 503). A connection that broke is discarded, never reused.
 */
import { type HanaModule, type HanaNativeConnection, promised } from './native.js';

/** Pool settings. */
export interface HanaPoolOptions {
  max: number;
  idleTimeoutMs: number;
  connectionTimeoutMs: number;
}

/** The error of a caller that waited too long for a connection (classified as the client's "connection failed"). */
export class PoolTimeoutError extends Error {
  override name = 'PoolTimeoutError';
  readonly code = -10709;
  readonly sqlState = 'HY000';
  constructor(ms: number) {
    super(`no SAP HANA connection became free within ${ms} ms`);
  }
}

interface Idle {
  conn: HanaNativeConnection;
  timer: NodeJS.Timeout;
}

/** The pool. */
export class HanaPool {
  private readonly idle: Idle[] = [];
  private readonly waiters: { resolve: (c: HanaNativeConnection) => void; reject: (e: unknown) => void }[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly hana: HanaModule,
    private readonly connectOptions: Record<string, unknown>,
    private readonly options: HanaPoolOptions,
  ) {}

  /** A connection for the caller (opened when none is idle and the pool has room). */
  async acquire(signal?: AbortSignal): Promise<HanaNativeConnection> {
    if (this.closed) throw new Error('the SAP HANA pool is closed');
    const idle = this.idle.pop();
    if (idle) {
      clearTimeout(idle.timer);
      return idle.conn;
    }
    if (this.open < this.options.max) {
      this.open++;
      try {
        const conn = this.hana.createConnection();
        await promised<void>((cb) => conn.connect({ ...this.connectOptions }, cb));
        return conn;
      } catch (e) {
        this.open--;
        this.wake();
        throw e;
      }
    }
    return new Promise<HanaNativeConnection>((resolve, reject) => {
      const waiter = {
        resolve: (c: HanaNativeConnection) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          resolve(c);
        },
        reject: (e: unknown) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          reject(e);
        },
      };
      const drop = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const timer = setTimeout(() => {
        drop();
        reject(new PoolTimeoutError(this.options.connectionTimeoutMs));
      }, this.options.connectionTimeoutMs);
      const abort = () => {
        drop();
        clearTimeout(timer);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Returns a connection; `broken` ones are closed and their place freed. */
  release(conn: HanaNativeConnection, broken: boolean): void {
    if (broken || this.closed) {
      this.open--;
      conn.disconnect(() => {});
      this.wake();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(conn);
      return;
    }
    const entry: Idle = {
      conn,
      timer: setTimeout(() => {
        const i = this.idle.indexOf(entry);
        if (i < 0) return;
        this.idle.splice(i, 1);
        this.open--;
        conn.disconnect(() => {});
      }, this.options.idleTimeoutMs),
    };
    entry.timer.unref?.();
    this.idle.push(entry);
  }

  /** A freed place: the first waiter opens a connection of its own. */
  private wake(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    this.acquire().then(waiter.resolve, waiter.reject);
  }

  /** Closes the idle connections; connections in use are closed when released. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('the SAP HANA pool is closed'));
    const idle = this.idle.splice(0);
    this.open -= idle.length;
    await Promise.all(
      idle.map(({ conn, timer }) => {
        clearTimeout(timer);
        return promised<void>((cb) => conn.disconnect(cb)).catch(() => {});
      }),
    );
  }
}
