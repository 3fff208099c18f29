/**
 * A small pool of bound LDAP connections. LDAP multiplexes operations on one
 * connection by message id, so the pool hands out its connections round-robin
 * instead of locking them. A connection that died (server restart, idle
 * timeout, network) is noticed when its socket closes, on every transport
 * (liveness.ts): the operations waiting on it fail at once, and it is thrown
 * away and replaced before its next use — with StartTLS and bind done again —
 * and a read is retried once on the new connection.
 *
 * A bind the directory refuses is the service account's problem, not the
 * request's (service-account.ts): requests answer 503 meanwhile, and the
 * directory is asked again at most once per `bindRetryMs`.
 *
 * Searches that keep state on the server between requests (Simple Paged
 * Results, virtual list views) cannot share a connection: OpenLDAP keeps one
 * paged search per connection, and a second one invalidates the first's
 * cookie. They run on separate *lanes*, connections leased to one such
 * search at a time (see {@link LdapPool.lease}).
 */
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '@scimgw/core';
import { Client, type ClientOptions, Control } from 'ldapts';
import { SORT_REQUEST_OID } from './controls/sort.js';
import { VLV_REQUEST_OID } from './controls/vlv.js';
import { isConnectionError, isUnsentError, LaneTimeoutError, ServiceBindError } from './errors.js';
import { ConnectionWatch, watchedClient } from './liveness.js';
import { ServiceAccount } from './service-account.js';

/** The part of the ldapts `Client` the connector uses (so tests can wrap or fake it). */
export type LdapClient = Pick<
  Client,
  | 'bind'
  | 'startTLS'
  | 'search'
  | 'searchPaginated'
  | 'add'
  | 'modify'
  | 'modifyDN'
  | 'del'
  | 'compare'
  | 'exop'
  | 'unbind'
  | 'isConnected'
> & { readonly isBound?: boolean };

/** Creates a client; the default is `new Client(options)`. */
export type ClientFactory = (options: ClientOptions) => LdapClient;

/** Options of {@link LdapPool}. */
export interface PoolOptions {
  /** URLs in failover order. */
  urls: string[];
  bindDn?: string | undefined;
  password?: string | undefined;
  startTls?: boolean;
  tls?: ConnectionOptions;
  /** Connections kept. Default 4. */
  size?: number;
  /** Lanes (connections for stateful searches, one search each at a time). Default 4. */
  lanes?: number;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  log?: Logger | undefined;
  clientFactory?: ClientFactory | undefined;
  /**
   * Where the connection settings are configured (`endpoint.entity.<tenant>.ldap`), named in the
   * log when the directory refuses the service account.
   */
  configPath?: string | undefined;
  /** After a refused bind, how long requests fail at once before the directory is asked again. Default 5000. */
  bindRetryMs?: number;
}

/** What the server's root DSE says it supports (read once per pool). */
export interface ServerFeatures {
  controls: Set<string>;
  extensions: Set<string>;
  /** `LDAP_SERVER_PERMISSIVE_MODIFY_OID`: add of a present value / delete of an absent one succeed. */
  permissiveModify: boolean;
  pagedResults: boolean;
  /** Server-side sorting (RFC 2891) and virtual list views, both offered. */
  vlv: boolean;
  /**
   * The server keeps a sorted list per connection until the connection closes (OpenLDAP's
   * sssvlv overlay, which identifies itself by the root DSE's `OpenLDAProotDSE` class).
   */
  sortSessionsPerConnection: boolean;
}

/** Permissive modify control (AD, OpenLDAP ≥ 2.4). */
export const PERMISSIVE_MODIFY_OID = '1.2.840.113556.1.4.1413';
/** Simple Paged Results (RFC 2696). */
export const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/** Builds the permissive modify control (no value). */
export function permissiveModifyControl(): Control {
  return new Control(PERMISSIVE_MODIFY_OID, { critical: false });
}

interface Slot {
  client: Promise<LdapClient> | undefined;
}

