/**
 * A small in-memory stand-in for Active Directory behind the ldapts client
 * interface. It records every request (so tests assert on the exact
 * `Change` objects and filters the connector sends) and behaves enough like
 * AD for the flows under test: objectGUID, distinguishedName, objectCategory,
 * memberOf, the bitwise-AND matching rule, permissive modify.
 */
import { randomBytes } from 'node:crypto';
import {
  AlreadyExistsError,
  ConstraintViolationError,
  AndFilter,
  type Attribute,
  type Change,
  type ClientOptions,
  type Control,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NoSuchAttributeError,
  NoSuchObjectError,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
  TypeOrValueExistsError,
  UnwillingToPerformError,
} from 'ldapts';
import { dnKey, isWithin, parseDn, serializeDn } from '../../src/dn.js';
import type { LdapClient } from '../../src/pool.js';

type Value = string | Buffer;
export interface FakeEntry {
  dn: string;
  attrs: Map<string, { name: string; values: Value[] }>;
}
export type Call =
  | { op: 'bind'; dn: string }
  | { op: 'startTLS' }
  | { op: 'search'; base: string; filter: string; scope: string | undefined; attributes: string[] | undefined }
  | { op: 'add'; dn: string; attributes: Attribute[] }
  | { op: 'modify'; dn: string; changes: Change[]; controls: Control[] }
  | { op: 'modifyDN'; dn: string; newRdn: string }
  | { op: 'del'; dn: string }
  | { op: 'compare'; dn: string };

const PERMISSIVE = '1.2.840.113556.1.4.1413';
const BIT_AND = '1.2.840.113556.1.4.803';
const lc = (s: string) => s.toLowerCase();
const eqValue = (a: Value, b: Value) =>
  typeof a === 'string' && typeof b === 'string' ? lc(a) === lc(b) : Buffer.from(a as Buffer).equals(Buffer.from(b as Buffer));

/** The fake domain's users container. */
export const FAKE_AD_USERS = 'CN=Users,DC=test,DC=local';

/** `ldap` settings for the fake domain, as the service account binds to it over LDAPS. */
export const FAKE_AD_LDAP = {
  baseUrls: ['ldaps://dc1.test.local:636'],
  username: `CN=svc-scim,${FAKE_AD_USERS}`,
  password: 'bind-secret',
  userBase: FAKE_AD_USERS,
  isActiveDirectory: true,
};

/** Shared directory state plus the request log. */
export class FakeAd {
  readonly entries = new Map<string, FakeEntry>();
  readonly calls: Call[] = [];
  readonly urls: string[] = [];
  constructor(readonly base = 'DC=test,DC=local') {
    this.put(base, { objectClass: ['top', 'domain'] });
    this.put(`CN=Users,${base}`, { objectClass: ['top', 'container'] });
  }

  put(dn: string, attrs: Record<string, Value | Value[]>): FakeEntry {
    const e: FakeEntry = { dn, attrs: new Map() };
    for (const [k, v] of Object.entries(attrs)) e.attrs.set(lc(k), { name: k, values: Array.isArray(v) ? v : [v] });
    this.entries.set(dnKey(dn), e);
    return e;
  }

  get(dn: string): FakeEntry | undefined {
    return this.entries.get(dnKey(dn));
  }

  values(e: FakeEntry, name: string): Value[] {
    if (lc(name) === 'distinguishedname') return [e.dn];
    if (lc(name) === 'memberof') {
      return [...this.entries.values()]
        .filter((g) => (g.attrs.get('member')?.values ?? []).some((m) => dnKey(String(m)) === dnKey(e.dn)))
        .map((g) => g.dn);
    }
    return e.attrs.get(lc(name))?.values ?? [];
  }

