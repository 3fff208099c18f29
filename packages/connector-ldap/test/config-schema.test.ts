/**
 * `configSchema`, what the gateway runs on the `endpoint` section in `start` and `check-config`:
 * its JSON Schema and its validator agree on every configuration the docs page and the README
 * show and on a corpus of bad ones, and the validator also refuses what only code can check
 * (DNs, filters, the map), naming the path.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { configSchema, type LdapConfig } from '../src/index.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const check = ajv.compile(configSchema.jsonSchema);

/** The `endpoint` sections of a page's JSON blocks (fragments wrapped in braces). */
function documentedEndpoints(file: URL): [string, LdapConfig][] {
  const page = readFileSync(file, 'utf8');
  return [...page.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => (m[1] as string).trim())
    .filter((text) => text.includes('"endpoint"'))
    .map((text, i) => {
      const json = JSON.parse(text.startsWith('{') ? text : `{${text}}`) as { endpoint: LdapConfig };
      return [`${file.pathname.split('/').slice(-2).join('/')} #${i + 1}`, json.endpoint];
    });
}

const root = new URL('../../../', import.meta.url);
const page = readFileSync(new URL('docs/connectors/ldap.md', root), 'utf8');
const base = { baseUrls: ['ldaps://ldap.example.org:636'], userBase: 'ou=people,dc=example,dc=org' };
/** The allowlist fragment of the page (a `map.group`), in a configuration of its own. */
const allowlist = JSON.parse(`{${/```json\n("group":[^\n]*valueMap[^\n]*)\n```/.exec(page)?.[1] ?? ''}}`) as { group: object };
const documented: [string, LdapConfig][] = [
  ...documentedEndpoints(new URL('docs/connectors/ldap.md', root)),
  ...documentedEndpoints(new URL('packages/connector-ldap/README.md', root)),
  ['docs/connectors/ldap.md allowlist', { ldap: base, map: { group: allowlist.group } } as LdapConfig],
];

const ldap = (over: Record<string, unknown>) => ({ ldap: { ...base, ...over } });

/** Refused by both: the shape is wrong. */
const badShape: [string, unknown][] = [
  ['not an object', 'ldap://x'],
  ['a misspelt top-level key', { ldpa: base }],
  ['baseUrl for baseUrls', { ldap: { baseUrl: ['ldap://x'], userBase: 'dc=x' } }],
  ['usrBase for userBase', { ldap: { baseUrls: ['ldap://x'], usrBase: 'dc=x' } }],
  ['no userBase', { ldap: { baseUrls: ['ldap://x'] } }],
  ['an http URL', ldap({ baseUrls: ['http://x'] })],
  ['a URL with a path', ldap({ baseUrls: ['ldap://x/dc=example'] })],
  ['no URL', ldap({ baseUrls: [] })],
  ['a URL that is a number', ldap({ baseUrls: 389 })],
  ['a port that is text', ldap({ pageSize: '500' })],
  ['a page size of 0', ldap({ pageSize: 0 })],
  ['a fractional pool', ldap({ poolSize: 1.5 })],
  ['no paging connection', ldap({ pagingConnections: 0 })],
  ['vlv as text', ldap({ vlv: 'true' })],
  ['a negative snapshot time', ldap({ listSnapshotSeconds: -1 })],
  ['a sort key with an empty rule', ldap({ sortAttribute: { user: 'uid:' } })],
  ['a sort key for roles', ldap({ sortAttribute: { role: 'cn' } })],
  ['an unknown id strategy', ldap({ idStrategy: 'uid' })],
  ['an unknown member attribute', ldap({ groupMemberAttribute: 'memberUid' })],
  ['a memberOf attribute with a space', ldap({ memberOfAttribute: 'member of' })],
  ['a naming rule with a bad attribute', ldap({ namingAttribute: { user: [{ attribute: 'u id', mapTo: 'userName' }] } })],
  ['an empty naming list', ldap({ namingAttribute: { user: [] } })],
  ['no object classes', ldap({ objectClasses: { user: [] } })],
  ['a misspelt TLS key', ldap({ tls: { rejectUnauthorised: false } })],
  ['required attributes as a list', ldap({ requiredAttributes: ['cn'] })],
  ['a required attribute with a bad name', ldap({ requiredAttributes: { 'c n': ['userName'] } })],
  ['a required attribute without SCIM paths', ldap({ requiredAttributes: { cn: [] } })],
  ['a tenant without ldap', { entity: { a: { map: {} } } }],
  ['a tenant with a misspelt key', { entity: { a: { ldap: base, mapp: {} } } }],
  ['a map entry that is text', { ldap: base, map: { user: { uid: 'userName' } } }],
];

