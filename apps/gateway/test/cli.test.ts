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
    expect(msg).toMatch(/scimgateway\.port: expected a number/);
    expect(msg).toMatch(/scimgateway\.scim\.version: expected a string/);
    expect(msg).toMatch(/scimgateway\.extra: unknown key/);
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
    expect(same.err.join()).toMatch(/port 18999 is used by another configuration/);
    const missing = writeConfig('connector-nope.json', {
      scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } },
    });
    const m = io();
    expect(await runCli(['start', '--config', missing], m.io)).toBe(1);
    expect(m.err.join()).toMatch(/@scimgw\/connector-nope" is not installed/);
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
