/**
 * The id strategy (what becomes the SCIM `id`) and the resolution of ids ↔
 * DNs in batches — member lists, `memberOf`, references — so a group with
 * thousands of members costs a handful of searches, not one per member.
 */
import { type LdapEntry, values } from './entry.js';
import { guidToBytes, guidToString, isGuidString } from './ad/guid.js';
import type { IdStrategy } from './config.js';
import {
  canonicalDn,
  type Dn,
  DnSyntaxError,
  dnKey,
  endsWithRdns,
  isWithin,
  parseDn,
  rdnKeysOf,
  serializeDn,
  tryDnKey,
  tryKeyed,
} from './dn.js';
import { and, eq, filterAttributes, type LdapFilter, or, serializeLdapFilter } from './filter.js';
import type { IdCache, IdCacheView } from './id-cache.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses a DN, `undefined` for anything that is not one. */
export function tryParseDn(s: string): Dn | undefined {
  try {
    return parseDn(s);
  } catch (e) {
    if (e instanceof DnSyntaxError) return undefined;
    throw e;
  }
}

/** How ids are read from entries and turned into filters. */
export class IdCodec {
  constructor(readonly strategy: IdStrategy) {}

  /** Attributes to request so {@link idOf} can work. */
  attributes(): string[] {
    switch (this.strategy) {
      case 'dn':
        return [];
      case 'entryUUID':
        return ['entryUUID'];
      case 'objectGUID':
        return ['objectGUID'];
      case 'mS-DS-ConsistencyGuid':
        return ['mS-DS-ConsistencyGuid', 'objectGUID'];
    }
  }

  /** Attributes that arrive as bytes. */
  binary(): string[] {
    return this.strategy === 'objectGUID' || this.strategy === 'mS-DS-ConsistencyGuid' ? this.attributes() : [];
  }

  /** The SCIM id of an entry. */
  idOf(entry: LdapEntry): string | undefined {
    const bytesOf = (name: string) => {
      const v = values(entry, name)[0];
      if (v === undefined) return undefined;
      const b = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
      return b.length === 16 ? guidToString(b) : undefined;
    };
    switch (this.strategy) {
      case 'dn':
        return canonicalDn(entry.dn);
      case 'entryUUID': {
        const v = values(entry, 'entryUUID')[0];
        return v === undefined ? undefined : String(v).toLowerCase();
      }
      case 'objectGUID':
        return bytesOf('objectGUID');
      case 'mS-DS-ConsistencyGuid':
        // Entries created before the anchor was set fall back to objectGUID, as Entra Connect does.
        return bytesOf('mS-DS-ConsistencyGuid') ?? bytesOf('objectGUID');
    }
  }

  /** True when `id` has the shape this strategy produces (a bad id is a 404, not a search). */
  valid(id: string): boolean {
    switch (this.strategy) {
      case 'dn':
        return tryParseDn(id) !== undefined && id.trim() !== '';
      case 'entryUUID':
        return UUID_RE.test(id);
      default:
        return isGuidString(id);
    }
  }

  /**
   * A filter selecting the entry with this id (for strategies other than
   * `dn`, and for `dn` when `dnAttribute` is searchable). `undefined` when
   * the id is malformed.
   */
  filter(id: string, dnAttribute: string): LdapFilter | undefined {
    if (!this.valid(id)) return undefined;
    switch (this.strategy) {
      case 'dn':
        return eq(dnAttribute, canonicalDn(id));
      case 'entryUUID':
        return eq('entryUUID', id.toLowerCase());
      case 'objectGUID':
        return eq('objectGUID', guidToBytes(id));
      case 'mS-DS-ConsistencyGuid': {
        const b = guidToBytes(id);
        return or(eq('mS-DS-ConsistencyGuid', b), eq('objectGUID', b));
      }
    }
  }
}

/** Splits a list into chunks (for `(|…)` filters of bounded size). */
export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Where member/reference entries may live. */
export interface ResolveScope {
  bases: Dn[];
  /** Filters an entry must match to count (userFilter / groupFilter), per base. */
  filters: (LdapFilter | undefined)[];
}