/** A lane as {@link LdapPool.lease} hands it to its caller. */
export interface Lease {
  /** Which lane (stable for the pool's life). */
  readonly lane: number;
  /** Counts the connections the lane has had; changes when {@link Lease.recycle} or a failure replaced it. */
  readonly connection: number;
  /** The lane's bound connection (connecting first if needed). */
  client(): Promise<LdapClient>;
  /** Closes the lane's connection (dropping all server state on it); the next {@link Lease.client} opens a new one. */
  recycle(): Promise<void>;
}

/** What a caller's lane preference sees of a free lane. */
export interface LaneInfo {
  lane: number;
  connection: number;
  /** Whether the lane has an open connection. */
  open: boolean;
}

interface Lane {
  client: Promise<LdapClient> | undefined;
  connection: number;
  busy: boolean;
}

/**
 * Pool of bound connections to one directory (one tenant).
 *
 * @example
 * const pool = new LdapPool({ urls: ['ldap://127.0.0.1:389'], bindDn, password });
 * const res = await pool.run((c) => c.search('dc=example,dc=org', { scope: 'base' }));
 */
export class LdapPool {
  private readonly slots: Slot[];
  private readonly lanes: Lane[];
  private readonly waiting: {
    choose: ((free: LaneInfo[]) => number) | undefined;
    grant: (lane: number) => void;
    fail: (e: Error) => void;
  }[] = [];
  private next = 0;
  /** Index into `urls` of the last server that answered; new connections try it first. */
  private preferred = 0;
  private features: Promise<ServerFeatures> | undefined;
  private closed = false;
  private readonly account: ServiceAccount;
  /** The URL of the most recent successful connection (for transport checks). */
  currentUrl: string;

  constructor(private readonly opts: PoolOptions) {
    if (!opts.urls.length) throw new Error('LdapPool needs at least one URL');
    this.slots = Array.from({ length: Math.max(1, opts.size ?? 4) }, () => ({ client: undefined }));
    this.lanes = Array.from({ length: Math.max(1, opts.lanes ?? 4) }, () => ({
      client: undefined,
      connection: 0,
      busy: false,
    }));
    this.currentUrl = opts.urls[0] as string;
    this.account = new ServiceAccount({
      dn: opts.bindDn,
      password: opts.password,
      configPath: opts.configPath ?? 'endpoint.ldap',
      retryMs: opts.bindRetryMs ?? 5_000,
      log: opts.log,
    });
  }

  /** True when connections are encrypted (ldaps:// or StartTLS). */
  get encrypted(): boolean {
    return this.opts.startTls === true || this.currentUrl.toLowerCase().startsWith('ldaps://');
  }

  /** Whether StartTLS is used. */
  get startTls(): boolean {
    return this.opts.startTls === true;
  }

  private async connectOne(url: string): Promise<LdapClient> {
    const watch = new ConnectionWatch();
    const options: ClientOptions = {
      url,
      timeout: this.opts.timeoutMs ?? 30_000,
      connectTimeout: this.opts.connectTimeoutMs ?? 5_000,
      strictDN: false,
      // ldapts turns any non-empty tlsOptions into TLS from the first byte, even for ldap://:
      // pass them only for ldaps:// (StartTLS gets them in startTLS()).
      ...(this.opts.tls && url.toLowerCase().startsWith('ldaps://') ? { tlsOptions: this.opts.tls } : {}),
      ...watch.clientOptions(),
    };
    const client = watchedClient(this.opts.clientFactory ? this.opts.clientFactory(options) : new Client(options), watch);
    try {
      if (this.opts.startTls) await client.startTLS(this.opts.tls ?? {});
      if (this.account.configured) await this.account.bind(client);
      return client;
    } catch (e) {
      await client.unbind().catch(() => undefined);
      throw e;
    }
  }

  /** A bound connection, unless the directory's refusal of the service account stands (see service-account.ts). */
  private connect(): Promise<LdapClient> {
    return this.account.connect(() => this.connectAny());
  }

