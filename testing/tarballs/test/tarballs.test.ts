/**
 * From npm, as a user: packed tarballs installed into an empty folder outside the workspace, a
 * connector scaffolded there passes the contract kit, and the gateway serves it by its own name.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@scimgw/testing-ports';

const repo = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'scimgw-tarballs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** pnpm as npm test runs it (its launcher), else the copy `npm test` installs into .tools/, else PATH. */
function pnpm(args: string[], cwd: string): string {
  const launcher = process.env.npm_execpath;
  if (launcher && /pnpm/.test(launcher)) {
    // pnpm's launcher is a script for node, or (pnpm 11+) a native executable run directly.
    if (/\.[cm]?js$/.test(launcher)) return execFileSync(process.execPath, [launcher, ...args], { cwd, encoding: 'utf8' });
    return execFileSync(launcher, args, { cwd, encoding: 'utf8' });
  }
  const local = join(repo, '.tools', 'node_modules', '.bin', 'pnpm');
  return execFileSync(existsSync(local) ? local : 'pnpm', args, { cwd, encoding: 'utf8' });
}
/** npm with no prompts, no audit and the local cache first. */
function npmRun(cwd: string, args: string[]): string {
  return execFileSync(npm, [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 600_000,
  });
}

/** Folder of each workspace package by name. */
function workspace(): Map<string, { dir: string; pkg: Record<string, Record<string, string>> }> {
  const out = new Map();
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(repo, group))) {
      const dir = join(repo, group, name);
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        out.set(pkg.name, { dir, pkg });
      } catch {}
    }
  }
  return out;
}

/** `name` and the workspace packages it depends on, transitively (peer dependencies included). */
function closure(name: string, ws: ReturnType<typeof workspace>, seen = new Set<string>()): Set<string> {
  if (seen.has(name) || !ws.has(name)) return seen;
  seen.add(name);
  const { pkg } = ws.get(name) as { pkg: Record<string, Record<string, string>> };
  for (const field of ['dependencies', 'peerDependencies'])
    for (const dep of Object.keys(pkg[field] ?? {})) if (dep.startsWith('@scimgw/')) closure(dep, ws, seen);
  return seen;
}

describe('scimgw from npm tarballs, with a third-party connector', () => {
  it('packs, installs, scaffolds, tests and serves', async () => {
    const ws = workspace();
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    const needed = [...closure('@scimgw/gateway', ws), '@scimgw/config', '@scimgw/core'];
    const files = new Map<string, string>();
    for (const name of new Set(needed)) {
      const { dir } = ws.get(name) as { dir: string };
      const out = pnpm(['pack', '--pack-destination', tarballs], dir);
      const tgz = out.trim().split('\n').pop() as string;
      files.set(name, tgz.startsWith('/') ? tgz : join(tarballs, tgz));
    }
    for (const [name, tgz] of files) {
      // A tarball holds what users need: built code, README, LICENSE; and no workspace: ranges.
      const list = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' });
      expect(list, name).toMatch(/package\/dist\//);
      expect(list, name).toMatch(/package\/LICENSE/);
      const manifest = execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' });
      expect(manifest, name).not.toContain('workspace:');
    }

    // The deployment folder: an empty npm project, the gateway installed from the tarballs.
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'deployment', private: true, type: 'module' }));
    npmRun(app, ['install', ...files.values()]);
    const cli = join(app, 'node_modules', '@scimgw', 'gateway', 'dist', 'cli.js');

    // A connector package, as a third party writes one: scaffolded, built, tested with the kit.
    execFileSync(process.execPath, [cli, 'new-connector', 'acme-hr-connector', '--dir', 'hr'], { cwd: work });
    const hr = join(work, 'hr');
    // Nothing of scimgw is on the registry yet: point its ranges at the tarballs, as npm would resolve them.
    const hrPkg = JSON.parse(readFileSync(join(hr, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    for (const field of ['dependencies', 'devDependencies'])
      for (const dep of Object.keys(hrPkg[field] ?? {}))
        if (files.has(dep)) (hrPkg[field] as Record<string, string>)[dep] = `file:${files.get(dep)}`;
    writeFileSync(join(hr, 'package.json'), JSON.stringify(hrPkg, null, 2));
    npmRun(hr, ['install']);
    npmRun(hr, ['run', 'build']);
    const kit = npmRun(hr, ['test']).replace(/\u001b\[[0-9;]*m/g, '');
    expect(kit).toMatch(/Tests\s+\d+ passed/);
    expect(kit).not.toMatch(/failed/);

    // Installed into the deployment and served by its own package name.
    npmRun(app, ['install', hr]);
    mkdirSync(join(app, 'config'));
    const config = join(app, 'config', 'hr.json');
    writeFileSync(
      config,
      JSON.stringify({
        connector: 'acme-hr-connector',
        scimgateway: { port: 0, localhostonly: true, auth: { basic: [{ username: 'gwadmin', password: 'password' }] } },
        endpoint: { exampleData: true },
      }),
    );
    const check = execFileSync(process.execPath, [cli, 'check-config', '--config', config], { cwd: app, encoding: 'utf8' });
    expect(check).toMatch(/OK \(connector acme-hr-connector/);
    writeFileSync(
      join(app, 'config', 'bad.json'),
      JSON.stringify({
        connector: 'acme-hr-connector',
        scimgateway: { port: 0, auth: { basic: [{ username: 'a', password: 'b' }] } },
        endpoint: { exampleDta: true },
      }),
    );
    let badOut = '';
    try {
      execFileSync(process.execPath, [cli, 'check-config', '--config', join(app, 'config', 'bad.json')], {
        cwd: app,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (e) {
      badOut = String((e as { stderr?: string }).stderr);
    }
    expect(badOut).toMatch(/endpoint\.exampleDta: unknown key \(did you mean "exampleData"\?\)/);

    const port = await freePort();
    const gw = spawn(process.execPath, [cli, 'start', '--config', config, '--port', String(port)], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SEED: 'tarball-test' },
    });
    let logs = '';
    gw.stdout.on('data', (c) => (logs += c));
    gw.stderr.on('data', (c) => (logs += c));
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 200; i++) {
        if (
          await fetch(`${base}/ping`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const auth = {
        authorization: `Basic ${Buffer.from('gwadmin:password').toString('base64')}`,
        'content-type': 'application/scim+json',
      };
      const created = await fetch(`${base}/Users`, { method: 'POST', headers: auth, body: JSON.stringify({ userName: 'alan' }) });
      expect(created.status, logs).toBe(201);
      const found = (await (
        await fetch(`${base}/Users?filter=${encodeURIComponent('userName eq "alan"')}`, { headers: auth })
      ).json()) as {
        totalResults: number;
      };
      expect(found.totalResults).toBe(1);
      const seeded = (await (await fetch(`${base}/Users?count=10`, { headers: auth })).json()) as { totalResults: number };
      expect(seeded.totalResults).toBe(3);
    } finally {
      gw.kill('SIGTERM');
    }
  });
});
