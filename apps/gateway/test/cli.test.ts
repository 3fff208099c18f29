import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, runCli } from '../src/index.js';
import type { GatewayInstance } from '../src/instance.js';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), cwd: dir } };
}

function writeConfig(name: string, cfg: unknown): string {
  mkdirSync(join(dir, 'config'), { recursive: true });
  const f = join(dir, 'config', name);
  writeFileSync(f, JSON.stringify(cfg));
  return f;
}

describe('scimgw CLI', () => {
  it('parses arguments and rejects unknown ones', () => {
    expect(parseArgs(['start', '--config', 'a.json', '-c', 'b.json'])).toEqual({
      command: 'start',
      configs: ['a.json', 'b.json'],
    });
    expect(parseArgs(['check-config', '--config=x.json'])).toEqual({ command: 'check-config', configs: ['x.json'] });
    expect(parseArgs(['--help']).command).toBe('help');
    expect(() => parseArgs(['--nope'])).toThrow(/unknown argument/);
    expect(() => parseArgs(['--config'])).toThrow(/needs a file/);
    expect(() => parseArgs(['--port', 'x'])).toThrow(/port/);
  });

  it('--help and --version', async () => {
    const h = io();
    expect(await runCli(['--help'], h.io)).toBe(0);
    expect(h.out.join('\n')).toMatch(/check-config/);
    const v = io();
    expect(await runCli(['--version'], v.io)).toBe(0);
    expect(v.out[0]).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version);
    const bad = io();
    expect(await runCli(['--bogus'], bad.io)).toBe(2);
  });

  it('--record goes with start and one configuration; its help lines are there', async () => {
    expect(parseArgs(['start', '--record', 'r.jsonl'])).toMatchObject({ command: 'start', record: 'r.jsonl' });
    expect(() => parseArgs(['start', '--record'])).toThrow(/--record needs a file/);
    const one = writeConfig('connector-loki.json', {
      scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const two = writeConfig('connector-loki2.json', {
      scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const check = io();
    expect(await runCli(['check-config', '--config', one, '--record', 'r.jsonl'], check.io)).toBe(2);
    expect(check.err.join('\n')).toMatch(/--record goes with start and one configuration/);
    const both = io();
    expect(await runCli(['start', '--config', one, '--config', two, '--record', 'r.jsonl'], both.io)).toBe(2);
    const h = io();
    await runCli(['--help'], h.io);
    expect(h.out.join('\n')).toMatch(/--record writes its SCIM traffic to FILE/);
    expect(h.out.join('\n')).toMatch(/scimgw replay FILE --url URL/);
  });

  it('check-config validates without starting and names every bad path', async () => {
    const good = writeConfig('connector-loki.json', {
      scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const ok = io();
    expect(await runCli(['check-config', '--config', good], ok.io)).toBe(0);
    expect(ok.out[0]).toMatch(/OK \(connector @scimgw\/connector-loki/);
    // check-config never rewrites the file (no in-place encryption)
    expect(readFileSync(good, 'utf8')).toContain('"password":"b"');
    const badFile = writeConfig('connector-bad.json', { scimgateway: { port: 'eighty', scim: { version: 2 }, extra: true } });
    const bad = io();
    expect(await runCli(['check-config', '--config', badFile], bad.io)).toBe(1);
    const msg = bad.err.join('\n');
    expect(msg).toMatch(/scimgateway\.port: expected number, got the string "eighty"/);
    expect(msg).toMatch(/scimgateway\.scim\.version: must be one of "1\.1", "2\.0", got number 2/);
    expect(msg).toMatch(/scimgateway\.extra: unknown key/);
  });

  /** check-config's messages for a configuration `start` would refuse. */
  async function checkConfig(name: string, cfg: unknown): Promise<string> {
    let f: string;
    if (typeof cfg === 'string') {
      f = join(dir, 'config', name);
      writeFileSync(f, cfg);
    } else f = writeConfig(name, cfg);
    const r = io();
    expect(await runCli(['check-config', '--config', f], r.io)).toBe(1);
    return r.err.join('\n');
  }
  const auth = { basic: [{ username: 'a', password: 'b' }] };

  it("check-config runs the connector's own validator on the endpoint section", async () => {
    const msg = await checkConfig('connector-loki-endpoint.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: { port: 0, auth },
      endpoint: { persistence: 'yes', directory: 42, exampleDta: false },
    });
    expect(msg).toMatch(/endpoint\.persistence: expected boolean, got the string "yes"/);
    expect(msg).toMatch(/endpoint\.directory: expected string, got number 42/);
    expect(msg).toMatch(/endpoint\.exampleDta: unknown key \(did you mean "exampleData"\?\)/);
  });

  it('check-config reports bad JSON as file:line:column with the line', async () => {
    const msg = await checkConfig('connector-loki-json.json', '{\n  "scimgateway": {\n    "port": 0,\n  }\n}\n');
    expect(msg).toMatch(/connector-loki-json\.json:4:3: not valid JSON: /);
    expect(msg).toContain('4 |   }');
    expect(msg).not.toMatch(/: :|position/);
  });

  it('check-config reports a missing package, one that is no connector, one for another core, and no auth', async () => {
    // Fake connector packages in the deployment folder's node_modules.
    const pkg = (name: string, json: Record<string, unknown>, code: string) => {
      const d = join(dir, 'node_modules', '@acme', name);
      mkdirSync(d, { recursive: true });
      writeFileSync(
        join(d, 'package.json'),
        JSON.stringify({ name: `@acme/${name}`, type: 'module', main: 'index.js', ...json }),
      );
      writeFileSync(join(d, 'index.js'), code);
    };
    pkg('not-a-connector', {}, 'export const hello = 1;\n');
    pkg('old-core', { peerDependencies: { '@scimgw/core': '^0.1.0' } }, 'export function createConnector() {}\n');
    expect(await checkConfig('missing.json', { connector: '@acme/nope', scimgateway: { port: 0, auth } })).toMatch(
      /missing\.json: connector: connector package "@acme\/nope" is not installed \(npm install @acme\/nope\)/,
    );
    expect(await checkConfig('nc.json', { connector: '@acme/not-a-connector', scimgateway: { port: 0, auth } })).toMatch(
      /connector: @acme\/not-a-connector does not export createConnector\(context\)/,
    );
    expect(await checkConfig('old.json', { connector: '@acme/old-core', scimgateway: { port: 0, auth } })).toMatch(
      /connector: @acme\/old-core is written for @scimgw\/core \^0\.1\.0, but this gateway has 1\./,
    );
    expect(
      await checkConfig('connector-loki-noauth2.json', {
        scimgateway: { port: 0, auth: { basic: [{ username: null, password: null }] } },
      }),
    ).toMatch(/scimgateway\.auth: no authentication method is configured/);
  });

  it('check-config refuses pass-through where the package says its connector would check nothing', async () => {
    const passThrough = { ...auth, passThrough: { enabled: true } };
    const msg = await checkConfig('connector-loki-pass.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: { port: 0, auth: passThrough },
      endpoint: { persistence: false },
    });
    expect(msg).toMatch(
      /connector-loki-pass\.json: scimgateway\.auth\.passThrough\.enabled: @scimgw\/connector-loki does not check passed-through credentials/,
    );
    // A package that declares it from its section: refused or passed by the section's value.
    const d = join(dir, 'node_modules', '@acme', 'declares');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'package.json'), JSON.stringify({ name: '@acme/declares', type: 'module', main: 'index.js' }));
    writeFileSync(
      join(d, 'index.js'),
      [
        'export function createConnector() { throw new Error("not started by check-config"); }',
        'export const configSchema = {',
        '  jsonSchema: {},',
        '  validate: (value) => ({ ok: true, value: value ?? {} }),',
        '  passThroughAuth: (config) => config.callerSignsIn === true ? true : config.callerSignsIn === false ? false : undefined,',
        '};',
        '',
      ].join('\n'),
    );
    const declares = (endpoint: Record<string, unknown>) => ({
      connector: '@acme/declares',
      scimgateway: { port: 0, auth: passThrough },
      endpoint,
    });
    expect(await checkConfig('declares-no.json', declares({ callerSignsIn: false }))).toMatch(
      /scimgateway\.auth\.passThrough\.enabled: @acme\/declares does not check passed-through credentials/,
    );
    for (const [name, endpoint, note] of [
      ['declares-yes.json', { callerSignsIn: true }, false],
      ['declares-unknown.json', {}, true],
    ] as const) {
      const r = io();
      expect(await runCli(['check-config', '--config', writeConfig(name, declares(endpoint))], r.io), r.err.join('\n')).toBe(0);
      // When the package says nothing, check-config says that start decides.
      expect(r.out.join('\n').includes('@acme/declares does not say before it starts whether it checks passed-through')).toBe(
        note,
      );
    }
    // Chaining: the next gateway checks, whatever the connector says.
    const chained = io();
    const file = writeConfig('declares-chained.json', {
      ...declares({ callerSignsIn: false }),
      scimgateway: { port: 0, auth: passThrough, chainingBaseUrl: 'https://next.example/' },
    });
    expect(await runCli(['check-config', '--config', file], chained.io), chained.err.join('\n')).toBe(0);
  });

  it('check-config reports two configurations on one port', async () => {
    const a = writeConfig('connector-loki-p1.json', { connector: '@scimgw/connector-loki', scimgateway: { port: 18998, auth } });
    const b = writeConfig('connector-loki-p2.json', { connector: '@scimgw/connector-loki', scimgateway: { port: 18998, auth } });
    const r = io();
    expect(await runCli(['check-config', '--config', a, '--config', b], r.io)).toBe(1);
    expect(r.err.join()).toMatch(
      /connector-loki-p2\.json: scimgateway\.port: 18998 is also the port of .*connector-loki-p1\.json/,
    );
  });

  it('a gateway that only chains needs no connector; check-config rejects a URL with a password without printing it', async () => {
    const chain = writeConfig('front.json', {
      scimgateway: { port: 0, chainingBaseUrl: 'https://gw2.internal:8880', auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const ok = io();
    expect(await runCli(['check-config', '--config', chain], ok.io)).toBe(0);
    expect(ok.out[0]).toMatch(/front\.json: OK \(no connector, chains to https:\/\/gw2\.internal:8880, port 0\)/);
    // Without chainingBaseUrl the same file names no connector: an error, as before.
    const none = writeConfig('plain.json', { scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } } });
    const noneIo = io();
    expect(await runCli(['check-config', '--config', none], noneIo.io)).toBe(1);
    expect(noneIo.err.join()).toMatch(/connector: not set, and the file name "plain" does not name one/);
    const secret = writeConfig('leaky.json', {
      scimgateway: {
        port: 0,
        chainingBaseUrl: 'https://svc:Sup3rSecret@gw2:8880',
        auth: { basic: [{ username: 'a', password: 'b' }] },
      },
    });
    const leaky = io();
    expect(await runCli(['check-config', '--config', secret], leaky.io)).toBe(1);
    expect(leaky.err.join()).toMatch(/leaky\.json: scimgateway\.chainingBaseUrl: must not contain a user name or password/);
    expect([...leaky.err, ...leaky.out].join()).not.toContain('Sup3rSecret');
  });

  it('start refuses two configs on one port, a missing connector package, and no auth', async () => {
    const a = writeConfig('connector-loki-a.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: { port: 18999, auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const b = writeConfig('connector-loki-b.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: { port: 18999, auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const same = io();
    expect(await runCli(['start', '--config', a, '--config', b], same.io)).toBe(1);
    expect(same.err.join()).toMatch(/scimgateway\.port: 18999 is also the port of/);
    const missing = writeConfig('connector-nope.json', {
      scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const m = io();
    expect(await runCli(['start', '--config', missing], m.io)).toBe(1);
    expect(m.err.join()).toMatch(/connector: connector package "@scimgw\/connector-nope" is not installed/);
    const noAuth = writeConfig('connector-loki-noauth.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: { port: 0, auth: { basic: [{ username: null, password: null }] } },
    });
    const n = io();
    expect(await runCli(['start', '--config', noAuth], n.io)).toBe(1);
    expect(n.err.join()).toMatch(/scimgateway\.auth: no authentication method/);
  });

  it('starts one instance per file, each on its own port, with custom schemas', async () => {
    writeFileSync(
      join(dir, 'config', 'acme-schemas.json'),
      JSON.stringify({
        schemas: [{ id: 'urn:acme:User', attributes: [{ name: 'badge', type: 'integer' }] }],
        extensions: { User: ['urn:acme:User'] },
      }),
    );
    const a = writeConfig('connector-loki-1.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] }, scim: { customSchemas: 'acme-schemas.json' } },
      endpoint: { persistence: false },
    });
    const b = writeConfig('connector-loki-2.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } },
      endpoint: { persistence: false },
    });
    const s = io();
    const started = (await runCli(['start', '--config', a, '--config', b], s.io)) as GatewayInstance[];
    try {
      expect(started).toHaveLength(2);
      expect(started[0]?.port).not.toBe(started[1]?.port);
      const auth = { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` };
      const schemas = await fetch(`http://127.0.0.1:${started[0]?.port}/Schemas/urn:acme:User`, { headers: auth });
      expect(schemas.status).toBe(200);
      const none = await fetch(`http://127.0.0.1:${started[1]?.port}/Schemas/urn:acme:User`, { headers: auth });
      expect(none.status).toBe(404);
    } finally {
      for (const i of started) await i.close(1000);
    }
  });

  it('names the config path of a broken custom schema file', async () => {
    writeFileSync(join(dir, 'config', 'broken-schemas.json'), JSON.stringify({ schemas: [{ id: 'x', attributes: [] }] }));
    const f = writeConfig('connector-loki-3.json', {
      connector: '@scimgw/connector-loki',
      scimgateway: {
        port: 0,
        auth: { basic: [{ username: 'a', password: 'b' }] },
        scim: { customSchemas: 'broken-schemas.json' },
      },
      endpoint: { persistence: false },
    });
    const s = io();
    expect(await runCli(['start', '--config', f], s.io)).toBe(1);
    expect(s.err.join()).toMatch(/scimgateway\.scim\.customSchemas\.schemas\[0\]\.id: must be a schema URN/);
  });
});
