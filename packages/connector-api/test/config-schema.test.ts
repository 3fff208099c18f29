/**
 * `configSchema`, what the gateway runs on the `endpoint` section in `start` and `check-config`:
 * its JSON Schema and its validator agree on the shipped example, the configurations the docs
 * page and the README show, and a corpus of bad ones.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { checksPassThrough } from '@scimgw/core';
import { configSchema, createApiConnector } from '../src/index.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const check = ajv.compile(configSchema.jsonSchema);

/** The `endpoint` sections of a page's JSON blocks (fragments wrapped in braces). */
function documented(file: URL): [string, unknown][] {
  const page = readFileSync(file, 'utf8');
  return [...page.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => (m[1] as string).trim())
    .filter((text) => text.includes('"endpoint"'))
    .map((text, i) => [
      `${file.pathname.split('/').slice(-2).join('/')} #${i + 1}`,
      (JSON.parse(text.startsWith('{') ? text : `{${text}}`) as { endpoint: unknown }).endpoint,
    ]);
}

const root = new URL('../../../', import.meta.url);
const example = JSON.parse(readFileSync(new URL('packages/connector-api/examples/connector-api.json', root), 'utf8'));
const good: [string, unknown][] = [
  ['examples/connector-api.json', example.endpoint],
  ...documented(new URL('docs/connectors/api.md', root)),
  ...documented(new URL('packages/connector-api/README.md', root)),
  ['an empty section (the example store)', {}],
];

const bad: [string, unknown][] = [
  ['not an object', 'products'],
  ['a misspelt key', { resourcePth: '/products' }],
  ['an empty resource path', { resourcePath: '' }],
  ['public as a boolean', { public: false }],
  ['enabled as text', { public: { enabled: 'yes' } }],
  ['fields as text', { public: { fields: 'id,model' } }],
  ['a misspelt public key', { public: { field: ['id'] } }],
  ['a tenant with an unknown key', { entity: { undefined: { connection: {}, resourcePath: '/x' } } }],
  ['a connection with a misspelt key', { entity: { undefined: { connection: { baseUrl: ['https://x'] } } } }],
  ['an ftp backend', { entity: { undefined: { connection: { baseUrls: ['ftp://x'] } } } }],
];

describe('the JSON Schema of the endpoint section and the validator agree', () => {
  it('finds the example and the documented configurations', () => {
    expect(good.length).toBeGreaterThanOrEqual(4);
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

  it('the validator alone refuses what a JSON Schema cannot say: bearer auth without a token', () => {
    const endpoint = {
      entity: { undefined: { connection: { baseUrls: ['https://x'], auth: { type: 'bearer', options: {} } } } },
    };
    expect(check(endpoint)).toBe(true);
    const r = configSchema.validate(endpoint);
    expect(r.ok ? [] : r.issues.map((i) => i.path.join('.'))).toEqual(['entity.undefined.connection.auth.options.token']);
  });
});

describe('pass-through, declared per tenant', () => {
  const endpoint = {
    resourcePath: '/products',
    entity: {
      undefined: { connection: { baseUrls: ['https://backend.example'], auth: { type: 'passThrough' } } },
      partner: {
        connection: {
          baseUrls: ['https://partner.example'],
          auth: { type: 'bearer', options: { token: 'partner-token' } },
        },
      },
    },
  };
  it("checks callers' credentials only where the backend is signed in to with them, as configSchema says before it starts", async () => {
    const v = configSchema.validate(endpoint);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    expect(configSchema.passThroughAuth?.(v.value)).toBe(true);
    const connector = createApiConnector({ config: v.value });
    expect([undefined, 'partner'].map((t) => checksPassThrough(connector, t))).toEqual([true, false]);
    await connector.close?.();
    const own = configSchema.validate(example.endpoint);
    if (!own.ok) throw new Error(JSON.stringify(own.issues));
    expect(configSchema.passThroughAuth?.(own.value)).toBe(false);
    const plain = createApiConnector({ config: own.value });
    expect(checksPassThrough(plain, undefined)).toBe(false);
    await plain.close?.();
  });
});