  matches(e: FakeEntry, f: Filter): boolean {
    if (f instanceof AndFilter) return f.filters.every((x) => this.matches(e, x));
    if (f instanceof OrFilter) return f.filters.some((x) => this.matches(e, x));
    if (f instanceof NotFilter) return !this.matches(e, f.filter);
    if (f instanceof PresenceFilter) return this.values(e, f.attribute).length > 0;
    if (f instanceof EqualityFilter) {
      const want = f.value;
      if (lc(f.attribute) === 'objectcategory') return this.values(e, 'objectClass').some((v) => eqValue(v, want));
      if (lc(f.attribute) === 'distinguishedname' || lc(f.attribute) === 'member') {
        return this.values(e, f.attribute).some((v) => dnKey(String(v)) === dnKey(String(want)));
      }
      return this.values(e, f.attribute).some((v) => eqValue(v, want));
    }
    if (f instanceof SubstringFilter) {
      const re = new RegExp(
        `^${[f.initial, ...f.any, f.final].map((p) => (p ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`,
        'i',
      );
      return this.values(e, f.attribute).some((v) => re.test(String(v)));
    }
    if (f instanceof GreaterThanEqualsFilter)
      return this.values(e, f.attribute).some((v) => BigInt(String(v)) >= BigInt(f.value));
    if (f instanceof LessThanEqualsFilter) return this.values(e, f.attribute).some((v) => BigInt(String(v)) <= BigInt(f.value));
    if (f instanceof ExtensibleFilter && f.rule === BIT_AND) {
      return this.values(e, f.matchType).some((v) => (Number(v) & Number(f.value)) !== 0);
    }
    throw new Error(`fake AD: unsupported filter ${f.toString()}`);
  }

  /** A client factory for the connector. */
  factory = (options: ClientOptions): LdapClient => {
    this.urls.push(options.url);
    return new FakeClient(this);
  };
}

class FakeClient implements LdapClient {
  isConnected = true;
  isBound = false;
  constructor(private readonly ad: FakeAd) {}

  async bind(dn: unknown): Promise<void> {
    this.ad.calls.push({ op: 'bind', dn: String(dn) });
    this.isBound = true;
  }
  async startTLS(): Promise<void> {
    this.ad.calls.push({ op: 'startTLS' });
  }
  async unbind(): Promise<void> {
    this.isConnected = false;
  }
  async exop(): Promise<{ oid?: string; value?: string }> {
    throw new Error('fake AD: no extended operations');
  }

  async search(base: unknown, options: Parameters<LdapClient['search']>[1] = {}) {
    const filter = options.filter as Filter;
    this.ad.calls.push({
      op: 'search',
      base: String(base),
      filter: filter.toString(),
      scope: options.scope,
      attributes: options.attributes,
    });
    if (String(base) === '') {
      return { searchEntries: [{ dn: '', supportedControl: [PERMISSIVE, '1.2.840.113556.1.4.319'] }], searchReferences: [] };
    }
    const b = String(base);
    if (!this.ad.get(b)) throw new NoSuchObjectError('0000208D: NameErr');
    const hits = [...this.ad.entries.values()].filter((e) => {
      const depth = parseDn(e.dn).length - parseDn(b).length;
      const inScope =
        options.scope === 'base'
          ? dnKey(e.dn) === dnKey(b)
          : options.scope === 'one'
            ? depth === 1 && isWithin(e.dn, b)
            : isWithin(e.dn, b);
      return inScope && this.ad.matches(e, filter);
    });
    const want = (options.attributes ?? []).filter((a) => a !== '1.1');
    const searchEntries = hits.map((e) => {
      const out: Record<string, unknown> & { dn: string } = { dn: e.dn };
      for (const a of want) {
        const v = this.ad.values(e, a);
        if (v.length) out[a] = v.length === 1 ? v[0] : v;
      }
      return out;
    });
    return { searchEntries, searchReferences: [] } as Awaited<ReturnType<LdapClient['search']>>;
  }

  async *searchPaginated(base: unknown, options: Parameters<LdapClient['search']>[1] = {}) {
    yield await this.search(base, options);
  }

  async add(dn: unknown, attributes: unknown): Promise<void> {
    const list = attributes as Attribute[];
    this.ad.calls.push({ op: 'add', dn: String(dn), attributes: list });
    if (this.ad.get(String(dn))) throw new AlreadyExistsError('00000524: UpdErr: DSID-031A11E2, problem 6005 (ENTRY_EXISTS)');
    const attrs: Record<string, Value[]> = {};
    for (const a of list) {
      // AD refuses an attribute given twice, however spelled ("SINGLE-VALUE attribute cn specified more than once").
      if (Object.keys(attrs).some((k) => lc(k) === lc(a.type)))
        throw new ConstraintViolationError(`0000202F: SINGLE-VALUE attribute ${a.type} specified more than once`);
      attrs[a.type] = a.values as Value[];
    }
    checkAccountName(attrs.sAMAccountName ?? Object.entries(attrs).find(([k]) => lc(k) === 'samaccountname')?.[1]);
    const now = '20240101000000.0Z';
    this.ad.put(String(dn), { ...attrs, objectGUID: randomBytes(16), whenCreated: now, whenChanged: now });
  }

