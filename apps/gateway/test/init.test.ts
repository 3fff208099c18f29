import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { verifyPassword } from '@scimgw/auth';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { parseInitArgs } from '../src/init.js';

const work = mkdtempSync(join(tmpdir(), 'scimgw-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hasSystemd = spawnSync('systemd-analyze', ['--version']).status === 0;

async function init(args: string[], cwd = work) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['init', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('scimgw init', () => {
  it('parses its arguments', () => {
    expect(parseInitArgs(['d'])).toEqual({ folder: 'd', connector: '@scimgw/connector-loki', port: 8880 });
    expect(parseInitArgs(['d', '--connector', '@scimgw/connector-postgres', '--port', '9000'])).toMatchObject({ port: 9000 });
    expect(() => parseInitArgs([])).toThrow(/name the folder/);
    expect(() => parseInitArgs(['d', '--port', '0'])).toThrow(/port number/);
    expect(() => parseInitArgs(['d', 'e'])).toThrow(/unknown argument "e"/);
  });

  it('writes a deployment folder for the embedded store that check-config accepts, naming only the gateway', async () => {
    const r = await init(['site', '--port', '9123']);
    expect(r.code, r.err).toBe(0);
    const site = join(work, 'site');
    const pkg = JSON.parse(readFileSync(join(site, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['@scimgw/gateway']);
    expect(pkg.scripts.start).toBe('scimgw start');
    expect(pkg.scripts.postinstall ?? pkg.scripts.install ?? pkg.scripts.preinstall).toBeUndefined();
    const config = JSON.parse(readFileSync(join(site, 'config', 'connector-loki.json'), 'utf8'));
    expect(config.scimgateway.port).toBe(9123);
    // A fresh password, not the example's well-known one; told once on the terminal, and in the
    // file only as a scrypt hash (a folder built into an image before its first start holds no password).
    const stored = config.scimgateway.auth.basic[0].password as string;
    expect(stored).toMatch(/^\$scrypt\$/);
    const password = /password (\S+) \(shown only now/.exec(r.out)?.[1] ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword('password', stored)).toBe(false);
    for (const f of readdirSync(site, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()))
      expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(password);
    expect(readFileSync(join(site, 'Dockerfile'), 'utf8')).toContain('SCIMGW_HEALTH_URL=http://127.0.0.1:9123/healthz');
    const unit = readFileSync(join(site, 'scimgw.service'), 'utf8');
    expect(unit).toContain(`WorkingDirectory=${site}`);
    expect(unit).toContain('SCIMGW_READY_URL=http://127.0.0.1:9123/readyz');
    const check = await runCli(['check-config', '--config', join(site, 'config', 'connector-loki.json')], {
      out: () => {},
      err: () => {},
      cwd: site,
    });
    expect(check).toBe(0);
  });

  it('names the chosen connector in package.json and says when its example is not at hand', async () => {
    const r = await init(['hr', '--connector', '@acme/scimgw-connector-hr']);
    expect(r.code, r.err).toBe(0);
    const pkg = JSON.parse(readFileSync(join(work, 'hr', 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@acme/scimgw-connector-hr', '@scimgw/gateway']);
    expect(r.out).toMatch(/not installed here: fill in config\/connector-hr\.json/);
    const config = JSON.parse(readFileSync(join(work, 'hr', 'config', 'connector-hr.json'), 'utf8'));
    // No password in the file: it comes from the environment.
    expect(config.scimgateway.auth.basic[0].password).toBe('process.env.GW_PASSWORD');
    expect(config.connector).toBe('@acme/scimgw-connector-hr');
  });

  it("takes the connector's own example when it is installed where init runs", async () => {
    const repoPg = join(__dirname, '..', '..', '..', 'packages', 'connector-postgres');
    const r = await init([join(work, 'pg2'), '--connector', '@scimgw/connector-postgres'], repoPg);
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(readFileSync(join(work, 'pg2', 'config', 'connector-postgres.json'), 'utf8'));
    expect(config.endpoint.connection.host).toBeDefined();
    expect(config.$schema).toBe('./connector-postgres.schema.json');
  });

  it('never writes into a folder that has files', async () => {
    mkdirSync(join(work, 'busy'));
    writeFileSync(join(work, 'busy', 'keep.txt'), 'mine');
    const r = await init(['busy']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is not empty/);
    expect(readFileSync(join(work, 'busy', 'keep.txt'), 'utf8')).toBe('mine');
  });

  it.skipIf(!hasSystemd)('writes a systemd unit systemd accepts, hardened', async () => {
    expect((await init(['unit'])).code).toBe(0);
    const unit = join(work, 'unit', 'scimgw.service');
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    // verify reports unknown keys and bad values on stderr without failing: no output is the pass.
    expect(verify.stderr.trim()).toBe('');
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
    const level = Number(/Overall exposure level for scimgw\.service: ([\d.]+)/.exec(security.stdout + security.stderr)?.[1]);
    // 10 is an unconfined service; below 4 systemd rates it OK.
    expect(level).toBeLessThan(4);
  });
});