  /** Connects to the first server that answers, starting with the last good one. */
  private async connectAny(): Promise<LdapClient> {
    const urls = this.opts.urls;
    let last: unknown;
    for (let i = 0; i < urls.length; i++) {
      const idx = (this.preferred + i) % urls.length;
      const url = urls[idx] as string;
      try {
        const c = await this.connectOne(url);
        this.account.acceptedOn(url);
        if (idx !== this.preferred) this.opts.log?.warn('ldap: failed over to another server', { url });
        this.preferred = idx;
        this.currentUrl = url;
        return c;
      } catch (e) {
        last = e;
        if (e instanceof ServiceBindError) this.account.refusedOn(e, url);
        // A refused bind or a TLS policy error is the same on every server; only transport failures move on.
        if (!isConnectionError(e)) throw e;
        this.opts.log?.warn('ldap: server not reachable', { url, error: (e as Error).message });
      }
    }
    throw last;
  }

  private healthy(c: LdapClient): boolean {
    // ldapts reconnects a dropped socket on its own but without StartTLS or bind;
    // a connection that is not (still) bound is replaced instead. `isConnected` is the
    // watched one (liveness.ts): false from the moment any socket of the connection closed.
    return c.isConnected && (this.opts.bindDn === undefined || c.isBound !== false);
  }

  /**
   * Opens (and binds) one pooled connection now, as the gateway does at startup; the connection
   * then serves requests.
   *
   * @throws ServiceBindError when the directory refuses the service account, or the transport error
   */
  async check(): Promise<void> {
    await this.run(async () => undefined);
  }

  private async acquire(slot: Slot): Promise<LdapClient> {
    if (this.closed) throw new Error('Connection closed: the LDAP pool was shut down');
    if (slot.client) {
      try {
        const c = await slot.client;
        if (this.healthy(c)) return c;
        void c.unbind().catch(() => undefined);
      } catch {
        // a failed connect attempt: try again below
      }
      slot.client = undefined;
    }
    const p = this.connect();
    slot.client = p;
    p.catch(() => {
      if (slot.client === p) slot.client = undefined;
    });
    return p;
  }

  private discard(slot: Slot, c: LdapClient): void {
    void slot.client?.then((cur) => {
      if (cur === c) slot.client = undefined;
    });
    void c.unbind().catch(() => undefined);
  }

  /**
   * Runs `fn` on a pooled connection. A transport failure discards that
   * connection and runs `fn` once more on a fresh one — always for reads
   * (`retry: 'always'`), and for writes only when the request never left
   * (`'unsent'`), so a write is never applied twice.
   */
  async run<T>(fn: (c: LdapClient) => Promise<T>, retry: 'always' | 'unsent' = 'always'): Promise<T> {
    const slot = this.slots[this.next++ % this.slots.length] as Slot;
    const c = await this.acquire(slot);
    try {
      return await fn(c);
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      this.discard(slot, c);
      if (this.closed || (retry === 'unsent' && !isUnsentError(e))) throw e;
      this.opts.log?.warn('ldap: connection lost, retrying on a new connection', { error: (e as Error).message });
      const fresh = await this.acquire(slot);
      try {
        return await fn(fresh);
      } catch (e2) {
        if (isConnectionError(e2)) this.discard(slot, fresh);
        throw e2;
      }
    }
  }

  /**
   * Runs `fn` with a lane of its own: no other stateful search uses that
   * connection until `fn` settles. When every lane is busy the call waits
   * (first come, first served) for at most the operation timeout.
   *
   * @param choose - picks among the free lanes (by index into the list it is given); default the first
   * @example
   * await pool.lease(async (l) => { for await (const page of (await l.client()).searchPaginated(base, opts)) … });
   */
  async lease<T>(fn: (lease: Lease) => Promise<T>, choose?: (free: LaneInfo[]) => number): Promise<T> {
    if (this.closed) throw new Error('Connection closed: the LDAP pool was shut down');
    const index = await this.takeLane(choose);
    const lane = this.lanes[index] as Lane;
    const lease: Lease = {
      lane: index,
      get connection() {
        return lane.connection;
      },
      client: () => this.laneClient(lane),
      recycle: () => this.recycleLane(lane),
    };
    try {
      return await fn(lease);
    } finally {
      this.releaseLane(index);
    }
  }

