/**
 * Pass-through authentication: the caller's HTTP Basic credentials (handed on by the gateway's
 * `auth.passThrough`) open MongoDB as that MongoDB user, so MongoDB decides what each caller may do.
 * One `MongoClient` per caller and connection, kept while used: at most `maxClients` (the least
 * recently used is closed first), none idle longer than `idleSeconds`. A client is never closed
 * while an operation of its caller runs. Callers are told apart by a keyed hash of their
 * credentials (a key of this process's own): the credentials themselves are kept only inside the
 * driver's client, never logged, never a map key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { errors, type Logger } from '@scimgw/core';
import type { ClientConnection } from './reconnect.js';

/** A caller's user name and password, from `Authorization: Basic …`. */
export interface CallerCredentials {
  username: string;
  password: string;
}

/**
 * The MongoDB credentials in an `Authorization` header: HTTP Basic only (RFC 7617), user name and
 * password both non-empty. Anything else is 401: there is nothing to open MongoDB with.
 */
export function basicCredentials(authorization: string): CallerCredentials {
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(authorization);
  if (!m)
    throw new errors.UnauthorizedError('Pass-through to MongoDB takes HTTP Basic credentials: a MongoDB user name and password');
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const username = colon < 0 ? '' : text.slice(0, colon);
  const password = colon < 0 ? '' : text.slice(colon + 1);
  if (!username || !password)
    throw new errors.UnauthorizedError('Pass-through to MongoDB needs a MongoDB user name and a password');
  return { username, password };
}

/** A caller's client, and what the registry keeps with it. */
export interface CallerEntry<T> {
  connection: ClientConnection;
  /** The caller's tenants, by tenant key (built on this client). */
  tenants: Map<string, T>;
}

interface Entry<T> extends CallerEntry<T> {
  lastUsed: number;
  inFlight: number;
  /** Evicted: close once the last operation ends. */
  retired: boolean;
}

/** Options of {@link CallerClients}. */
export interface CallerClientsOptions {
  maxClients: number;
  idleMs: number;
  log: Logger;
  /** A new client for these credentials on the connection `connectionKey` names. */
  connect(credentials: CallerCredentials, connectionKey: string): ClientConnection;
  now?: () => number;
}

/** The callers' clients. */
export class CallerClients<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #key = randomBytes(32);
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(private readonly opts: CallerClientsOptions) {
    this.#sweep = setInterval(() => this.sweep(), Math.max(1000, Math.floor(opts.idleMs / 4)));
    this.#sweep.unref();
  }

  /** How many callers have a client now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Holds the caller's client for one operation: `release` must be called when it ends. Throws 401
   * for a header that carries no user name and password.
   */
  hold(authorization: string, connectionKey: string): { id: string; entry: CallerEntry<T>; release(): void } {
    if (this.#closed) throw new errors.ServiceUnavailableError('The connector is shutting down', 5);
    const credentials = basicCredentials(authorization);
    const id = createHmac('sha256', this.#key)
      .update(connectionKey)
      .update('\u0000')
      .update(credentials.username)
      .update('\u0000')
      .update(credentials.password)
      .digest('base64url');
    let entry = this.#entries.get(id);
    if (entry)
      this.#entries.delete(id); // re-inserted below: the map's order is least recently used first
    else {
      entry = {
        connection: this.opts.connect(credentials, connectionKey),
        tenants: new Map(),
        lastUsed: 0,
        inFlight: 0,
        retired: false,
      };
      this.opts.log.debug('mongodb: pass-through client opened', { user: credentials.username });
    }
    this.#entries.set(id, entry);
    entry.inFlight += 1;
    entry.lastUsed = this.now();
    this.trim();
    const held = entry;
    let released = false;
    return {
      id,
      entry: held,
      release: () => {
        if (released) return;
        released = true;
        held.inFlight -= 1;
        held.lastUsed = this.now();
        if (held.retired && held.inFlight === 0) void this.closeClient(held);
      },
    };
  }

  /** Forgets a caller (MongoDB refused its credentials): its client closes once idle. */
  evict(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    this.retire(entry);
  }

  /** Closes every client. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(all.map((e) => this.closeClient(e)));
  }

  /** Closes the least recently used clients beyond `maxClients`. */
  private trim(): void {
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= this.opts.maxClients) return;
      this.#entries.delete(id);
      this.retire(entry);
    }
  }

  /** Closes the clients unused for `idleMs`. */
  sweep(): void {
    const cutoff = this.now() - this.opts.idleMs;
    for (const [id, entry] of this.#entries) {
      if (entry.inFlight === 0 && entry.lastUsed <= cutoff) {
        this.#entries.delete(id);
        this.retire(entry);
      }
    }
  }

  private retire(entry: Entry<T>): void {
    entry.retired = true;
    if (entry.inFlight === 0) void this.closeClient(entry);
  }

  private async closeClient(entry: Entry<T>): Promise<void> {
    try {
      await entry.connection.close();
    } catch (e) {
      this.opts.log.debug('mongodb: closing a pass-through client failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