/** Refused by the validator only: what code checks (the same code createConnector runs). */
const badRules: [string, unknown, string][] = [
  ['no tenant at all', {}, ''],
  ['the default tenant twice', { ldap: base, entity: { undefined: { ldap: base } } }, 'entity.undefined'],
  ['a userBase that is no DN', ldap({ userBase: 'ou=people,' }), 'ldap.userBase'],
  ['a bind DN that is no DN', ldap({ username: 'admin' }), 'ldap.username'],
  ['a filter that does not parse', ldap({ userFilter: '(objectClass=person' }), 'ldap.userFilter'],
  ['StartTLS on ldaps', ldap({ startTls: true }), 'ldap.startTls'],
  ['an unknown AD group type', ldap({ adGroupType: 'planetary' }), 'ldap.adGroupType'],
  ['a map without userName', { ldap: base, map: { user: { cn: { mapTo: 'displayName' } } } }, 'map.user'],
  ['an empty user map', { ldap: base, map: { user: {}, group: {} } }, 'map.user'],
  ['an unknown mapping type', { ldap: base, map: { user: { uid: { mapTo: 'userName', type: 'blob' } } } }, 'map.user.uid.type'],
  [
    "a bad entry in a tenant's own map",
    { entity: { a: { ldap: base, map: { user: { uid: { mapTo: 'userName' }, 'b@d': { mapTo: 'title' } } } } } },
    'entity.a.map.user.b@d',
  ],
  [
    'a dotted name mapped to an unknown sub-attribute',
    { ldap: base, map: { user: { uid: { mapTo: 'userName' }, '2.5.4.3': { mapTo: 'name.nickname' } } } },
    'map.user.2.5.4.3.mapTo',
  ],
];

describe('the JSON Schema of the endpoint section and the validator agree', () => {
  it('finds the documented configurations', () => {
    expect(documented.length).toBeGreaterThanOrEqual(5);
  });

  it.each(documented)('accept %s', (_, endpoint) => {
    expect(check(endpoint), JSON.stringify(check.errors)).toBe(true);
    const r = configSchema.validate(endpoint);
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it.each(badShape)('refuse %s', (_, endpoint) => {
    expect(check(endpoint)).toBe(false);
    expect(configSchema.validate(endpoint).ok).toBe(false);
  });

  it.each(badRules)('the validator alone refuses %s', (_, endpoint, path) => {
    expect(check(endpoint)).toBe(true);
    const r = configSchema.validate(endpoint);
    expect(r.ok ? [] : r.issues.map((i) => i.path.join('.'))).toEqual([path]);
  });
});

describe('configSchema', () => {
  it('names typos with a did-you-mean, wrong types and missing values by path', () => {
    const r = configSchema.validate({
      entity: { undefined: { ldap: { baseUrl: ['ldap://x'], usrBase: 'dc=x', pageSize: 'many' } } },
    });
    const at = (p: string) => (r.ok ? [] : r.issues.filter((i) => i.path.join('.') === p).map((i) => i.message));
    expect(at('entity.undefined.ldap.baseUrl')).toEqual([expect.stringMatching(/^unknown key \(did you mean "baseUrls"\?\)/)]);
    expect(at('entity.undefined.ldap.usrBase')).toEqual([expect.stringMatching(/^unknown key \(did you mean "userBase"\?\)/)]);
    expect(at('entity.undefined.ldap.userBase')).toEqual(['is required (string)']);
    expect(at('entity.undefined.ldap.pageSize')).toEqual(['expected number, got the string "many"']);
  });

  it('reports a problem in every tenant, not only the first', () => {
    const r = configSchema.validate({
      entity: { a: { ldap: { ...base, userBase: 'x' } }, b: { ldap: { ...base, groupFilter: 'nope' } } },
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path.join('.'))).toEqual(['entity.a.ldap.userBase', 'entity.b.ldap.groupFilter']);
  });

  it('fills in the defaults the connector would use, and keeps what depends on the directory open', () => {
    const r = configSchema.validate({ ldap: base });
    expect(r.ok && r.value.ldap).toMatchObject({
      pageSize: 500,
      poolSize: 4,
      pagingConnections: 4,
      vlv: true,
      listSnapshotSeconds: 10,
      timeoutMs: 30_000,
      permissiveModify: true,
      adGroupType: 'global-security',
    });
    expect(r.ok && r.value.ldap && 'idStrategy' in r.value.ldap).toBe(false);
    // What it returns is what createConnector gets: it passes again unchanged.
    expect(r.ok && configSchema.validate(r.value)).toEqual(r);
  });
});