/** Searches the directory; provided by the connector. `expected`: about how many entries the search finds. */
export type SearchFn = (
  base: Dn,
  filter: LdapFilter,
  attributes: string[],
  binary: string[],
  expected: number,
) => Promise<LdapEntry[]>;

/** The groups whose members are being resolved, and the attribute their members list them in. */
export interface MemberOfHint {
  /** `memberOf` (or the configured attribute), kept by the directory on each member. */
  attribute: string;
  groups: string[];
}

/** Scope bases with their filters, one search per distinct base (the filters of one base or-ed). */
function byBase(scope: ResolveScope): { base: Dn; filter: LdapFilter | undefined }[] {
  const out: { base: Dn; key: string; filters: (LdapFilter | undefined)[] }[] = [];
  scope.bases.forEach((base, i) => {
    const key = dnKey(base);
    const same = out.find((o) => o.key === key);
    if (same) same.filters.push(scope.filters[i]);
    else out.push({ base, key, filters: [scope.filters[i]] });
  });
  return out.map((o) => ({
    base: o.base,
    filter: o.filters.some((f) => f === undefined) ? undefined : or(...(o.filters as LdapFilter[])),
  }));
}

/** Attributes the scope's filters test (a modify of one of them may change what the scope holds). */
function scopeAttributes(targets: { filter: LdapFilter | undefined }[]): Set<string> | '*' {
  const out = new Set<string>();
  for (const t of targets) {
    if (!t.filter) continue;
    const a = filterAttributes(t.filter);
    if (a === '*') return '*';
    for (const x of a) out.add(x);
  }
  return out;
}

/** Groups per memberOf search (an `(|(memberOf=…)…)` term each). */
const GROUPS_PER_SEARCH = 50;

/** Resolves ids ↔ DNs in batches. */
export class IdResolver {
  constructor(
    readonly codec: IdCodec,
    private readonly dnAttribute: string,
    private readonly search: SearchFn,
    private readonly batch = 200,
    private readonly cache?: IdCache,
  ) {}

