import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigErrors,
  connectorFromName,
  decryptSecret,
  encryptSecret,
  isEncrypted,
  loadConfig,
  parseSize,
} from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'scimgw-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function write(cfg: unknown, name = 'connector-loki'): string {
  const dir = join(root, `c${++n}`, 'config');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, typeof cfg === 'string' ? cfg : JSON.stringify(cfg, null, 2));
  return file;
}

const minimal = { scimgateway: { port: 8880, auth: { basic: [{ username: 'gwadmin', password: 'password' }] } } };

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors.map((x) => `${x.path}: ${x.problem}`);
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('loads the seed shape with defaults, connector from the file name', () => {
    const c = loadConfig(write(minimal), { env: { SEED: 's' } });
    expect(c.connector).toBe('@scimgw/connector-loki');
    expect(c.gateway.idleTimeout).toBe(120);
    expect(c.gateway.scim.version).toBe('2.0');
    expect(c.gateway.log.loglevel).toEqual({ file: 'off', console: 'off', push: 'info' });
    expect(c.baseDir).toBe(join(root, `c${n}`));
    expect(c.certsDir).toBe(join(root, `c${n}`, 'config', 'certs'));
    expect(c.gateway.auth.basic?.[0]?.password).toBe('password');
  });

  it('maps the older product plugin names to connector packages', () => {
    expect(connectorFromName('plugin-ldap')).toBe('@scimgw/connector-ldap');
    expect(connectorFromName('connector-entra-id')).toBe('@scimgw/connector-entra-id');
    expect(connectorFromName('whatever')).toBeUndefined();
  });

  it('names the JSON path of every problem', () => {
    const errs = errorsOf(() =>
      loadConfig(
        write({
          scimgateway: {
            prot: 1,
            scim: { version: '3.0', skipMetaLocation: 'yes' },
            log: { loglevel: { file: 'verbose' } },
            auth: { basic: [{ username: 1 }] },
          },
        }),
        { env: {} },
      ),
    );
    expect(errs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^scimgateway\.prot: unknown key \(did you mean "port"\?\); known keys: port, localhostonly/),
        'scimgateway.scim.version: must be one of "1.1", "2.0", got the string "3.0"',
        'scimgateway.scim.skipMetaLocation: expected boolean, got the string "yes"',
        expect.stringMatching(
          /^scimgateway\.log\.loglevel\.file: must be one of "off", "debug", "info", "warn", "error", got the string "verbose"/,
        ),
        'scimgateway.auth.basic[0].username: expected string, got number 1',
        'scimgateway.port: is required (number)',
      ]),
    );
  });

  it('suggests the right spelling for a mis-cased key', () => {
    expect(errorsOf(() => loadConfig(write({ scimgateway: { Port: 1 } }), { env: {} }))).toContainEqual(
      expect.stringMatching(/^scimgateway\.Port: unknown key \(did you mean "port"\?\)/),
    );
  });

  it('reports invalid JSON and a missing file', () => {
    // file:line:column, the offending line and a caret; no stray ": :" and no bare offset.
    const bad = write('{\n  "scimgateway": {\n    "port": 8880,\n  }\n}\n');
    const message = (() => {
      try {
        loadConfig(bad, { env: {} });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message).toContain(`${bad}:4:3: not valid JSON: `);
    expect(message).toContain('4 |   }');
    expect(message).not.toMatch(/: :|position/);
    expect(() => loadConfig(write('{ nope'))).toThrow(/:1:3: not valid JSON/);
    expect(() => loadConfig(join(root, 'missing.json'))).toThrow(/cannot read file: ENOENT/);
    expect(() => loadConfig(write([1, 2]))).toThrow(/JSON object/);
  });

  it('requires a connector when the file name names none', () => {
    expect(errorsOf(() => loadConfig(write(minimal, 'mygateway'), { env: {} }))[0]).toMatch(/^connector: not set/);
    expect(loadConfig(write({ ...minimal, connector: '@acme/x' }, 'mygateway'), { env: {} }).connector).toBe('@acme/x');
  });

  it('a gateway that only publishes to the SCIM Stream needs no connector; its tenants are the publisher’s', () => {
    const stream = {
      baseUrls: ['nats://127.0.0.1:4222'],
      publisher: {
        enabled: true,
        entity: {
          undefined: { nats: { tenant: 'T', subject: 'GW.A' } },
          clientA: { nats: { tenant: 'T', subject: 'GW.B', password: 'x', user: 'u' } },
        },
      },
    };
    const c = loadConfig(write({ scimgateway: { ...minimal.scimgateway, stream } }, 'publisher'), { env: { SEED: 's' } });
    expect(c.connector).toBeNull();
    expect(c.tenants).toEqual(['clientA']);
    expect(c.gateway.stream?.publisher?.timeout).toBe(5000);
    expect(c.gateway.stream?.subscriber).toBeUndefined();
    // The NATS password is a secret like any other: encrypted in place.
    expect(readFileSync(c.file, 'utf8')).not.toContain('"password": "x"');
    expect(c.gateway.stream?.publisher?.entity?.clientA?.nats.password).toBe('x');
  });

  it('refuses the stream on a gateway that only chains, and checks the stream section', () => {
    const chained = { ...minimal.scimgateway, chainingBaseUrl: 'http://next:8880' };
    const stream = {
      baseUrls: ['nats://x'],
      subscriber: { enabled: true, entity: { undefined: { nats: { tenant: 'T', subject: 'GW' } } } },
    };
    expect(errorsOf(() => loadConfig(write({ scimgateway: { ...chained, stream } }, 'chain'), { env: {} }))[0]).toMatch(
      /^scimgateway.stream: a gateway with chainingBaseUrl/,
    );
    const bad = { subscriber: { enabled: true, entity: { undefined: { nats: { subject: 'GW.>' } } } } };
    expect(errorsOf(() => loadConfig(write({ scimgateway: { ...minimal.scimgateway, stream: bad } }), { env: {} }))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^scimgateway.stream.subscriber.entity.undefined.nats.subject: /),
        'scimgateway.stream.baseUrls: is required when subscriber.enabled is true',
      ]),
    );
  });

  it('resolves process.env, process.text and process.file references', () => {
    const dir = join(root, 'secrets');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'jwt.secret'), 'thisIsSecret\n');
    writeFileSync(join(dir, 'vault.json'), JSON.stringify({ 'connector-loki.scimgateway.auth.basic[0].password': 'from-file' }));
    const c = loadConfig(
      write({
        scimgateway: {
          port: 'process.env.PORT',
          localhostonly: 'process.env.LOCAL',
          auth: {
            basic: [{ username: 'process.env.GW_USER', password: `process.file.${join(dir, 'vault.json')}` }],
            bearerJwt: [{ secret: `process.text.${join(dir, 'jwt.secret')}` }],
          },
        },
      }),
      { env: { PORT: '9999', LOCAL: 'true', GW_USER: 'alice' } },
    );
    expect(c.gateway.port).toBe(9999);
    expect(c.gateway.localhostonly).toBe(true);
    expect(c.gateway.auth.basic?.[0]).toMatchObject({ username: 'alice', password: 'from-file' });
    expect(c.gateway.auth.bearerJwt?.[0]?.secret).toBe('thisIsSecret');
  });

  it('gives a field that wants text the environment variable as set, digits and all; numbers stay numbers', () => {
    const c = loadConfig(
      write({
        endpoint: { directory: 'process.env.DIR', fsync: 'process.env.SYNC' },
        scimgateway: {
          port: 'process.env.PORT',
          scim: { version: 'process.env.SCIM_VERSION' },
          auth: {
            basic: [{ username: 'process.env.GW_USER', password: 'process.env.NUM_PW' }],
            bearerToken: [{ token: 'process.env.TOK' }],
          },
        },
      }),
      {
        env: {
          PORT: '9998',
          GW_USER: '1e3',
          NUM_PW: '0098765432123',
          TOK: 'true',
          DIR: '2024',
          SYNC: 'false',
          SCIM_VERSION: '1.1',
        },
      },
    );
    expect(c.gateway.port).toBe(9998);
    // One of some texts (an enum): "1.1", not the number 1.1.
    expect(c.gateway.scim.version).toBe('1.1');
    expect(c.gateway.auth.basic?.[0]).toMatchObject({ username: '1e3', password: '0098765432123' });
    expect(c.gateway.auth.bearerToken?.map((t) => t.token)).toEqual(['true']);
    // The connector's section is checked by the connector's schema (prepare); what the file loader
    // read is handed on with the text of each converted value.
    expect(c.endpoint).toEqual({ directory: 2024, fsync: false });
    expect(c.envText?.get('endpoint.directory')).toBe('2024');
    // A field that wants a number does not get text.
    expect(() => loadConfig(write({ scimgateway: { port: 'process.env.PORT' } }), { env: { PORT: 'abc' } })).toThrow(
      /scimgateway\.port/,
    );
  });

  it('names the path of an unresolvable reference', () => {
    expect(() => loadConfig(write({ scimgateway: { port: 'process.env.NOPE_PORT' } }), { env: {} })).toThrow(
      /scimgateway\.port: environment variable NOPE_PORT is not set/,
    );
    expect(() =>
      loadConfig(write({ scimgateway: { port: 1, auth: { bearerJwt: [{ secret: 'process.text./nonexistent/x' }] } } }), {
        env: {},
      }),
    ).toThrow(/scimgateway\.auth\.bearerJwt\[0\]\.secret: cannot read \/nonexistent\/x/);
  });

  it('encrypts clear-text secrets in place and reads them back with the same SEED only', () => {
    const file = write({
      scimgateway: { port: 1, auth: { basic: [{ username: 'gwadmin', password: 'p@ss' }], bearerToken: [{ token: 'tok-123' }] } },
      endpoint: { entity: { undefined: { connection: { auth: { options: { clientSecret: 'cs-999' } } } }, acme: {} } },
    });
    const c = loadConfig(file, { env: { SEED: 'seed-1' } });
    expect(c.gateway.auth.basic?.[0]?.password).toBe('p@ss');
    expect(c.tenants).toEqual(['acme']);
    const text = readFileSync(file, 'utf8');
    for (const secret of ['p@ss', 'tok-123', 'cs-999']) expect(text).not.toContain(secret);
    expect(text).toContain('"username": "gwadmin"');
    // Copied to a machine with the same SEED: still readable. With another SEED: a clear error.
    expect(loadConfig(file, { env: { SEED: 'seed-1' } }).gateway.auth.bearerToken?.[0]?.token).toBe('tok-123');
    expect(() => loadConfig(file, { env: { SEED: 'other' } })).toThrow(/different SEED/);
  });

  it("encrypts in place keeping the user's formatting: only the secret values change", () => {
    const file = write({});
    const text =
      '{\n  "scimgateway": {\n    "port": 1,\n    "auth": { "basic": [ { "username": "gwadmin", "password": "p@ss" } ] }\n  }\n}\n';
    writeFileSync(file, text);
    const c = loadConfig(file, { env: { SEED: 'seed-f' } });
    expect(c.gateway.auth.basic?.[0]?.password).toBe('p@ss');
    const after = readFileSync(file, 'utf8');
    expect(after).toMatch(
      /^\{\n {2}"scimgateway": \{\n {4}"port": 1,\n {4}"auth": \{ "basic": \[ \{ "username": "gwadmin", "password": "enc:v1:[^"]+" \} \] \}\n {2}\}\n\}\n$/,
    );
  });

  it('takes SEED from the file SEED_FILE names (container secrets, systemd credentials), and says when it cannot', () => {
    const seedFile = join(root, 'seed.txt');
    writeFileSync(seedFile, 'from-a-file\n');
    const file = write({ scimgateway: { port: 1, auth: { bearerToken: [{ token: 'tok-f' }] } } });
    loadConfig(file, { env: { SEED_FILE: seedFile } });
    // Encrypted with the file's content: SEED with the same text reads it, another does not.
    expect(loadConfig(file, { env: { SEED: 'from-a-file' } }).gateway.auth.bearerToken?.[0]?.token).toBe('tok-f');
    expect(() => loadConfig(file, { env: { SEED: 'other' } })).toThrow(/different SEED/);
    expect(() => loadConfig(file, { env: { SEED_FILE: join(root, 'missing') } })).toThrow(
      /SEED_FILE .*missing cannot be read: ENOENT/,
    );
  });

  it('starts with a warning when the file cannot be rewritten (read-only mount)', () => {
    const file = write({ scimgateway: { port: 1, auth: { bearerToken: [{ token: 'ro-secret' }] } } });
    // root ignores file modes; the immutable attribute stops root too (like a read-only mount)
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', file]);
    else chmodSync(file, 0o444);
    try {
      const c = loadConfig(file, { env: { SEED: 'x' } });
      expect(c.warnings[0]).toMatch(/could not be encrypted in place \((EPERM|EACCES)\)/);
      expect(c.gateway.auth.bearerToken?.[0]?.token).toBe('ro-secret');
    } finally {
      if (root) execFileSync('chattr', ['-i', file]);
    }
  });

  it('warns when secrets are encrypted with the built-in key (no SEED), and only then', () => {
    const seedWarning = (w: string[]) => w.filter((x) => x.includes('SEED is not set'));
    const a = write(minimal);
    expect(seedWarning(loadConfig(a, { env: {} }).warnings)).toHaveLength(1);
    // Already encrypted under the built-in key: still a warning on every start.
    expect(seedWarning(loadConfig(a, { env: {} }).warnings)).toHaveLength(1);
    expect(seedWarning(loadConfig(write(minimal), { env: { SEED: 'mine' } }).warnings)).toEqual([]);
    // No secret in the file, nothing to warn about.
    const none = { scimgateway: { port: 1, auth: { basic: [{ username: 'u', password: 'process.env.PW' }] } } };
    expect(seedWarning(loadConfig(write(none), { env: { PW: 'x' } }).warnings)).toEqual([]);
  });

  it('authenticated encryption detects tampering', () => {
    const enc = encryptSecret('value', 's');
    expect(isEncrypted(enc)).toBe(true);
    expect(decryptSecret(enc, 's')).toBe('value');
    const tampered = `${enc.slice(0, -2)}${enc.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => decryptSecret(tampered, 's')).toThrow();
  });

  it('parses sizes', () => {
    expect(parseSize('1mb')).toBe(1048576);
    expect(parseSize('500 KB')).toBe(512000);
    expect(parseSize(42)).toBe(42);
    expect(() => parseSize('lots')).toThrow(/payloadSize/);
    expect(() => parseSize('huge', 'scimgateway.recorder.maxSize')).toThrow(/recorder\.maxSize/);
  });

  it('names every size setting it cannot read when the file is read (check-config), not at start', () => {
    for (const [where, gateway] of [
      ['scimgateway.payloadSize', { payloadSize: 'lots' }],
      ['scimgateway.recorder.maxSize', { recorder: { maxSize: '20 megs' } }],
    ] as const) {
      const cfg = { scimgateway: { ...minimal.scimgateway, ...gateway } };
      const problems = errorsOf(() => loadConfig(write(cfg)));
      expect(problems, where).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${where.replace(/\./g, '\\.')}: must be bytes, or a size`));
    }
    const ok = { scimgateway: { ...minimal.scimgateway, payloadSize: '500 KB', recorder: { maxSize: 4096 } } };
    expect(errorsOf(() => loadConfig(write(ok)))).toEqual([]);
  });
});
