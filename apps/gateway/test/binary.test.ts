/**
 * `scimgw build-binary`: the Linux x64 executables (Bun and Node SEA) are built, then each is run
 * from an empty folder as an operator would: the example configuration is written and validated,
 * the example data is served, a write survives a restart, and a bad configuration is refused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBuildBinaryArgs } from '../src/build-binary.js';
import { freePort, scim, startProcess, stopProcess } from './process-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'scimgw-binary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

describe('build-binary arguments', () => {
  it('defaults to the embedded store, both runtimes, the host target', () => {
    const o = parseBuildBinaryArgs([], '/x', () => {});
    expect(o).toMatchObject({
      connectors: ['@scimgw/connector-loki'],
      runtimes: ['bun', 'node'],
      targets: [],
      outDir: 'dist-bin',
    });
    const p = parseBuildBinaryArgs(
      ['--connector', 'a', '--connector', 'b', '--runtime', 'bun', '--target', 'linux-arm64', '--out', 'o'],
      '/x',
      () => {},
    );
    expect(p).toMatchObject({ connectors: ['a', 'b'], runtimes: ['bun'], targets: ['linux-arm64'], outDir: 'o' });
  });
  it('refuses unknown targets, runtimes and arguments with the list of what is accepted', () => {
    expect(() => parseBuildBinaryArgs(['--target', 'solaris-sparc'], '/x', () => {})).toThrow(/one of linux-x64, linux-arm64/);
    expect(() => parseBuildBinaryArgs(['--runtime', 'deno'], '/x', () => {})).toThrow(/bun, node or both/);
    expect(() => parseBuildBinaryArgs(['--connector'], '/x', () => {})).toThrow(/needs a value/);
    expect(() => parseBuildBinaryArgs(['--nope'], '/x', () => {})).toThrow(/unknown argument/);
  });
  it('names a connector that is not installed', () => {
    const r = spawnSync(
      process.execPath,
      [cli, 'build-binary', '--connector', '@acme/not-there', '--runtime', 'bun', '--out', join(work, 'none')],
      {
        cwd: work,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/connector package "@acme\/not-there" is not installed/);
  });
});

describe.skipIf(!linuxX64).each(['bun', 'node'] as const)('the %s single executable (linux-x64)', (runtime) => {
  let exe = '';
  beforeAll(() => {
    const out = join(work, `out-${runtime}`);
    const r = spawnSync(process.execPath, [cli, 'build-binary', '--runtime', runtime, '--out', out], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    exe = join(out, `scimgw-${runtime}-linux-x64`);
    expect(r.stdout).toContain(`wrote ${exe}`);
  }, 180_000);

  it('runs from an empty folder: example written and validated, example data served, writes kept across a restart', async () => {
    const home = mkdtempSync(join(work, `home-${runtime}-`));
    const check = spawnSync(exe, ['check-config'], { cwd: home, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/connector-loki\.json: OK \(connector @scimgw\/connector-loki/);
    // Checked twice: the JSON Schema written beside the example is not taken for a configuration.
    expect(spawnSync(exe, ['check-config'], { cwd: home, encoding: 'utf8' }).status).toBe(0);

    const port = await freePort();
    const env = { ...process.env, SEED: 'binary-test' };
    let gw = await startProcess(exe, ['start', '--port', String(port)], { cwd: home, port, env });
    const users = (await (await scim(port, 'GET', '/Users?count=1')).json()) as { totalResults: number };
    expect(users.totalResults).toBeGreaterThan(0);
    const created = await scim(port, 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `kept-${runtime}`,
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    expect(await stopProcess(gw)).toBe(0);
    expect(existsSync(join(home, 'data'))).toBe(true);
    // The password was encrypted in place with SEED.
    const saved = readFileSync(join(home, 'config', 'connector-loki.json'), 'utf8');
    expect(saved).not.toMatch(/"password":\s*"password"/);
    expect(saved).toMatch(/"password":\s*"enc:/);

    gw = await startProcess(exe, ['start', '--port', String(port)], { cwd: home, port, env });
    const again = await scim(port, 'GET', `/Users/${id}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { userName: string }).userName).toBe(`kept-${runtime}`);
    expect(await stopProcess(gw)).toBe(0);
  }, 90_000);

  it('refuses a bad configuration, naming the path', () => {
    const home = mkdtempSync(join(work, `bad-${runtime}-`));
    const file = join(home, 'connector-loki.json');
    writeFileSync(file, JSON.stringify({ scimgateway: { port: 'eighty', auth: { basic: [] } } }));
    const r = spawnSync(exe, ['check-config', '--config', file], { cwd: home, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/scimgateway\.port: expected number/);
  });
});
