/**
 * One page (`startIndex`, `count`) of a search result, without reading the
 * whole result.
 *
 * Where the server offers server-side sorting and virtual list views
 * (OpenLDAP's sssvlv overlay, Active Directory), the page is one sorted VLV
 * search: the server sorts, counts and returns only the window. OpenLDAP
 * keeps each sorted list on its connection until the connection closes, and
 * limits how many a connection (`sssvlv-maxperconn`) and the server
 * (`sssvlv-max`) may hold. So VLV searches run on lanes, each lane keeps at
 * most one list, a lane reconnects before it sorts a different search, and
 * the next page of the same search reuses the list (its context id) for
 * `listSnapshotSeconds`, or until this gateway writes something that may change the listing
 * (see `WriteLog` in writes.ts).
 *
 * Elsewhere (no VLV, or the server refuses the sort) the page comes from a
 * snapshot of the result's DNs — one paged search reading DNs only — and
 * one search for the page's entries; the snapshot is reused the same way.
 */
import { type Logger, errors } from '@scimgw/core';
import { decodeSortResponse, type SortKey, type SortResponse } from './controls/sort.js';
import { decodeVlvResponse, type VlvResponse } from './controls/vlv.js';
import { vlvControls } from './controls/wire.js';
import type { Directory, SearchSpec } from './directory.js';
import { dnKey, serializeDn } from './dn.js';
import { fromLdapts, type LdapEntry } from './entry.js';
import { isConnectionError, resultCodeOf, ServiceBindError, toScimFromLdap } from './errors.js';
import { and, eq, filterAttributes, type LdapFilter, or, serializeLdapFilter, toLdapts } from './filter.js';
import { bufferSpellings } from './entry.js';
import type { LaneInfo, LdapClient, Lease } from './pool.js';
import type { AttributeSet } from './writes.js';

/** One page of a result and the size of the whole result. */
export interface WindowResult {
  entries: LdapEntry[];
  total: number;
}

/** What to page through. */
export interface WindowSpec {
  base: SearchSpec['base'];
  filter: LdapFilter;
  attributes: string[];
  binary: string[];
  /** Sort keys for a VLV search. */
  sort: SortKey[];
}

/** Options of {@link PageWindows}. */
export interface PageWindowOptions {
  /** How long a sorted list or DN snapshot serves further pages, in milliseconds (0: never reused). */
  snapshotMs: number;
  /** Use VLV when the server offers it. */
  vlv: boolean;
  /** Attribute holding an entry's DN, for reading a page of DNs in one search. */
  dnAttribute: string;
  /** Most entries asked of one VLV search (a server's size limit applies to each); larger pages take several. */
  windowMax: number;
  /** `Retry-After` seconds when the directory is unavailable. */
  retryAfter: number;
  log?: Logger | undefined;
}

/** When list state was taken and which attributes its listing depends on. */
interface Taken {
  created: number;
  /** The directory's write generation then. */
  generation: number;
  depends: AttributeSet;
}

/** A sorted list the server keeps on one lane's connection. */
interface View extends Taken {
  connection: number;
  key: string;
  contextId: Uint8Array | undefined;
}

/** A snapshot of a result's DNs, in the server's order. */
interface Snapshot extends Taken {
  dns: Promise<string[]>;
}

/** Attributes a listing depends on: its filter's, its sort keys', and objectClass. */
function dependsOn(spec: WindowSpec): AttributeSet {
  const f = filterAttributes(spec.filter);
  if (f === '*') return '*';
  return new Set([...f, 'objectclass', ...spec.sort.map((k) => k.attributeType.toLowerCase())]);
}

/** VLV result values meaning the offset is past the end (the draft's 61, OpenLDAP's 77). */
const OFFSET_RANGE = new Set([61, 77]);
/** Result codes after which VLV is never tried again with these sort keys (the server cannot sort or view them). */
const VLV_UNSUPPORTED = new Set([12, 16, 18, 53, 60, 76]);
/** The largest offset a VLV request holds (maxInt). */
const MAX_OFFSET = 2_147_483_647;
/** Most snapshots kept per tenant. */
const MAX_SNAPSHOTS = 8;
/** DNs read per search when a page is fetched by DN. */
const DN_BATCH = 250;

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

/** One VLV search's entries, failure and response controls. */
interface VlvAttempt {
  entries: LdapEntry[];
  failure: unknown;
  response: VlvResponse | undefined;
  sorted: SortResponse | undefined;
}

