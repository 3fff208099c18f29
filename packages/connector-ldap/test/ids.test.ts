/**
 * DN → id resolution against an in-memory directory: how many searches a
 * member list costs (none for DN ids, one through memberOf, batches by DN
 * otherwise), that DNs memberOf does not list are still found, and that
 * DNs outside the scope, dangling or in nested bases are handled.
 */
import { describe, expect, it } from 'vitest';
import { type Dn, dnKey, isWithin, parseDn } from '../src/dn.js';
import type { LdapEntry } from '../src/entry.js';
import { eq, type LdapFilter } from '../src/filter.js';
import { IdCache } from '../src/id-cache.js';
import { IdCodec, IdResolver, type ResolveScope } from '../src/ids.js';
import { WriteLog } from '../src/writes.js';

interface Row {
  dn: string;
  uuid: string;
  classes: string[];
  memberOf: string[];
}

const PEOPLE = 'ou=people,dc=x';
const GROUPS = 'ou=groups,dc=x';
const G = `cn=g,${GROUPS}`;

function directory(rows: Row[]) {
  const searches: { base: string; expected: number }[] = [];
  const values = (r: Row, attr: string): string[] => {
    const a = attr.toLowerCase();
    if (a === 'objectclass') return r.classes;
    if (a === 'memberof') return r.memberOf;
    if (a === 'entrydn') return [r.dn];
    return [];
  };
  const matches = (r: Row, f: LdapFilter): boolean => {
    if (f.type === 'and') return f.filters.every((x) => matches(r, x));
    if (f.type === 'or') return f.filters.some((x) => matches(r, x));
    if (f.type === 'eq') {
      const want = String(f.value);
      const dnValued = ['memberof', 'entrydn'].includes(f.attribute.toLowerCase());
      return values(r, f.attribute).some((v) => (dnValued ? dnKey(v) === dnKey(want) : v.toLowerCase() === want.toLowerCase()));
    }
    throw new Error(`unsupported filter ${f.type}`);
  };
  const search = async (base: Dn, filter: LdapFilter, _a: string[], _b: string[], expected: number): Promise<LdapEntry[]> => {
    searches.push({ base: dnKey(base), expected });
    return rows
      .filter((r) => isWithin(r.dn, base) && matches(r, filter))
      .map((r) => ({ dn: r.dn, attrs: new Map([['entryuuid', [r.uuid]]]) }));
  };
  return { search, searches };
}

const user = (i: number, memberOf: string[] = [G]): Row => ({
  dn: `uid=u${i},${PEOPLE}`,
  uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  classes: ['inetOrgPerson'],
  memberOf,
});
const scope = (bases: string[], filters: string[]): ResolveScope => ({
  bases: bases.map(parseDn),
  filters: filters.map((c) => eq('objectClass', c)),
});
const both = scope([PEOPLE, GROUPS], ['inetOrgPerson', 'groupOfNames']);

