/**
 * `configSchema`, what the gateway runs on the `endpoint` section in `start` and `check-config`:
 * its JSON Schema and its validator agree on the shipped example, the configurations the docs
 * page and the README show, and a corpus of bad ones; the validator also refuses what only the
 * mapper and the connection rules can check, naming the path.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { configSchema, DEFAULT_MAP } from '../src/index.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const check = ajv.compile(configSchema.jsonSchema);

const ENDPOINT_KEYS = ['scimVersion', 'entity', 'map', 'paths', 'targetSupport', 'pageSize'];

/**
 * The endpoint sections a page shows: whole configurations, endpoint fragments
 * (`"targetSupport": …`), a connection or a map section in an endpoint of its own.
 */
function documented(file: URL): [string, unknown][] {
  const page = readFileSync(file, 'utf8');
  return [...page.matchAll(/```json\n([\s\S]*?)```/g)].map((m, i) => {
    const text = (m[1] as string).trim();
    const block = JSON.parse(text.startsWith('{') ? text : `{${text}}`) as Record<string, unknown>;
    const name = `${file.pathname.split('/').slice(-2).join('/')} #${i + 1}`;
    if (block.endpoint) return [name, block.endpoint];
    if (block.connection) return [name, { entity: { undefined: block } }];
    if (block.group || block.user) return [name, { map: block }];
    expect(
      Object.keys(block).every((k) => ENDPOINT_KEYS.includes(k)),
      name,
    ).toBe(true);
    return [name, block];
  });
}

const root = new URL('../../../', import.meta.url);
const example = JSON.parse(readFileSync(new URL('packages/connector-generic/examples/connector-generic.json', root), 'utf8'));
const good: [string, unknown][] = [
  ['examples/connector-generic.json', example.endpoint],
  ...documented(new URL('docs/connectors/generic.md', root)),
  ...documented(new URL('packages/connector-generic/README.md', root)),
  ['an empty section (the one-to-one map, no tenant yet)', {}],
  ['the default map written out', { map: DEFAULT_MAP }],
  ['the short version forms', { scimVersion: '1', entity: { a: { scimVersion: 2 }, b: { scimVersion: '1.0' } } }],
];

const connection = { baseUrls: ['https://scim.example.com'] };
const bad: [string, unknown][] = [
  ['not an object', []],
  ['a misspelt key', { scimVerison: '2.0' }],
  ['an unknown SCIM version', { scimVersion: '3.0' }],
  ['a tenant with SCIM version 3', { entity: { undefined: { scimVersion: 3, connection } } }],
  ['a misspelt tenant key', { entity: { undefined: { conection: connection } } }],
  ['baseUrl for baseUrls', { entity: { undefined: { connection: { baseUrl: ['https://x'] } } } }],
  ['an unknown operator', { targetSupport: { operators: ['regex'] } }],
  ['a misspelt target support', { targetSupport: { operator: ['eq'] } }],
  ['sorting as text', { targetSupport: { sort: 'no' } }],
  ['a page size of 0', { pageSize: 0 }],
  ['a misspelt path', { paths: { user: '/People' } }],
  ['a map entry that is text', { map: { user: { id: 'id' } } }],
  ['a map that is a list', { map: [] }],
];

const badRules: [string, unknown, string][] = [
  [
    'an unknown mapping type',
    { map: { user: { id: { mapTo: 'id' }, userName: { mapTo: 'userName', type: 'blob' } } } },
    'map.user.userName.type',
  ],
  ['a map without the id', { map: { user: { userName: { mapTo: 'userName' } } } }, 'map.user'],
  [
    'the id from another attribute',
    { map: { group: { uuid: { mapTo: 'id' }, cn: { mapTo: 'displayName' } } } },
    'map.group.uuid',
  ],
  [
    'a dotted name mapped to an unknown sub-attribute',
    { map: { user: { id: { mapTo: 'id' }, 'meta.nick': { mapTo: 'name.nickname' } } } },
    'map.user.meta.nick.mapTo',
  ],
  [
    'bearer auth without a token',
    { entity: { undefined: { connection: { ...connection, auth: { type: 'bearer', options: {} } } } } },
    'entity.undefined.connection.auth.options.token',
  ],
];

describe('the JSON Schema of the endpoint section and the validator agree', () => {
  it('finds the example and the documented configurations', () => {
    expect(good.length).toBeGreaterThanOrEqual(9);
  });

  it.each(good)('accept %s', (_, endpoint) => {
    expect(check(endpoint), JSON.stringify(check.errors)).toBe(true);
    const r = configSchema.validate(endpoint);
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it.each(bad)('refuse %s', (_, endpoint) => {
    expect(check(endpoint)).toBe(false);
    expect(configSchema.validate(endpoint).ok).toBe(false);
  });

  it.each(badRules)('the validator alone refuses %s', (_, endpoint, path) => {
    expect(check(endpoint)).toBe(true);
    const r = configSchema.validate(endpoint);
    expect(r.ok ? [] : r.issues.map((i) => i.path.join('.'))).toEqual([path]);
  });
});

it('names typos with a did-you-mean, by path', () => {
  const r = configSchema.validate({ scimVerison: '1.1', entity: { undefined: { connection: { baseUrl: ['https://x'] } } } });
  expect(r.ok ? [] : r.issues.map((i) => `${i.path.join('.')}: ${i.message.replace(/;.*/, '')}`)).toEqual([
    'entity.undefined.connection.baseUrl: unknown key (did you mean "baseUrls"?)',
    'scimVerison: unknown key (did you mean "scimVersion"?)',
  ]);
});