/** Raised inside a VLV attempt when the page must come from the snapshot instead. */
class UseSnapshot extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** What {@link PageWindows} did (tests and metrics). */
export interface WindowStats {
  /** Pages read with a VLV search. */
  vlv: number;
  /** Of those, pages that started a new sorted list on the server. */
  sorted: number;
  /** Pages cut from a DN snapshot. */
  snapshot: number;
  /** DN snapshots read. */
  scans: number;
}

/** Pages of search results for one tenant. */
export class PageWindows {
  readonly stats: WindowStats = { vlv: 0, sorted: 0, snapshot: 0, scans: 0 };
  private readonly views = new Map<number, View>();
  private readonly snapshots = new Map<string, Snapshot>();
  /** Sort key sets the server refused; pages with them come from snapshots. */
  private readonly unsortable = new Set<string>();
  /** Lanes whose connection may hold a sorted list this object does not know about. */
  private readonly dirty = new Set<number>();

  constructor(
    private readonly dir: Directory,
    private readonly opts: PageWindowOptions,
  ) {}

  /**
   * Entries `startIndex … startIndex + count - 1` (1-based) of the result and its size.
   *
   * @example
   * const { entries, total } = await windows.page(spec, 9001, 100, 'list users');
   */
  async page(spec: WindowSpec, from: number, size: number, what: string): Promise<WindowResult> {
    // Offsets past what a VLV request can carry are past every real list's end anyway.
    const startIndex = Math.min(Math.max(1, Math.floor(from)), MAX_OFFSET);
    const count = Math.min(Math.max(0, Math.floor(size)), MAX_OFFSET);
    try {
      const features = await this.dir.pool.serverFeatures();
      const sortKey = JSON.stringify(spec.sort);
      if (this.opts.vlv && features.vlv && spec.sort.length && !this.unsortable.has(sortKey)) {
        try {
          const page = await this.vlvPage(spec, startIndex, count, features.sortSessionsPerConnection);
          // Off the lane: a ranged attribute's other ranges are plain base searches.
          return { ...page, entries: await this.dir.whole(page.entries) };
        } catch (e) {
          if (!(e instanceof UseSnapshot)) throw e;
          this.opts.log?.info('ldap: virtual list view not used for this page', { reason: e.reason });
        }
      }
      return await this.snapshotPage(spec, startIndex, count, what);
    } catch (e) {
      // Directory searches arrive translated already; transport failures of VLV searches do not.
      // A refused bind was logged by the pool, with the configuration to check.
      if (!errors.isScimError(e) && !(e instanceof ServiceBindError))
        this.opts.log?.warn('ldap: list page failed', { error: (e as Error).message });
      throw toScimFromLdap(e, { what, retryAfter: this.opts.retryAfter });
    }
  }

  private key(spec: WindowSpec): string {
    const base = typeof spec.base === 'string' ? spec.base : serializeDn(spec.base);
    return JSON.stringify([base, serializeLdapFilter(spec.filter), spec.sort]);
  }

  /** Young enough, and no write through this gateway since could have changed the listing. */
  private fresh(v: Taken): boolean {
    return Date.now() - v.created < this.opts.snapshotMs && !this.dir.writes.changedSince(v.generation, v.depends);
  }

  /** The lane to lease: one holding this search's list, else one holding none, else the oldest list's. */
  private chooser(key: string): (free: LaneInfo[]) => number {
    return (free) => {
      const viewOf = (f: LaneInfo) => {
        const v = this.views.get(f.lane);
        return v && v.connection === f.connection ? v : undefined;
      };
      const same = free.findIndex((f) => {
        const v = viewOf(f);
        return v !== undefined && v.key === key && this.fresh(v) && !this.dirty.has(f.lane);
      });
      if (same >= 0) return same;
      const empty = free.findIndex((f) => !viewOf(f) && !this.dirty.has(f.lane));
      if (empty >= 0) return empty;
      let oldest = 0;
      free.forEach((f, i) => {
        const a = viewOf(f)?.created ?? 0;
        const b = viewOf(free[oldest] as LaneInfo)?.created ?? 0;
        if (a < b) oldest = i;
      });
      return oldest;
    };
  }