describe('IdResolver.dnsToIds', () => {
  it('derives DN ids from the DNs themselves, without a search', async () => {
    const d = directory([]);
    const r = new IdResolver(new IdCodec('dn'), 'entryDN', d.search);
    const ids = await r.dnsToIds([`UID=U1, ${PEOPLE}`, 'uid=x,ou=elsewhere,dc=x', 'not a dn'], both);
    expect([...ids.values()]).toEqual([`UID=U1,${PEOPLE}`]);
    expect(d.searches).toEqual([]);
  });

  it('finds 1,000 members with one memberOf search per base', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => user(i));
    const d = directory(rows);
    const r = new IdResolver(new IdCodec('entryUUID'), 'entryDN', d.search);
    const ids = await r.dnsToIds(
      rows.map((x) => x.dn),
      both,
      { attribute: 'memberOf', groups: [G] },
    );
    expect(ids.size).toBe(1000);
    expect(ids.get(dnKey(rows[7]?.dn as string))).toBe(rows[7]?.uuid);
    // Members all lie under the people base: one search there, with the count it expects.
    expect(d.searches).toEqual([{ base: dnKey(PEOPLE), expected: 1000 }]);
  });

  it('looks up by DN the members memberOf does not list, and leaves dangling DNs out', async () => {
    const rows = [user(1), user(2, []), user(3)];
    const d = directory(rows);
    const r = new IdResolver(new IdCodec('entryUUID'), 'entryDN', d.search);
    const ids = await r.dnsToIds([...rows.map((x) => x.dn), `uid=gone,${PEOPLE}`], both, { attribute: 'memberOf', groups: [G] });
    expect([...ids.values()].sort()).toEqual(rows.map((x) => x.uuid).sort());
    expect(d.searches.map((s) => s.expected)).toEqual([4, 2]);
  });

  it('looks up in batches without a memberOf attribute', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => user(i));
    const d = directory(rows);
    const r = new IdResolver(new IdCodec('entryUUID'), 'entryDN', d.search, 250);
    const ids = await r.dnsToIds(
      rows.map((x) => x.dn),
      both,
    );
    expect(ids.size).toBe(1000);
    expect(d.searches).toHaveLength(4);
  });

  it('searches one base once when users and groups share it', async () => {
    const group: Row = {
      dn: `cn=sub,${PEOPLE}`,
      uuid: '00000000-0000-4000-8000-00000000aaaa',
      classes: ['groupOfNames'],
      memberOf: [G],
    };
    const rows = [user(1), group];
    const d = directory(rows);
    const r = new IdResolver(new IdCodec('entryUUID'), 'entryDN', d.search);
    const shared = scope([PEOPLE, PEOPLE], ['inetOrgPerson', 'groupOfNames']);
    const ids = await r.dnsToIds(
      rows.map((x) => x.dn),
      shared,
      { attribute: 'memberOf', groups: [G] },
    );
    expect(ids.size).toBe(2);
    expect(d.searches).toHaveLength(1);
  });

  it('finds a group in a group base nested inside the user base', async () => {
    const nested = 'ou=groups,ou=people,dc=x';
    const group: Row = {
      dn: `cn=team,${nested}`,
      uuid: '00000000-0000-4000-8000-00000000bbbb',
      classes: ['groupOfNames'],
      memberOf: [G],
    };
    const rows = [user(1), group];
    const d = directory(rows);
    const r = new IdResolver(new IdCodec('entryUUID'), 'entryDN', d.search);
    const ids = await r.dnsToIds(
      rows.map((x) => x.dn),
      scope([PEOPLE, nested], ['inetOrgPerson', 'groupOfNames']),
      { attribute: 'memberOf', groups: [G] },
    );
    expect(ids.get(dnKey(group.dn))).toBe(group.uuid);
    expect(ids.size).toBe(2);
  });
});

describe('IdResolver.dnsToIds with an IdCache', () => {
  const rows = Array.from({ length: 300 }, (_, i) => user(i));
  const hint = { attribute: 'memberOf', groups: [G] };
  const setup = (ttlMs = 10_000) => {
    const d = directory(rows);
    const writes = new WriteLog();
    let now = 1_000;
    const cache = new IdCache(ttlMs, writes, () => now);
    const r = new IdResolver(new IdCodec('entryUUID'), 'entryDN', d.search, 200, cache);
    return { d, writes, r, tick: (ms: number) => (now += ms) };
  };
  const dns = rows.map((x) => x.dn);

  it('answers a second read of the same members without a search', async () => {
    const { d, r } = setup();
    expect((await r.dnsToIds(dns, both, hint)).size).toBe(300);
    const again = await r.dnsToIds(dns, both, hint);
    expect(again.size).toBe(300);
    expect(again.get(dnKey(rows[42]?.dn as string))).toBe(rows[42]?.uuid);
    expect(d.searches).toHaveLength(1);
  });

  it('looks up only the DNs it does not know, by DN', async () => {
    const { d, r } = setup();
    await r.dnsToIds(dns.slice(0, 250), both, hint);
    const ids = await r.dnsToIds(dns, both, hint);
    expect(ids.size).toBe(300);
    // The memberOf search already returned all 300 entries of the group: nothing left to look up.
    expect(d.searches).toHaveLength(1);
    const fresh = setup();
    await fresh.r.dnsToIds(dns.slice(0, 250), scope([PEOPLE], ['inetOrgPerson']));
    fresh.d.searches.length = 0;
    await fresh.r.dnsToIds(dns, scope([PEOPLE], ['inetOrgPerson']), hint);
    expect(fresh.d.searches).toEqual([{ base: dnKey(PEOPLE), expected: 50 }]);
  });

  it('keeps answers per scope: a DN found as a user is not a group', async () => {
    const { d, r } = setup();
    await r.dnsToIds(dns, scope([PEOPLE], ['inetOrgPerson']), hint);
    expect(d.searches).toHaveLength(1);
    const asGroups = await r.dnsToIds(dns, scope([PEOPLE], ['groupOfNames']), hint);
    expect(asGroups.size).toBe(0);
    // Searched again (memberOf, then the DNs it did not return, 200 a search), not answered from the users' scope.
    expect(d.searches).toHaveLength(4);
  });

  it('searches again after idCacheSeconds, after an add, delete or rename, and after a modify of a filtered attribute', async () => {
    const { d, writes, r, tick } = setup(10_000);
    const count = async () => {
      const before = d.searches.length;
      await r.dnsToIds(dns, both, hint);
      return d.searches.length - before;
    };
    expect(await count()).toBe(1);
    tick(9_999);
    expect(await count()).toBe(0);
    tick(1);
    expect(await count()).toBe(1);
    writes.modified(['member']);
    expect(await count()).toBe(0);
    writes.structure();
    expect(await count()).toBe(1);
    writes.modified(['objectClass']);
    expect(await count()).toBe(1);
  });

  it('keeps nothing with idCacheSeconds 0', async () => {
    const { d, r } = setup(0);
    await r.dnsToIds(dns, both, hint);
    await r.dnsToIds(dns, both, hint);
    expect(d.searches).toHaveLength(2);
  });

  it('drops what a search returned while a write happened', async () => {
    const d = directory(rows);
    const writes = new WriteLog();
    const cache = new IdCache(10_000, writes);
    const r = new IdResolver(new IdCodec('entryUUID'), 'entryDN', d.search, 200, cache);
    // A resolution whose search overlaps a write (here: the write happens during it).
    const racing = new IdResolver(
      new IdCodec('entryUUID'),
      'entryDN',
      async (...a) => {
        writes.structure();
        return d.search(...a);
      },
      200,
      cache,
    );
    await racing.dnsToIds(dns, both, hint);
    const before = d.searches.length;
    await r.dnsToIds(dns, both, hint);
    expect(d.searches.length - before).toBe(1);
  });
});