  private freeLanes(): LaneInfo[] {
    const out: LaneInfo[] = [];
    this.lanes.forEach((l, lane) => {
      if (!l.busy) out.push({ lane, connection: l.connection, open: l.client !== undefined });
    });
    return out;
  }

  private takeLane(choose: ((free: LaneInfo[]) => number) | undefined): Promise<number> {
    const free = this.freeLanes();
    if (free.length && !this.waiting.length) {
      const pick = free[choose ? choose(free) : 0] ?? (free[0] as LaneInfo);
      (this.lanes[pick.lane] as Lane).busy = true;
      return Promise.resolve(pick.lane);
    }
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        choose,
        grant: (lane: number) => {
          clearTimeout(timer);
          resolve(lane);
        },
        fail: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new LaneTimeoutError('Every LDAP paging connection stayed busy; try again later'));
      }, this.opts.timeoutMs ?? 30_000);
      this.waiting.push(waiter);
    });
  }

  private releaseLane(index: number): void {
    const lane = this.lanes[index] as Lane;
    const waiter = this.waiting.shift();
    if (!waiter) {
      lane.busy = false;
      return;
    }
    // Hand the lane straight on, or a lane the waiter prefers if another one is free.
    lane.busy = false;
    const free = this.freeLanes();
    const pick = free[waiter.choose ? waiter.choose(free) : free.findIndex((f) => f.lane === index)] ?? { lane: index };
    (this.lanes[pick.lane] as Lane).busy = true;
    waiter.grant(pick.lane);
  }

  private async laneClient(lane: Lane): Promise<LdapClient> {
    if (this.closed) throw new Error('Connection closed: the LDAP pool was shut down');
    if (lane.client) {
      try {
        const c = await lane.client;
        if (this.healthy(c)) return c;
        void c.unbind().catch(() => undefined);
      } catch {
        // a failed connect: try again below
      }
      lane.client = undefined;
    }
    lane.connection++;
    const p = this.connect();
    lane.client = p;
    p.catch(() => {
      if (lane.client === p) lane.client = undefined;
    });
    return p;
  }

  private async recycleLane(lane: Lane): Promise<void> {
    const p = lane.client;
    lane.client = undefined;
    if (!p) return;
    try {
      await (await p).unbind();
    } catch {
      // already gone
    }
  }

  /** Reads (once) what the server supports from its root DSE. */
  serverFeatures(): Promise<ServerFeatures> {
    if (!this.features) {
      const p = this.run(async (c) => {
        const { searchEntries } = await c.search('', {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['supportedControl', 'supportedExtension', 'objectClass'],
        });
        const e = searchEntries[0] ?? { dn: '' };
        const list = (v: unknown) => new Set((Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String));
        const controls = list(e.supportedControl ?? e.supportedcontrol);
        const extensions = list(e.supportedExtension ?? e.supportedextension);
        const classes = [...list(e.objectClass ?? e.objectclass)].map((c) => c.toLowerCase());
        return {
          controls,
          extensions,
          permissiveModify: controls.has(PERMISSIVE_MODIFY_OID),
          pagedResults: controls.has(PAGED_RESULTS_OID),
          vlv: controls.has(VLV_REQUEST_OID) && controls.has(SORT_REQUEST_OID),
          sortSessionsPerConnection: classes.includes('openldaprootdse'),
        };
      });
      this.features = p;
      p.catch(() => {
        if (this.features === p) this.features = undefined;
      });
    }
    return this.features;
  }

  /** Unbinds every connection; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.fail(new Error('Connection closed: the LDAP pool was shut down'));
    await Promise.all(
      [...this.slots, ...this.lanes].map(async (s) => {
        const p = s.client;
        s.client = undefined;
        if (!p) return;
        try {
          await (await p).unbind();
        } catch {
          // already gone
        }
      }),
    );
  }
}