  private async vlvPage(spec: WindowSpec, startIndex: number, count: number, sessions: boolean): Promise<WindowResult> {
    const key = this.key(spec);
    return this.dir.pool.lease(async (lease) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.vlvOnLane(lease, key, spec, startIndex, count, sessions);
        } catch (e) {
          if (e instanceof UseSnapshot) throw e;
          const code = resultCodeOf(e);
          // 51 busy: the server holds too many sorted lists (sssvlv-max); this lane's are given back.
          if (attempt === 0 && (isConnectionError(e) || code === 51)) {
            await this.recycle(lease);
            continue;
          }
          if (code === 51) throw new UseSnapshot('the server is sorting too many lists at once (51 busy)');
          throw e;
        }
      }
    }, this.chooser(key));
  }

  private async recycle(lease: Lease): Promise<void> {
    await lease.recycle();
    this.views.delete(lease.lane);
    this.dirty.delete(lease.lane);
  }

  /** One VLV search; a failed one comes back as a value, with whatever response controls arrived. */
  private async vlvSearch(
    client: LdapClient,
    spec: WindowSpec,
    offset: number,
    count: number,
    contextId: Uint8Array | undefined,
  ): Promise<VlvAttempt> {
    const wire = vlvControls(spec.sort, {
      beforeCount: 0,
      afterCount: Math.max(0, count - 1),
      target: { offset, contentCount: 0 },
      contextId,
    });
    let entries: LdapEntry[] = [];
    let failure: unknown;
    try {
      this.dir.stats.search++;
      const res = await client.search(
        typeof spec.base === 'string' ? spec.base : serializeDn(spec.base),
        {
          scope: 'sub',
          filter: toLdapts(spec.filter),
          attributes: spec.attributes.length ? spec.attributes : ['1.1'],
          explicitBufferAttributes: bufferSpellings(spec.binary),
        },
        wire.controls,
      );
      entries = res.searchEntries.map(fromLdapts);
    } catch (e) {
      if (isConnectionError(e)) throw e;
      failure = e;
    }
    return {
      entries,
      failure,
      response: wire.vlv.value ? decodeVlvResponse(wire.vlv.value) : undefined,
      sorted: wire.sort.value ? decodeSortResponse(wire.sort.value) : undefined,
    };
  }

  /**
   * What a VLV attempt means: the response (and whether the offset was past the end), or an
   * exception — the failure itself for 51 busy (the caller retries), {@link UseSnapshot} otherwise.
   */
  private outcome(a: VlvAttempt, spec: WindowSpec, lane: number, sessions: boolean): { response: VlvResponse; pastEnd: boolean } {
    const code = resultCodeOf(a.failure);
    const pastEnd = code === 76 && a.response !== undefined && OFFSET_RANGE.has(a.response.result);
    if (a.failure !== undefined && !pastEnd) {
      // Whatever the server kept on this connection is unknown now.
      if (sessions) this.dirty.add(lane);
      if (code === 51) throw a.failure;
      const sort = a.sorted && a.sorted.result !== 0 ? `, sort ${a.sorted.result}` : '';
      const vlv = a.response && a.response.result !== 0 ? `, vlv ${a.response.result}` : '';
      const reason = `${code ?? 'no result code'}${sort}${vlv}`;
      if (code !== undefined && VLV_UNSUPPORTED.has(code)) {
        this.unsortable.add(JSON.stringify(spec.sort));
        this.opts.log?.warn('ldap: the server refused a sorted virtual list view; pages come from DN snapshots', {
          sort: spec.sort.map((k) => k.attributeType).join(','),
          result: reason,
          diagnostic: (a.failure as Error).message,
        });
      }
      throw new UseSnapshot(`VLV search failed (${reason})`);
    }
    if (!a.response) {
      if (sessions) this.dirty.add(lane);
      throw new UseSnapshot('the server sent no VLV response');
    }
    return { response: a.response, pastEnd };
  }

  /**
   * The page from VLV searches on one lane: the first reuses the lane's sorted list when it is
   * this search's and fresh; a page larger than `windowMax` (a server's size limit applies to
   * each VLV search) continues on the same list in further searches.
   */
  private async vlvOnLane(
    lease: Lease,
    key: string,
    spec: WindowSpec,
    startIndex: number,
    count: number,
    sessions: boolean,
  ): Promise<WindowResult> {
    let view = this.views.get(lease.lane);
    if (view && view.connection !== lease.connection) view = undefined;
    const reuse = sessions && view !== undefined && view.key === key && this.fresh(view) && !this.dirty.has(lease.lane);
    // A second sorted list on the connection would stay there too: hand the old one back first.
    if (sessions && !reuse && (view !== undefined || this.dirty.has(lease.lane))) await this.recycle(lease);
    const client = await lease.client();
    const connection = lease.connection;
    const chunk = Math.max(1, this.opts.windowMax);
    const entries: LdapEntry[] = [];
    let context = reuse ? view?.contextId : undefined;
    let total = 0;
    for (let offset = startIndex, left = count, first = true; first || left > 0; first = false) {
      const n = Math.min(left, chunk);
      const attempt = await this.vlvSearch(client, spec, offset, n, context);
      if (resultCodeOf(attempt.failure) === 32) return { entries: [], total: 0 };
      const { response, pastEnd } = this.outcome(attempt, spec, lease.lane, sessions);
      if (first) this.remember(lease.lane, connection, key, dependsOn(spec), response, sessions, reuse ? view : undefined);
      else if (sessions && !sameBytes(response.contextId, context)) this.dirty.add(lease.lane);
      total = response.contentCount;
      if (pastEnd) break;
      entries.push(...attempt.entries.slice(0, n));
      if (attempt.entries.length < n) break;
      context = response.contextId;
      offset += n;
      left -= n;
    }
    this.stats.vlv++;
    if (!reuse) this.stats.sorted++;
    return { entries, total };
  }

  /** Records the sorted list a lane's connection now holds. */
  private remember(
    lane: number,
    connection: number,
    key: string,
    depends: AttributeSet,
    response: VlvResponse,
    sessions: boolean,
    reused: View | undefined,
  ): void {
    if (!sessions) return;
    // A context the server did not recognise started a second list on this connection.
    if (reused && !sameBytes(response.contextId, reused.contextId)) this.dirty.add(lane);
    // An empty list is not kept by the server (nothing to page through).
    if (response.contentCount === 0) {
      this.views.delete(lane);
      return;
    }
    this.views.set(lane, {
      connection,
      key,
      contextId: response.contextId,
      created: reused ? reused.created : Date.now(),
      generation: reused ? reused.generation : this.dir.writes.generation,
      depends,
    });
  }

  /** The result's DNs, from a snapshot young enough, else read now (DNs only, paged). */
  private dnsOf(spec: WindowSpec, what: string): Promise<string[]> {
    const key = this.key({ ...spec, sort: [] });
    const known = this.snapshots.get(key);
    if (known && this.fresh(known)) return known.dns;
    this.stats.scans++;
    const dns = this.dir
      // DNs only: large pages, few round trips.
      .search({ base: spec.base, filter: spec.filter, attributes: [], large: true, pageSize: 5000 }, what)
      .then((entries) => entries.map((e) => e.dn));
    const snap: Snapshot = { dns, created: Date.now(), generation: this.dir.writes.generation, depends: dependsOn(spec) };
    this.snapshots.delete(key);
    this.snapshots.set(key, snap);
    while (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value as string);
    dns.catch(() => {
      if (this.snapshots.get(key) === snap) this.snapshots.delete(key);
    });
    if (this.opts.snapshotMs <= 0) this.snapshots.delete(key);
    return dns;
  }

  private async snapshotPage(spec: WindowSpec, startIndex: number, count: number, what: string): Promise<WindowResult> {
    const dns = await this.dnsOf(spec, what);
    this.stats.snapshot++;
    const window = dns.slice(startIndex - 1, startIndex - 1 + count);
    if (!window.length) return { entries: [], total: dns.length };
    const byKey = new Map<string, LdapEntry>();
    for (let i = 0; i < window.length; i += DN_BATCH) {
      const part = window.slice(i, i + DN_BATCH);
      const f = or(...part.map((dn) => eq(this.opts.dnAttribute, dn)));
      const found = await this.dir.search(
        { base: spec.base, filter: and(spec.filter, f), attributes: spec.attributes, binary: spec.binary },
        what,
      );
      for (const e of found) byKey.set(dnKey(e.dn), e);
    }
    // The snapshot's order; entries deleted since it was taken are left out.
    const entries = window.flatMap((dn) => {
      const e = byKey.get(dnKey(dn));
      return e ? [e] : [];
    });
    return { entries, total: dns.length };
  }
}
