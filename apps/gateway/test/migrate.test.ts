import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decryptSecret, loadConfig } from '@scimgw/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import type { GatewayInstance } from '../src/instance.js';
import { parseMigrateArgs } from '../src/migrate/cli.js';
import { connectorFor } from '../src/migrate/endpoint-section.js';
import { decryptLegacy, legacyKey, legacySeed, looksLegacyEncrypted } from '../src/migrate/legacy-secrets.js';

// Values encrypted by `openssl enc -aes-128-cbc` (not by our code) in the older product's format,
// SEED "short-seed": the key is the last 16 characters of "<file name><seed>".
const here = dirname(fileURLToPath(import.meta.url));
const OLD_SEED = 'short-seed';
const LOKI_GW_PASS = 'MGYxZTJkM2M0YjVhNjk3ODg3OTZhNWI0YzNkMmUxZjA6YWNiMDlhZDQ5Yzc5NGYwZDJkY2NkMmEwZjY0NGU0NTQ='; // s3cret-gw-pass
const HR_API_KEY = 'MGYxZTJkM2M0YjVhNjk3ODg3OTZhNWI0YzNkMmUxZjA6Y2ViNGE3MWFkNTJjMjU4MTkyZDM4MmY3OWExMTkyNmU='; // hr-api-key-42
const NEW_SEED = 'a-new-seed-for-scimgw-0123456789';

/** An older install: plugin-loki (persistent, encrypted password), plugin-hr (a custom plugin). */
function olderInstall(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-older-'));
  mkdirSync(join(dir, 'config', 'certs'), { recursive: true });
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'config', 'certs', 'ca.pem'), 'not really a certificate\n');
  writeFileSync(join(dir, 'config', 'loki.db'), '{"collections":[]}');
  writeFileSync(
    join(dir, 'config', 'plugin-loki.json'),
    JSON.stringify({
      scimgateway: {
        port: 8880,
        localhostonly: false,
        chainingBaseUrl: null,
        scim: { version: '2.0', skipTypeConvert: false, usePutSoftSync: false, unknownScimKey: true },
        log: { loglevel: { file: 'debug', console: 'error' }, customMasking: null },
        auth: {
          basic: [{ username: 'gwadmin', password: LOKI_GW_PASS, readOnly: false, baseEntities: [] }],
          bearerToken: [{ token: 'clear-bearer-token-xyz', readOnly: false, baseEntities: [] }],
          bearerOAuth: [{ clientId: null, clientSecret: null, readOnly: false, baseEntities: [] }],
        },
        certificate: { key: null, cert: null, ca: null, pfx: { bundle: null, password: null } },
        ipAllowList: [],
        somethingOld: 42,
      },
      endpoint: { entity: { undefined: { dbname: 'loki.db', persistence: true } } },
    }),
  );
  writeFileSync(
    join(dir, 'config', 'plugin-hr.json'),
    JSON.stringify({
      scimgateway: {
        port: 8881,
        scim: { skipTypeConvert: true },
        auth: { basic: [{ username: 'gwadmin', password: 'plain-pw-1' }] },
      },
      endpoint: {
        entity: { undefined: { apiKey: HR_API_KEY, connection: { baseUrls: ['https://hr.example.com'] } } },
        region: 'eu',
      },
    }),
  );
  writeFileSync(
    join(dir, 'lib', 'plugin-hr.ts'),
    "import { ScimGateway } from 'scimgateway'\nconst g = new ScimGateway()\ng.getUsers = async () => []\n",
  );
  return dir;
}

