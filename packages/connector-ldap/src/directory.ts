/**
 * The directory as the connector sees it: typed search, read, add, modify,
 * rename and delete over the connection pool, with every failure translated
 * into a SCIM error and logged with the server's own diagnostic (which the
 * client never sees).
 *
 * Searches go out plain first, multiplexed on the shared connections; one
 * the server's size limit stops, or one known to be large, is read with
 * Simple Paged Results on a lane of its own (one paged search per
 * connection, as OpenLDAP requires).
 */
import { errors, type Logger } from '@scimgw/core';
import { Attribute, BerWriter, Change, type Control, type SearchOptions } from 'ldapts';
import type { LdapValue } from './codec.js';
import { type Dn, type Rdn, serializeDn } from './dn.js';
import { bufferSpellings, fromLdapts, type LdapEntry } from './entry.js';
import { describeCode, isConnectionError, rejectedAttribute, resultCodeOf, ServiceBindError, toScimFromLdap } from './errors.js';
import { type LdapFilter, serializeLdapFilter, toLdapts } from './filter.js';
import type { LdapPool } from './pool.js';
import { completeRanges } from './ranges.js';
import { WriteLog } from './writes.js';

/** OID of the Password Modify extended operation (RFC 3062). */
export const PASSWORD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';

/** Counts of LDAP operations sent (tests and metrics). */
export interface OperationStats {
  search: number;
  add: number;
  modify: number;
  modifyDN: number;
  del: number;
  compare: number;
}

/** Options of {@link Directory.search}. */
export interface SearchSpec {
  base: Dn | string;
  scope?: 'base' | 'one' | 'sub';
  filter: LdapFilter;
  attributes: string[];
  binary?: string[];
  /** Stop after this many entries (no paging needed). */
  sizeLimit?: number;
  /** The result is known to exceed a plain search's size limit: page it at once. */
  large?: boolean;
  /** Entries per page when paged (default the `pageSize` setting); a page holding the whole expected result saves round trips. */
  pageSize?: number;
}

/** One attribute modification, before it becomes an ldapts `Change`. */
export interface Modification {
  operation: 'add' | 'delete' | 'replace';
  type: string;
  values: LdapValue[];
}

/** Builds ldapts changes. */
export function toChanges(mods: Modification[]): Change[] {
  return mods.map(
    (m) =>
      new Change({
        operation: m.operation,
        modification: new Attribute({ type: m.type, values: m.values as string[] | Buffer[] }),
      }),
  );
}

const dnString = (dn: Dn | string) => (typeof dn === 'string' ? dn : serializeDn(dn));

/** 4 sizeLimitExceeded, 11 adminLimitExceeded (AD's MaxPageSize): the plain search was cut short. */
const isSizeLimited = (e: unknown) => {
  const code = resultCodeOf(e);
  return code === 4 || code === 11;
};

/**
 * 2 protocolError and 53 unwillingToPerform from a paged search: the server lost (or never had)
 * the paging state, such as OpenLDAP's "paged results cookie is invalid or old".
 */
export const isPagingStateError = (e: unknown) => {
  const code = resultCodeOf(e);
  return code === 2 || code === 53;
};

/** Options of {@link Directory}. */
export interface DirectoryOptions {
  pageSize: number;
  retryAfter: number;
  log?: Logger | undefined;
  /**
   * Attribute names a diagnostic may blame besides the ones an operation sent (the mapped and the
   * required ones), and the SCIM attribute mapped to an LDAP attribute: a rejected value's 400
   * names both.
   */
  attributes?: { names: readonly string[]; scimOf(attribute: string): string | undefined };
}

/** Typed directory operations for one tenant. */
export class Directory {
  readonly stats: OperationStats = { search: 0, add: 0, modify: 0, modifyDN: 0, del: 0, compare: 0 };
  /** Writes sent through this directory (list state kept between requests checks it). */
  readonly writes = new WriteLog();

  constructor(
    readonly pool: LdapPool,
    private readonly opts: DirectoryOptions,
  ) {}

  /**
   * Logs the LDAP side of a failure, then translates it.
   *
   * @param sent - attribute names the operation carried, which a rejected value's 400 may name
   */
  private fail(e: unknown, what: string, target: string, sent: readonly string[] = []): never {
    const code = resultCodeOf(e);
    const msg = e instanceof Error ? e.message : String(e);
    // The pool logged the refused bind itself, with the configuration to check.
    const level = e instanceof ServiceBindError ? 'debug' : code === 32 || code === 68 ? 'info' : 'warn';
    this.opts.log?.[level]('ldap operation failed', {
      operation: what,
      dn: target,
      result: code === undefined ? 'transport' : describeCode(code),
      diagnostic: msg,
    });
    throw toScimFromLdap(e, { what, retryAfter: this.opts.retryAfter, attribute: this.blamed(code, msg, sent) });
  }

