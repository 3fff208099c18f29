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
import { IdCodec, IdResolver, type ResolveScope } from '../src/ids.js';

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