  /**
   * DN → id for entries inside the scope. DNs outside it (and ones that do not
   * exist, for strategies that need a lookup) are left out of the map.
   *
   * With the `dn` strategy ids come from the DNs themselves. Otherwise, given
   * a {@link MemberOfHint}, the members are found by the groups they belong
   * to — one search however many there are — and only DNs that search did
   * not return (members the directory's memberOf does not list, dangling
   * DNs) are looked up by DN, in batches. DNs resolved lately (the
   * {@link IdCache}) need no search; when only a few are left, they are looked
   * up by DN rather than by a `memberOf` search that would read every member.
   */
  async dnsToIds(dns: string[], scope: ResolveScope, hint?: MemberOfHint): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const targets = byBase(scope);
    const bases = targets.map((t) => rdnKeysOf(t.base));
    // dnKey → the DN as given and the bases it lies in (keys are cached: no DN is parsed twice).
    // Plain loops: this runs for every member of every group read.
    const wanted = new Map<string, { dn: string; in: number[] }>();
    for (const d of dns) {
      const k = tryKeyed(d);
      if (k === undefined || wanted.has(k.key)) continue;
      let within: number[] | undefined;
      for (let i = 0; i < bases.length; i++) if (endsWithRdns(k.rdns, bases[i] as readonly string[])) (within ??= []).push(i);
      if (within) wanted.set(k.key, { dn: d, in: within });
    }
    if (this.codec.strategy === 'dn') {
      for (const [k, w] of wanted) out.set(k, canonicalDn(w.dn));
      return out;
    }
    const cached = this.view(targets);
    let hits = 0;
    if (cached) {
      for (const k of wanted.keys()) {
        const id = cached.get(k);
        if (id !== undefined) {
          out.set(k, id);
          hits++;
        }
      }
    }
    const take = (entries: LdapEntry[]) => {
      for (const e of entries) {
        const id = this.codec.idOf(e);
        const key = tryDnKey(e.dn);
        if (id === undefined || key === undefined) continue;
        // Every entry a search returns is in the scope: worth keeping even if not wanted now.
        cached?.set(key, id);
        if (wanted.has(key)) out.set(key, id);
      }
    };
    // A DN in nested bases is looked for in each until found.
    const open = (i: number) => {
      const left: [string, { dn: string; in: number[] }][] = [];
      if (out.size === wanted.size) return left;
      for (const e of wanted) if (!out.has(e[0]) && e[1].in.includes(i)) left.push(e);
      return left;
    };
    for (const [i, { base, filter }] of targets.entries()) {
      const expected = open(i).length;
      if (hint?.groups.length && expected && !(hits > 0 && expected <= this.batch)) {
        for (const part of chunks(hint.groups, GROUPS_PER_SEARCH)) {
          const f = or(...part.map((g) => eq(hint.attribute, g)));
          take(await this.search(base, filter ? and(filter, f) : f, this.codec.attributes(), this.codec.binary(), expected));
        }
      }
      for (const part of chunks(open(i), this.batch)) {
        const f = or(...part.map(([, w]) => eq(this.dnAttribute, w.dn)));
        take(await this.search(base, filter ? and(filter, f) : f, this.codec.attributes(), this.codec.binary(), part.length));
      }
    }
    return out;
  }

  /**
   * The kept answers for a scope (DN → id, and groups' member ids), current
   * now; `undefined` when none are kept (`idCacheSeconds: 0`, or the `dn`
   * strategy, whose ids need no lookup). Take it before the searches whose
   * answers go into it.
   */
  cacheView(scope: ResolveScope): IdCacheView | undefined {
    return this.codec.strategy === 'dn' ? undefined : this.view(byBase(scope));
  }

  private view(targets: { base: Dn; filter: LdapFilter | undefined }[]): IdCacheView | undefined {
    return this.cache?.view(
      targets.map((t) => `${serializeDn(t.base)}\u0000${t.filter ? serializeLdapFilter(t.filter) : ''}`).join('\u0000'),
      scopeAttributes(targets),
    );
  }

  /**
   * id → DN for entries inside the scope that exist. With the `dn` strategy
   * existence is checked only when `verify` is set (one batched search).
   */
  async idsToDns(ids: string[], scope: ResolveScope, verify: boolean): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const valid = [...new Set(ids)].filter((id) => this.codec.valid(id));
    if (this.codec.strategy === 'dn') {
      const inScope = valid.filter((id) => scope.bases.some((b) => isWithin(id, b)));
      if (!verify) {
        for (const id of inScope) out.set(id, canonicalDn(id));
        return out;
      }
      const found = await this.dnsToIdsVerified(inScope, scope);
      for (const id of inScope) if (found.has(dnKey(id))) out.set(id, canonicalDn(id));
      return out;
    }
    for (const [i, base] of scope.bases.entries()) {
      const left = valid.filter((id) => !out.has(id));
      for (const part of chunks(left, this.batch)) {
        const f = or(...part.map((id) => this.codec.filter(id, this.dnAttribute) as LdapFilter));
        const extra = scope.filters[i];
        const entries = await this.search(
          base,
          extra ? and(extra, f) : f,
          this.codec.attributes(),
          this.codec.binary(),
          part.length,
        );
        for (const e of entries) {
          const id = this.codec.idOf(e);
          const match = id === undefined ? undefined : part.find((p) => p.toLowerCase() === id.toLowerCase());
          if (match !== undefined) out.set(match, canonicalDn(e.dn));
        }
      }
    }
    return out;
  }

  /** Existence check of DNs by a batched search on the DN attribute; returns the dnKeys found. */
  private async dnsToIdsVerified(dns: string[], scope: ResolveScope): Promise<Set<string>> {
    const found = new Set<string>();
    for (const [i, base] of scope.bases.entries()) {
      const inBase = dns.filter((d) => !found.has(dnKey(d)) && isWithin(d, base));
      for (const part of chunks(inBase, this.batch)) {
        const f = or(...part.map((d) => eq(this.dnAttribute, canonicalDn(d))));
        const extra = scope.filters[i];
        for (const e of await this.search(base, extra ? and(extra, f) : f, [], [], part.length)) found.add(dnKey(e.dn));
      }
    }
    return found;
  }
}