  /** The attribute a refused value's diagnostic names, among those sent and those known. */
  private blamed(code: number | undefined, diagnostic: string, sent: readonly string[]) {
    if (code === undefined) return undefined;
    const known = this.opts.attributes;
    const ldap = rejectedAttribute(diagnostic, [...sent, ...(known?.names ?? [])]);
    return ldap === undefined ? undefined : { ldap, scim: known?.scimOf(ldap) };
  }

  /** ldapts options of a search spec. */
  private options(spec: SearchSpec): SearchOptions {
    return {
      scope: spec.scope ?? 'sub',
      filter: toLdapts(spec.filter),
      attributes: spec.attributes.length ? spec.attributes : ['1.1'],
      explicitBufferAttributes: bufferSpellings(spec.binary ?? []),
      ...(spec.sizeLimit ? { sizeLimit: spec.sizeLimit } : {}),
    };
  }

  /**
   * Searches. A plain search first (unless `spec.large`); when the server's
   * size limit cuts it short, the search is repeated with Simple Paged
   * Results (RFC 2696), so results larger than that limit are read completely.
   */
  async search(spec: SearchSpec, what: string): Promise<LdapEntry[]> {
    const base = dnString(spec.base);
    const features = await this.pool.serverFeatures().catch((e) => this.fail(e, what, base));
    const pageable = features.pagedResults && spec.sizeLimit === undefined;
    try {
      if (!pageable || !spec.large) {
        const small = await this.plain(spec, base, pageable);
        if (small) return await this.whole(small);
      }
      return await this.whole(await this.paged(spec, base));
    } catch (e) {
      return this.failSearch(e, spec, what, base);
    }
  }

  /**
   * A plain search only: `undefined` when the server's size limit cut it short
   * (and the caller should page or window instead).
   */
  async trySmall(spec: SearchSpec, what: string): Promise<LdapEntry[] | undefined> {
    const base = dnString(spec.base);
    try {
      const small = await this.plain(spec, base, true);
      return small && (await this.whole(small));
    } catch (e) {
      return this.failSearch(e, spec, what, base);
    }
  }