  async modify(dn: unknown, changes: unknown, controls?: unknown): Promise<void> {
    const list = (Array.isArray(changes) ? changes : [changes]) as Change[];
    const ctl = (controls === undefined ? [] : Array.isArray(controls) ? controls : [controls]) as Control[];
    this.ad.calls.push({ op: 'modify', dn: String(dn), changes: list, controls: ctl });
    const e = this.ad.get(String(dn));
    if (!e) throw new NoSuchObjectError('0000208D: NameErr');
    const permissive = ctl.some((c) => c.type === PERMISSIVE);
    for (const ch of list) {
      const key = lc(ch.modification.type);
      const cur = e.attrs.get(key) ?? { name: ch.modification.type, values: [] };
      const vals = ch.modification.values as Value[];
      if (key === 'samaccountname') {
        if (ch.operation === 'delete' || !vals.length)
          throw new UnwillingToPerformError("00002077: samldb: 'samAccountName' can't be deleted/empty!");
        checkAccountName(vals);
      }
      if (ch.operation === 'replace') cur.values = [...vals];
      else if (ch.operation === 'add') {
        for (const v of vals) {
          if (cur.values.some((x) => eqValue(x, v))) {
            if (!permissive) throw new TypeOrValueExistsError('00002083: AtrErr');
          } else cur.values.push(v);
        }
      } else if (!vals.length) cur.values = [];
      else {
        for (const v of vals) {
          if (!cur.values.some((x) => eqValue(x, v)) && !permissive) throw new NoSuchAttributeError('00002080: AtrErr');
          cur.values = cur.values.filter((x) => !eqValue(x, v));
        }
      }
      // An attribute left without values is gone (RFC 4511 §4.6), as a replace with none removes it.
      if (cur.values.length) e.attrs.set(key, cur);
      else e.attrs.delete(key);
    }
  }

  async modifyDN(dn: unknown, newRdn: unknown): Promise<void> {
    this.ad.calls.push({ op: 'modifyDN', dn: String(dn), newRdn: String(newRdn) });
    const e = this.ad.get(String(dn));
    if (!e) throw new NoSuchObjectError('0000208D: NameErr');
    this.ad.entries.delete(dnKey(e.dn));
    const [oldRdn = [], ...parent] = parseDn(e.dn);
    const [rdn = []] = parseDn(String(newRdn));
    // ldapts sends deleteOldRdn: the old naming value goes and the new one is stored (RFC 4511 §4.9), as AD does.
    for (const ava of oldRdn) {
      const cur = e.attrs.get(lc(ava.type));
      if (cur) cur.values = cur.values.filter((v) => !eqValue(v, String(ava.value)));
      if (cur && !cur.values.length) e.attrs.delete(lc(ava.type));
    }
    for (const ava of rdn) {
      const cur = e.attrs.get(lc(ava.type)) ?? { name: ava.type, values: [] };
      if (!cur.values.some((v) => eqValue(v, String(ava.value)))) cur.values.push(String(ava.value));
      e.attrs.set(lc(ava.type), cur);
    }
    e.dn = serializeDn([rdn, ...parent]);
    this.ad.entries.set(dnKey(e.dn), e);
  }

  async del(dn: unknown): Promise<void> {
    this.ad.calls.push({ op: 'del', dn: String(dn) });
    if (!this.ad.entries.delete(dnKey(String(dn)))) throw new NoSuchObjectError('0000208D: NameErr');
  }

  async compare(dn: unknown, attribute: string, value: string): Promise<boolean> {
    this.ad.calls.push({ op: 'compare', dn: String(dn) });
    const e = this.ad.get(String(dn));
    return !!e && this.ad.values(e, attribute).some((v) => eqValue(v, value));
  }
}

/** AD's rule for `sAMAccountName` values: none of `" / \ [ ] : ; | = , + * ? < >` (19). */
function checkAccountName(values: Value[] | undefined): void {
  for (const v of values ?? []) {
    if (/["/\\[\]:;|=,+*?<>]/.test(String(v)))
      throw new ConstraintViolationError(`0000202F: sAMAccountName contains an invalid character`);
  }
}
