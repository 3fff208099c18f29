/**
 * A small pool of bound LDAP connections. LDAP multiplexes operations on one
 * connection by message id, so the pool hands out its connections round-robin
 * instead of locking them. A connection that died (server restart, idle
 * timeout, network) is noticed before use or by the failed operation, thrown
 * away and replaced — with StartTLS and bind done again — and the operation
 * is retried once on the new connection.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '@scimgw/core';
import { Client, type ClientOptions, Control } from 'ldapts';
import { isConnectionError, isUnsentError } from './errors.js';

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
  timeoutMs?: number;
  connectTimeoutMs?: number;
  log?: Logger | undefined;
  clientFactory?: ClientFactory | undefined;
}

/** What the server's root DSE says it supports (read once per pool). */
export interface ServerFeatures {
  controls: Set<string>;
  extensions: Set<string>;
  /** `LDAP_SERVER_PERMISSIVE_MODIFY_OID`: add of a present value / delete of an absent one succeed. */
  permissiveModify: boolean;
  pagedResults: boolean;
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

/**
 * Pool of bound connections to one directory (one tenant).
 *
 * @example
 * const pool = new LdapPool({ urls: ['ldap://127.0.0.1:389'], bindDn, password });
 * const res = await pool.run((c) => c.search('dc=example,dc=org', { scope: 'base' }));
 */
export class LdapPool {
  private readonly slots: Slot[];
  private next = 0;
  /** Index into `urls` of the last server that answered; new connections try it first. */
  private preferred = 0;
  private features: Promise<ServerFeatures> | undefined;
  private closed = false;
  /** The URL of the most recent successful connection (for transport checks). */
  currentUrl: string;

  constructor(private readonly opts: PoolOptions) {
    if (!opts.urls.length) throw new Error('LdapPool needs at least one URL');
    this.slots = Array.from({ length: Math.max(1, opts.size ?? 4) }, () => ({ client: undefined }));
    this.currentUrl = opts.urls[0] as string;
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
    const options: ClientOptions = {
      url,
      timeout: this.opts.timeoutMs ?? 30_000,
      connectTimeout: this.opts.connectTimeoutMs ?? 5_000,
      strictDN: false,
      // ldapts turns any non-empty tlsOptions into TLS from the first byte, even for ldap://:
      // pass them only for ldaps:// (StartTLS gets them in startTLS()).
      ...(this.opts.tls && url.toLowerCase().startsWith('ldaps://') ? { tlsOptions: this.opts.tls } : {}),
    };
    const client = this.opts.clientFactory ? this.opts.clientFactory(options) : new Client(options);
    try {
      if (this.opts.startTls) await client.startTLS(this.opts.tls ?? {});
      if (this.opts.bindDn !== undefined) await client.bind(this.opts.bindDn, this.opts.password ?? '');
      return client;
    } catch (e) {
      await client.unbind().catch(() => undefined);
      throw e;
    }
  }

  /** Connects to the first server that answers, starting with the last good one. */
  private async connect(): Promise<LdapClient> {
    const urls = this.opts.urls;
    let last: unknown;
    for (let i = 0; i < urls.length; i++) {
      const idx = (this.preferred + i) % urls.length;
      const url = urls[idx] as string;
      try {
        const c = await this.connectOne(url);
        if (idx !== this.preferred) this.opts.log?.warn('ldap: failed over to another server', { url });
        this.preferred = idx;
        this.currentUrl = url;
        return c;
      } catch (e) {
        last = e;
        // A refused bind or a TLS policy error is the same on every server; only transport failures move on.
        if (!isConnectionError(e)) throw e;
        this.opts.log?.warn('ldap: server not reachable', { url, error: (e as Error).message });
      }
    }
    throw last;
  }

  private healthy(c: LdapClient): boolean {
    // ldapts reconnects a dropped socket on its own but without StartTLS or bind;
    // a connection that is not (still) bound is replaced instead.
    return c.isConnected && (this.opts.bindDn === undefined || c.isBound !== false);
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

  /** Reads (once) what the server supports from its root DSE. */
  serverFeatures(): Promise<ServerFeatures> {
    if (!this.features) {
      const p = this.run(async (c) => {
        const { searchEntries } = await c.search('', {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['supportedControl', 'supportedExtension'],
        });
        const e = searchEntries[0] ?? { dn: '' };
        const list = (v: unknown) => new Set((Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String));
        const controls = list(e.supportedControl ?? e.supportedcontrol);
        const extensions = list(e.supportedExtension ?? e.supportedextension);
        return {
          controls,
          extensions,
          permissiveModify: controls.has(PERMISSIVE_MODIFY_OID),
          pagedResults: controls.has(PAGED_RESULTS_OID),
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
    await Promise.all(
      this.slots.map(async (s) => {
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
