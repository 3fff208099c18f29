/**
 * The published JSON Schema of a configuration file and the validator `start` and `check-config`
 * run agree: on every shipped example configuration, and on a corpus of bad ones. An editor that
 * checks a file against the schema flags exactly what the gateway would refuse.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema as lokiSchema } from '@scimgw/connector-loki';
import { configFileJsonSchema, ConfigErrors } from '@scimgw/server';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareConfig } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'config-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const checkFile = ajv.compile(configFileJsonSchema(lokiSchema.jsonSchema));

let n = 0;
/** What the gateway says about a configuration: true when start would accept it. */
async function gatewayAccepts(config: unknown): Promise<boolean> {
  const file = join(dir, `connector-loki-${++n}.json`);
  writeFileSync(file, JSON.stringify(config));
  try {
    await prepareConfig(file, { encryptInPlace: false, env: { SEED: 'schema-test', PORT: '8880' } });
    return true;
  } catch (e) {
    if (e instanceof ConfigErrors) return false;
    throw e;
  }
}

const examplesDir = new URL('../examples/', import.meta.url);
const examples = readdirSync(examplesDir)
  .filter((f) => f.startsWith('connector-loki') && f.endsWith('.json') && !f.endsWith('.schema.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, examplesDir), 'utf8')) as Record<string, unknown>] as const);

const good = { scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } }, endpoint: { persistence: false } };
const withGateway = (patch: Record<string, unknown>) => ({ ...good, scimgateway: { ...good.scimgateway, ...patch } });

const corpus: [string, unknown][] = [
  ['an unknown top-level key', { ...good, extra: 1 }],
  ['a misspelt gateway key', withGateway({ Port: 1 })],
  ['a port that is text', withGateway({ port: 'eighty' })],
  ['a port out of range', withGateway({ port: 70000 })],
  ['an unknown SCIM version', withGateway({ scim: { version: '3.0' } })],
  ['a boolean as text', withGateway({ localhostonly: 'yes' })],
  ['an unknown log level', withGateway({ log: { loglevel: { console: 'verbose' } } })],
  ['an unknown auth method', withGateway({ auth: { digest: [] } })],
  ['a basic entry with an unknown key', withGateway({ auth: { basic: [{ username: 'a', password: 'b', role: 'x' }] } })],
  [
    'JWT options with an unknown check',
    withGateway({ auth: { bearerJwt: [{ secret: 's'.repeat(32), options: { ignoreExpiration: true } }] } }),
  ],
  ['rate limit as a number', withGateway({ rateLimit: 5 })],
  ['an e-mail transport of an unknown type', withGateway({ email: { auth: { type: 'pigeon', options: {} } } })],
  ['SMTP options without a host', withGateway({ email: { auth: { type: 'smtp', options: { port: 25 } } } })],
  ['group PATCH status 201', withGateway({ scim: { groupPatchStatus: 201 } })],
  ['bulk with negative operations', withGateway({ bulk: { maxOperations: -1 } })],
  ['persistence as text', { ...good, endpoint: { persistence: 'yes' } }],
  ['a directory that is a number', { ...good, endpoint: { directory: 42 } }],
  ['a misspelt endpoint key', { ...good, endpoint: { exampleDta: false } }],
  ['a negative preallocation', { ...good, endpoint: { preallocateMiB: -2 } }],
  ['no scimgateway section', { endpoint: {} }],
];

describe('the JSON Schema of a configuration file and the validator agree', () => {
  it('finds the shipped examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('accept the shipped example %s', async (_, example) => {
    expect(checkFile(example)).toBe(true);
    expect(await gatewayAccepts({ ...example, endpoint: { ...(example.endpoint as object), persistence: false } })).toBe(true);
  });

  it('accept references and encrypted secrets where a value stands', async () => {
    const refs = withGateway({ port: 'process.env.PORT', localhostonly: 'process.env.PORT_LOCAL_ONLY' });
    expect(checkFile(refs)).toBe(true);
    // The loader resolves them first: an unset variable is the error, not the type.
    expect(await gatewayAccepts(withGateway({ port: 'process.env.PORT' }))).toBe(true);
  });

  it.each(corpus)('refuse %s', async (_, config) => {
    expect(checkFile(config)).toBe(false);
    expect(await gatewayAccepts(config)).toBe(false);
  });

  it('accept a minimal file, and the file npm start writes names its schema', async () => {
    expect(checkFile(good)).toBe(true);
    expect(await gatewayAccepts(good)).toBe(true);
    expect(examples.find(([f]) => f === 'connector-loki.json')?.[1].$schema).toBe('./connector-loki.schema.json');
    const shipped = JSON.parse(readFileSync(new URL('connector-loki.schema.json', examplesDir), 'utf8'));
    expect(shipped).toEqual(
      JSON.parse(JSON.stringify(configFileJsonSchema(lokiSchema.jsonSchema, 'scimgw configuration: connector-loki'))),
    );
  });
});

describe('environment values in the connector section', () => {
  it("a field of the connector's that wants text gets the variable as set; one that wants a boolean, the boolean", async () => {
    const file = join(dir, 'connector-loki-99.json');
    writeFileSync(
      file,
      JSON.stringify({ ...good, endpoint: { persistence: false, directory: 'process.env.DIR', fsync: 'process.env.SYNC' } }),
    );
    const prepared = await prepareConfig(file, {
      encryptInPlace: false,
      env: { SEED: 'schema-test', DIR: '0042', SYNC: 'false' },
    });
    expect(prepared.endpoint).toMatchObject({ directory: '0042', fsync: false });
  });
});