/** Every file under `dir` with its content hash: to prove a dry run changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

async function migrate(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: unknown; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { SEED: process.env.SEED, SCIMGATEWAY_SEED: process.env.SCIMGATEWAY_SEED };
  process.env.SEED = env.SEED;
  if (env.SCIMGATEWAY_SEED) process.env.SCIMGATEWAY_SEED = env.SCIMGATEWAY_SEED;
  else delete process.env.SCIMGATEWAY_SEED;
  try {
    const code = await runCli(['migrate', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('the older product’s encryption', () => {
  it('decrypts values openssl encrypted in its format with the key from file name + seed', () => {
    expect(decryptLegacy(LOKI_GW_PASS, legacyKey('plugin-loki.json', OLD_SEED))).toBe('s3cret-gw-pass');
    expect(decryptLegacy(HR_API_KEY, legacyKey('plugin-hr.json', OLD_SEED))).toBe('hr-api-key-42');
    // The file name is part of the key when the seed is shorter than 16 characters.
    expect(decryptLegacy(HR_API_KEY, legacyKey('plugin-loki.json', OLD_SEED))).toBeUndefined();
  });

  it('takes the older seed from SCIMGATEWAY_SEED, then SEED, then the machine id', () => {
    expect(legacySeed({ SCIMGATEWAY_SEED: 'a', SEED: 'b' })).toEqual({ seed: 'a', source: 'SCIMGATEWAY_SEED' });
    expect(legacySeed({ SEED: 'b' })).toEqual({ seed: 'b', source: 'SEED' });
    expect(legacySeed({}, () => 'm-id')).toEqual({ seed: 'm-id', source: 'machine-id' });
    expect(legacySeed({}, () => undefined)).toEqual({ seed: undefined, source: 'none' });
  });

  it('any string: recognised or not, decrypted or not, never a throw', () => {
    const key = legacyKey('plugin-x.json', 'seed');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String({ minLength: 88, maxLength: 200 })), (s) => {
        const looks = looksLegacyEncrypted(s);
        const clear = decryptLegacy(s, key);
        expect(typeof looks).toBe('boolean');
        expect(clear === undefined || typeof clear === 'string').toBe(true);
      }),
    );
  });
});

describe('scimgw migrate', () => {
  it('a dry run reports every key and changes nothing, in either folder', async () => {
    const from = olderInstall();
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    const before = [snapshot(from), snapshot(to)];
    const r = await migrate([from, '--out', to, '--dry-run'], { SEED: NEW_SEED, SCIMGATEWAY_SEED: OLD_SEED });
    expect(r.code).toBe(0);
    expect([snapshot(from), snapshot(to)]).toEqual(before);
    expect(r.out).toMatch(/dry run: nothing written/);
    expect(r.out).toMatch(/secret {3}scimgateway\.auth\.basic\[0\]\.password: decrypted/);
    expect(r.out).toMatch(/UNMAPPED scimgateway\.somethingOld: scimgw has no such setting/);
    expect(r.out).toMatch(/UNMAPPED scimgateway\.scim\.unknownScimKey/);
    expect(r.out).toMatch(/mapped {3}scimgateway\.port/);
    expect(r.out).toMatch(/connector: @scimgw\/connector-legacy-plugin/);
    for (const secret of ['s3cret-gw-pass', 'hr-api-key-42', 'clear-bearer-token-xyz', 'plain-pw-1'])
      expect(r.out).not.toContain(secret);
  });

  it('writes configurations with every secret encrypted in scimgw’s scheme, and a report file', async () => {
    const from = olderInstall();
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    const r = await migrate([from, '--out', to], { SEED: NEW_SEED, SCIMGATEWAY_SEED: OLD_SEED });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const loki = JSON.parse(readFileSync(join(to, 'config', 'connector-loki.json'), 'utf8'));
    expect(loki.connector).toBe('@scimgw/connector-loki');
    const pass = loki.scimgateway.auth.basic[0].password;
    expect(pass).toMatch(/^enc:v1:/);
    expect(decryptSecret(pass, NEW_SEED)).toBe('s3cret-gw-pass');
    expect(decryptSecret(loki.scimgateway.auth.bearerToken[0].token, NEW_SEED)).toBe('clear-bearer-token-xyz');
    expect(loki.scimgateway.somethingOld).toBeUndefined();
    expect(loki.scimgateway.auth.bearerOAuth).toBeUndefined();
    const hr = JSON.parse(readFileSync(join(to, 'config', 'connector-hr.json'), 'utf8'));
    expect(hr.connector).toBe('@scimgw/connector-legacy-plugin');
    expect(hr.endpoint.legacyPlugin).toEqual({ file: 'lib/plugin-hr.ts', skipTypeConvert: true });
    expect(hr.endpoint.region).toBe('eu');
    expect(decryptSecret(hr.endpoint.entity.undefined.apiKey, NEW_SEED)).toBe('hr-api-key-42');
    expect(readFileSync(join(to, 'lib', 'plugin-hr.ts'), 'utf8')).toContain('getUsers');
    expect(readFileSync(join(to, 'config', 'certs', 'ca.pem'), 'utf8')).toContain('certificate');
    const written = Object.keys(snapshot(to))
      .map((f) => readFileSync(join(to, f), 'utf8'))
      .join('\n');
    for (const secret of ['s3cret-gw-pass', 'hr-api-key-42', 'clear-bearer-token-xyz', 'plain-pw-1'])
      expect(written).not.toContain(secret);
    expect(readFileSync(join(to, 'migration-report.txt'), 'utf8')).toContain('UNMAPPED scimgateway.somethingOld');
    expect(loki.endpoint).toEqual({
      persistence: true,
      exampleData: false,
      idStrategy: 'legacy',
      entity: { undefined: { importLokiFile: 'data/import/undefined-loki.db' } },
    });
    expect(readFileSync(join(to, 'data', 'import', 'undefined-loki.db'), 'utf8')).toBe('{"collections":[]}');
    // The whole file passes every check start runs, the embedded store's endpoint section included.
    const saved = process.env.SEED;
    process.env.SEED = NEW_SEED;
    try {
      const out: string[] = [];
      const code = await runCli(['check-config', '--config', join(to, 'config', 'connector-loki.json')], {
        out: (s) => out.push(s),
        err: (s) => out.push(s),
        cwd: to,
      });
      expect(out.join('\n')).toMatch(/OK \(connector @scimgw\/connector-loki, port 8880\)/);
      expect(code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.SEED;
      else process.env.SEED = saved;
    }
    // The scimgateway section and secrets load as scimgw loads them.
    const loaded = loadConfig(join(to, 'config', 'connector-hr.json'), { env: { SEED: NEW_SEED }, encryptInPlace: false });
    expect(loaded.gateway.auth.basic?.[0]?.password).toBe('plain-pw-1');
    expect(loaded.gateway.port).toBe(8881);
  });

  it('a migrated custom plugin starts through the real CLI and serves its users', async () => {
    const from = olderInstall();
    writeFileSync(
      join(from, 'lib', 'plugin-hr.ts'),
      [
        "import { ScimGateway } from 'scimgateway'",
        'const g = new ScimGateway()',
        'const config = g.getConfig()',
        "g.getUsers = async (baseEntity: string, getObj: any) => ({ Resources: [{ id: 'u1', userName: `eu-${config.region}-${config.entity[baseEntity].apiKey}` }] })",
        '',
      ].join('\n'),
    );
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    expect((await migrate([from, '--out', to], { SEED: NEW_SEED, SCIMGATEWAY_SEED: OLD_SEED })).code).toBe(0);
    // "npm install @scimgw/connector-legacy-plugin" in the new folder: the workspace package stands in.
    mkdirSync(join(to, 'node_modules', '@scimgw'), { recursive: true });
    symlinkSync(
      join(here, '..', '..', '..', 'packages', 'connector-legacy-plugin'),
      join(to, 'node_modules', '@scimgw', 'connector-legacy-plugin'),
    );
    const saved = process.env.SEED;
    process.env.SEED = NEW_SEED;
    let started: GatewayInstance[] = [];
    try {
      const res = await runCli(['start', '--config', join(to, 'config', 'connector-hr.json'), '--port', '0'], {
        out: () => {},
        err: () => {},
        cwd: to,
      });
      expect(Array.isArray(res)).toBe(true);
      started = res as GatewayInstance[];
      const r = await fetch(`${started[0]?.url}/Users/u1`, {
        headers: { authorization: `Basic ${Buffer.from('gwadmin:plain-pw-1').toString('base64')}` },
      });
      expect(r.status).toBe(200);
      // The plugin read its configuration, the re-encrypted apiKey decrypted for it.
      expect(((await r.json()) as { userName: string }).userName).toBe('eu-eu-hr-api-key-42');
    } finally {
      for (const g of started) await g.close(1000);
      if (saved === undefined) delete process.env.SEED;
      else process.env.SEED = saved;
    }
  });

  it('a secret encrypted with another seed becomes a TO DO, never a wrong value', async () => {
    const from = olderInstall();
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    const r = await migrate([from, '--out', to], { SEED: NEW_SEED, SCIMGATEWAY_SEED: 'not-the-seed' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/TO DO +scimgateway\.auth\.basic\[0\]\.password: encrypted by the older product with another seed/);
    const loki = JSON.parse(readFileSync(join(to, 'config', 'connector-loki.json'), 'utf8'));
    expect(loki.scimgateway.auth.basic[0].password).toBeUndefined();
    expect(loki.scimgateway.auth.basic[0].username).toBe('gwadmin');
    expect(r.out).toMatch(/item\(s\) marked TO DO/);
  });

  it('keeps references (process.env.X) as they are, moves bearerJwtAzure, and advises on the older emailOnError', async () => {
    const from = mkdtempSync(join(tmpdir(), 'scimgw-older-refs-'));
    mkdirSync(join(from, 'config'));
    mkdirSync(join(from, 'lib'));
    const tenant = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    writeFileSync(
      join(from, 'config', 'plugin-loki.json'),
      JSON.stringify({
        scimgateway: {
          port: 'process.env.PORT',
          localhostonly: 'process.env.LOCALONLY',
          scim: { version: 'process.env.SCIM_VERSION' },
          ipAllowList: ['127.0.0.1/32'],
          auth: {
            basic: [
              { username: 'process.env.GW_USER', password: 'process.env.GW_PASS', readOnly: 'process.env.RO' },
              { username: 'disabled-user', password: null },
            ],
            bearerJwtAzure: [{ tenantIdGUID: tenant, readOnly: false, baseEntities: [] }],
          },
          emailOnError: { smtp: { enabled: true, host: 'smtp.example.com', to: 'ops@example.com' } },
        },
        endpoint: { entity: { undefined: { persistence: false } } },
      }),
    );
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-refs-'));
    const r = await migrate([from, '--out', to], { SEED: NEW_SEED });
    expect(r.code).toBe(0);
    const file = join(to, 'config', 'connector-loki.json');
    const gw = JSON.parse(readFileSync(file, 'utf8')).scimgateway;
    expect(gw).toMatchObject({
      port: 'process.env.PORT',
      localhostonly: 'process.env.LOCALONLY',
      scim: { version: 'process.env.SCIM_VERSION' },
      ipAllowList: ['127.0.0.1/32'],
      auth: {
        basic: [{ username: 'process.env.GW_USER', password: 'process.env.GW_PASS', readOnly: 'process.env.RO' }],
        bearerJwt: [{ azureTenantId: tenant, readOnly: false }],
      },
    });
    expect(gw.auth.bearerJwtAzure).toBeUndefined();
    expect(r.out).toMatch(/scimgateway\.auth\.readOnly|scimgateway\.auth\.basic\[0\]\.readOnly.*a reference: kept/);
    expect(r.out).toMatch(/scimgateway\.auth\.bearerJwtAzure\[0\].*bearerJwt\[0\]/);
    expect(r.out).toMatch(/scimgateway\.emailOnError.*write scimgateway\.email/);
    // A user the older product had disabled (password null) is left out, and said so.
    expect(gw.auth.basic).toHaveLength(1);
    expect(r.out).toMatch(/scimgateway\.auth\.basic\[1\].*"disabled-user" has no password/);
    // The references are read at start: a read-only credential stays read-only.
    const env = {
      SEED: NEW_SEED,
      PORT: '8899',
      LOCALONLY: 'true',
      SCIM_VERSION: '1.1',
      GW_USER: 'gw',
      GW_PASS: '0042',
      RO: 'true',
    };
    const cfg = loadConfig(file, { env, encryptInPlace: false });
    expect(cfg.gateway.port).toBe(8899);
    expect(cfg.gateway.scim.version).toBe('1.1');
    expect(cfg.gateway.auth.basic?.[0]).toMatchObject({ username: 'gw', password: '0042', readOnly: true });
    expect(cfg.gateway.auth.bearerJwt?.[0]?.azureTenantId).toBe(tenant);
  });

  it('says so when a tenant kept in memory becomes persistent beside one that was', async () => {
    const from = mkdtempSync(join(tmpdir(), 'scimgw-older-mixed-'));
    mkdirSync(join(from, 'config'));
    writeFileSync(join(from, 'config', 'b.db'), '{"collections":[]}');
    writeFileSync(
      join(from, 'config', 'plugin-loki.json'),
      JSON.stringify({
        scimgateway: { port: 8890, auth: { basic: [{ username: 'gwadmin', password: 'pw-1' }] } },
        endpoint: { entity: { undefined: { persistence: false }, 'client-b': { dbname: 'b.db', persistence: true } } },
      }),
    );
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-mixed-'));
    const r = await migrate([from, '--out', to], { SEED: NEW_SEED });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/TO DO +endpoint\.entity\.undefined\.persistence: this tenant kept nothing on disk/);
    expect(JSON.parse(readFileSync(join(to, 'config', 'connector-loki.json'), 'utf8')).endpoint.persistence).toBe(true);
  });

  it('refuses to overwrite without --force, and to write into the older install', async () => {
    const from = olderInstall();
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    expect((await migrate([from, '--out', to], { SEED: NEW_SEED })).code).toBe(0);
    const again = await migrate([from, '--out', to], { SEED: NEW_SEED });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/exist already \(--force overwrites them\)/);
    expect((await migrate([from, '--out', to, '--force'], { SEED: NEW_SEED })).code).toBe(0);
    const self = await migrate([from, '--out', from], { SEED: NEW_SEED });
    expect(self.code).toBe(1);
    expect(self.err).toMatch(/another folder/);
  });

  it('says what is wrong with a folder that is not an older install, or a broken file', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'scimgw-empty-'));
    const r = await migrate([empty], { SEED: NEW_SEED });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/has no config\/plugin-\*\.json/);
    mkdirSync(join(empty, 'config'));
    writeFileSync(join(empty, 'config', 'plugin-x.json'), '{ "scimgateway": ');
    const broken = await migrate([empty, '--out', mkdtempSync(join(tmpdir(), 'scimgw-new-'))], { SEED: NEW_SEED });
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/plugin-x\.json:1:\d+/);
  });

  it('--legacy runs the older plugin file even where scimgw has a connector', async () => {
    const from = olderInstall();
    writeFileSync(join(from, 'lib', 'plugin-loki.ts'), '// the older plugin-loki, changed by its owner\n');
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    const r = await migrate([from, '--out', to, '--legacy', 'loki', '--dry-run'], { SEED: NEW_SEED });
    expect(r.out).toMatch(/plugin-loki\.json → .*connector-loki\.json[^\n]*\n {2}connector: @scimgw\/connector-legacy-plugin/);
  });

  it("moves the older MongoDB plugin's servers and databases where the data is, and says what to do first", async () => {
    const from = mkdtempSync(join(tmpdir(), 'scimgw-older-'));
    mkdirSync(join(from, 'config'));
    writeFileSync(
      join(from, 'config', 'plugin-mongodb.json'),
      JSON.stringify({
        scimgateway: { port: 8881, auth: { basic: [{ username: 'gwadmin', password: 'plain-pw' }] } },
        endpoint: {
          entity: {
            undefined: { baseUrl: 'mongodb://db1:27017', username: 'scim', password: 'mongo-pw' },
            acme: { database: 'acme_db' },
            globex: { baseUrl: 'mongodb://db9:27017', username: 'globex', password: 'globex-pw', flavour: 'x' },
            initech: { baseUrl: 'mongodb://db1:27017', username: 'scim', password: 'mongo-pw' },
          },
        },
      }),
    );
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    const r = await migrate([from, '--out', to], { SEED: NEW_SEED });
    expect(r.code, r.err).toBe(0);
    const ep = JSON.parse(readFileSync(join(to, 'config', 'connector-mongodb.json'), 'utf8')).endpoint;
    expect(ep.connection.url).toBe('mongodb://db1:27017');
    expect(ep.connection.username).toBe('scim');
    expect(typeof ep.connection.password).toBe('string'); // encrypted in scimgw's scheme
    expect(ep.database).toBe('scim');
    // Every tenant stays in the database its data is in; only a tenant on another server gets a connection.
    expect(ep.entity.acme).toEqual({ database: 'acme_db' });
    expect(ep.entity.initech).toEqual({ database: 'scim' });
    expect(ep.entity.globex.database).toBe('scim');
    expect(ep.entity.globex.connection.url).toBe('mongodb://db9:27017');
    expect(r.out).toMatch(/endpoint\.entity\.globex\.flavour[^\n]*no such tenant setting/);
    expect(r.out).toMatch(/drop the older unique index id_1/);
    // The migrated section passes the connector's own checks.
    expect(r.out).not.toMatch(/endpoint\.[^\n]*(unknown key|is required)/);
  });

  it('carries pass-through over where a connector checks it, and turns it off where nothing would', async () => {
    const from = mkdtempSync(join(tmpdir(), 'scimgw-older-'));
    mkdirSync(join(from, 'config'));
    const gateway = (port: number) => ({
      port,
      auth: {
        basic: [{ username: 'gwadmin', password: 'plain-pw' }],
        passThrough: { enabled: true, readOnly: false, baseEntities: [] },
      },
    });
    const older: Record<string, unknown> = {
      'plugin-mongodb': { scimgateway: gateway(8881), endpoint: { connection: { url: 'mongodb://db1/' } } },
      'plugin-loki': { scimgateway: gateway(8882), endpoint: { entity: { undefined: { persistence: false } } } },
      'plugin-scim': {
        scimgateway: gateway(8883),
        endpoint: {
          entity: {
            undefined: { connection: { baseUrls: ['https://target.example'], auth: { type: 'passThrough' } } },
            hr: {
              connection: {
                baseUrls: ['https://hr.example'],
                auth: { type: 'basic', options: { username: 'svc', password: 'p' } },
              },
            },
          },
        },
      },
      'plugin-soap': {
        scimgateway: gateway(8884),
        endpoint: {
          entity: {
            undefined: {
              connection: {
                baseUrls: ['https://soap.example'],
                auth: { type: 'basic', options: { username: 'u', password: 'p' } },
              },
            },
          },
        },
      },
    };
    for (const [name, body] of Object.entries(older)) writeFileSync(join(from, 'config', `${name}.json`), JSON.stringify(body));
    const to = mkdtempSync(join(tmpdir(), 'scimgw-new-'));
    const r = await migrate([from, '--out', to], { SEED: NEW_SEED });
    const written = (name: string) => JSON.parse(readFileSync(join(to, 'config', `${name}.json`), 'utf8'));
    const enabled = (name: string) => written(name).scimgateway.auth.passThrough.enabled;
    // MongoDB: the caller's credentials open MongoDB, as the older plugin did.
    expect(enabled('connector-mongodb')).toBe(true);
    expect(written('connector-mongodb').endpoint.passThrough).toEqual({ enabled: true });
    // The generic connector forwards them on a connection that says so, and only there.
    expect(enabled('connector-scim')).toBe(true);
    expect(r.out).toMatch(
      /kept: the default tenant forwards the caller's credentials \(auth\.type passThrough\); on "hr" \(signed in with the connection's own credentials\) a credential the gateway does not know now gets 401/,
    );
    // The embedded store checks nothing; the SOAP endpoint forwards nothing: turned off, and said so.
    expect(enabled('connector-loki')).toBe(false);
    expect(enabled('connector-soap')).toBe(false);
    expect(r.out).toMatch(
      /scimgateway\.auth\.passThrough\.enabled[^\n]*turned off: @scimgw\/connector-loki does not check passed-through credentials/,
    );
    expect(r.out).toMatch(/turned off: no connection of this endpoint has auth\.type passThrough/);
  });

  it('warns that GUIDs mapped to SCIM attributes change form (base64 → dashed)', async () => {
    const from = mkdtempSync(join(tmpdir(), 'scimgw-older-'));
    mkdirSync(join(from, 'config'));
    writeFileSync(
      join(from, 'config', 'plugin-ldap.json'),
      JSON.stringify({
        scimgateway: { port: 8883 },
        endpoint: { map: { user: { dn: { mapTo: 'id' }, objectGUID: { mapTo: 'externalId', type: 'string' } } } },
      }),
    );
    const r = await migrate([from, '--dry-run'], { SEED: NEW_SEED });
    expect(r.out).toMatch(/TO DO +endpoint\.map\.user\.objectGUID: externalId now carries the dashed GUID/);
  });

  it('parses its arguments', () => {
    expect(parseMigrateArgs(['old', '--dry-run', '--legacy', 'a,b', '--legacy', 'c'])).toEqual({
      from: 'old',
      dryRun: true,
      legacy: ['a', 'b', 'c'],
      force: false,
    });
    expect(() => parseMigrateArgs([])).toThrow(/needs the folder/);
    expect(() => parseMigrateArgs(['a', '--bogus'])).toThrow(/unknown argument/);
  });
});

describe('the connector for an older plugin name', () => {
  it('renamed and same-name plugins get their connector; names Object.prototype has get none', () => {
    expect(connectorFor('plugin-loki', false)).toBe('@scimgw/connector-loki');
    expect(connectorFor('plugin-loki', true)).toBeUndefined();
    for (const name of [...Object.getOwnPropertyNames(Object.prototype), 'prototype']) {
      expect(connectorFor(`plugin-${name}`, false)).toBeUndefined();
    }
  });
});