describe('IdResolver.cacheView: member ids kept per group', () => {
  const setup = (ttlMs = 10_000, strategy: 'entryUUID' | 'dn' = 'entryUUID') => {
    const writes = new WriteLog();
    let now = 1_000;
    const cache = new IdCache(ttlMs, writes, () => now);
    const r = new IdResolver(new IdCodec(strategy), 'entryDN', directory([]).search, 200, cache);
    return { writes, r, tick: (ms: number) => (now += ms) };
  };

  it('gives back what was kept, for the same scope only', () => {
    const { r } = setup();
    r.cacheView(both)?.setMembers('g1', { stamp: 's1', ids: ['a', 'b'], refs: [], digest: 'd' });
    expect(r.cacheView(both)?.members('g1')).toEqual({ stamp: 's1', ids: ['a', 'b'], refs: [], digest: 'd' });
    expect(r.cacheView(both)?.members('g2')).toBeUndefined();
    expect(r.cacheView(scope([PEOPLE], ['inetOrgPerson']))?.members('g1')).toBeUndefined();
  });

  it('forgets them with the DN → id answers: after idCacheSeconds and after an add, delete or rename', () => {
    const { r, writes, tick } = setup(10_000);
    const keep = () => r.cacheView(both)?.setMembers('g1', { stamp: 's1', ids: ['a'], refs: [], digest: 'd' });
    const kept = () => r.cacheView(both)?.members('g1') !== undefined;
    keep();
    tick(9_999);
    expect(kept()).toBe(true);
    tick(1);
    expect(kept()).toBe(false);
    keep();
    writes.modified(['member']);
    expect(kept()).toBe(true);
    writes.structure();
    expect(kept()).toBe(false);
    keep();
    writes.modified(['objectClass']);
    expect(kept()).toBe(false);
  });

  it('keeps none with idCacheSeconds 0 or the dn strategy', () => {
    expect(setup(0).r.cacheView(both)).toBeUndefined();
    expect(setup(10_000, 'dn').r.cacheView(both)).toBeUndefined();
  });

  it('stays bounded: groups are dropped when their members pass the bound', () => {
    const { r } = setup();
    const view = r.cacheView(both);
    const big = Array.from({ length: 150_000 }, (_, i) => `u${i}`);
    view?.setMembers('g1', { stamp: 's', ids: big, refs: [], digest: 'd' });
    view?.setMembers('g1', { stamp: 't', ids: big, refs: [], digest: 'd' });
    expect(view?.members('g1')?.stamp).toBe('t');
    view?.setMembers('g2', { stamp: 's', ids: big, refs: [], digest: 'd' });
    expect(view?.members('g1')).toBeUndefined();
    expect(view?.members('g2')?.stamp).toBe('s');
  });
});