  /**
   * Entries with every ranged attribute read whole (see `ranges.ts`): Active Directory answers an
   * attribute of more than `MaxValRange` values (1,500) with its first range only.
   */
  async whole(entries: LdapEntry[]): Promise<LdapEntry[]> {
    return completeRanges(entries, (dn, attribute) =>
      this.pool.run(async (c) => {
        this.stats.search++;
        const res = await c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [attribute] });
        return res.searchEntries[0] && fromLdapts(res.searchEntries[0]);
      }),
    );
  }

  private failSearch(e: unknown, spec: SearchSpec, what: string, base: string): never | LdapEntry[] {
    // A missing base is an empty result for a search, not an error.
    if (resultCodeOf(e) === 32) return [];
    this.opts.log?.debug('ldap search failed', { base, filter: serializeLdapFilter(spec.filter) });
    return this.fail(e, what, base);
  }

  private async plain(spec: SearchSpec, base: string, mayPage: boolean): Promise<LdapEntry[] | undefined> {
    try {
      return await this.pool.run(async (c) => {
        this.stats.search++;
        const res = await c.search(base, this.options(spec));
        return res.searchEntries.map(fromLdapts);
      });
    } catch (e) {
      if (mayPage && isSizeLimited(e)) return undefined;
      throw e;
    }
  }

  /**
   * A paged search on a lane. A transport failure or a lost paging state
   * (2/53, see {@link isPagingStateError}) is retried once from the start on
   * a fresh connection; a second loss answers 503, never 400 or 500.
   */
  private async paged(spec: SearchSpec, base: string): Promise<LdapEntry[]> {
    const options = { ...this.options(spec), paged: { pageSize: spec.pageSize ?? this.opts.pageSize } };
    return this.pool.lease(async (lease) => {
      for (let attempt = 0; ; attempt++) {
        const out: LdapEntry[] = [];
        try {
          const c = await lease.client();
          for await (const page of c.searchPaginated(base, options)) {
            this.stats.search++;
            for (const e of page.searchEntries) out.push(fromLdapts(e));
          }
          return out;
        } catch (e) {
          const lost = isPagingStateError(e);
          if (!lost && !isConnectionError(e)) throw e;
          await lease.recycle();
          if (attempt === 0) {
            this.opts.log?.warn('ldap: paged search lost its state, reading again on a new connection', {
              error: (e as Error).message,
            });
            continue;
          }
          if (!lost) throw e;
          this.opts.log?.warn('ldap: paged search failed twice', { base, error: (e as Error).message });
          throw new errors.ServiceUnavailableError(
            'The directory could not page this result; try again later',
            this.opts.retryAfter,
            {
              cause: e,
            },
          );
        }
      }
    });
  }

  /** Reads one entry (base search); `undefined` when it does not exist or does not match `filter`. */
  async read(
    dn: Dn | string,
    filter: LdapFilter,
    attributes: string[],
    binary: string[],
    what: string,
  ): Promise<LdapEntry | undefined> {
    const entries = await this.search({ base: dn, scope: 'base', filter, attributes, binary, sizeLimit: 1 }, what);
    return entries[0];
  }

  async add(dn: Dn | string, attrs: Map<string, LdapValue[]>, what: string): Promise<void> {
    const target = dnString(dn);
    const list = [...attrs]
      .filter(([, v]) => v.length)
      .map(([type, v]) => new Attribute({ type, values: v as string[] | Buffer[] }));
    try {
      await this.pool.run((c) => {
        this.stats.add++;
        this.writes.structure();
        return c.add(target, list);
      }, 'unsent');
    } catch (e) {
      this.fail(
        e,
        what,
        target,
        list.map((a) => a.type),
      );
    }
  }

  /**
   * Sends one modify. `rawErrors` lets the caller handle chosen result codes
   * itself (membership idempotency) instead of getting a SCIM error.
   */
  async modify(dn: Dn | string, mods: Modification[], what: string, controls?: Control[], rawErrors?: number[]): Promise<void> {
    if (!mods.length) return;
    const target = dnString(dn);
    const changes = toChanges(mods);
    try {
      await this.pool.run((c) => {
        this.stats.modify++;
        this.writes.modified(mods.map((m) => m.type));
        return c.modify(target, changes, controls);
      }, 'unsent');
    } catch (e) {
      const code = resultCodeOf(e);
      if (code !== undefined && rawErrors?.includes(code)) throw e;
      this.fail(
        e,
        what,
        target,
        mods.map((m) => m.type),
      );
    }
  }

  /**
   * Renames an entry within its parent (modify DN, old RDN values removed).
   * Only the new RDN is sent: ldapts splits a full DN string with a regular
   * expression that misreads escaped backslashes, while an RDN serialized by
   * {@link serializeDn} never contains an unescaped comma.
   */
  async rename(dn: Dn | string, newRdn: Rdn, what: string): Promise<void> {
    const target = dnString(dn);
    const rdn = serializeDn([newRdn]);
    try {
      await this.pool.run((c) => {
        this.stats.modifyDN++;
        this.writes.structure();
        return c.modifyDN(target, rdn);
      }, 'unsent');
    } catch (e) {
      this.fail(e, what, target);
    }
  }

  async del(dn: Dn | string, what: string): Promise<void> {
    const target = dnString(dn);
    try {
      await this.pool.run((c) => {
        this.stats.del++;
        this.writes.structure();
        return c.del(target);
      }, 'unsent');
    } catch (e) {
      this.fail(e, what, target);
    }
  }

  /**
   * Password Modify extended operation (RFC 3062): the server hashes the
   * password with its own scheme instead of storing what it is sent.
   */
  async passwordModify(dn: Dn | string, newPassword: string, what: string): Promise<void> {
    const target = dnString(dn);
    const w = new BerWriter();
    w.startSequence();
    w.writeString(target, 0x80);
    w.writeString(newPassword, 0x82);
    w.endSequence();
    try {
      await this.pool.run((c) => {
        this.writes.modified(['userPassword']);
        return c.exop(PASSWORD_MODIFY_OID, w.buffer);
      }, 'unsent');
    } catch (e) {
      this.fail(e, what, target);
    }
  }

  /** LDAP compare: whether the entry has the value. */
  async compare(dn: Dn | string, attribute: string, value: string, what: string): Promise<boolean> {
    const target = dnString(dn);
    try {
      return await this.pool.run((c) => {
        this.stats.compare++;
        return c.compare(target, attribute, value);
      });
    } catch (e) {
      if (resultCodeOf(e) === 16) return false;
      return this.fail(e, what, target);
    }
  }
}
