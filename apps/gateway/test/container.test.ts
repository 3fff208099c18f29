/**
 * The container images, without a container engine (none runs on the project's machines): the
 * runtime stage of both Dockerfiles — `scimgw init`'s and the repository's (deploy/docker) — is
 * read, and its start command, user, working directory, environment, volume and health check are
 * run as written in a clean folder laid out like the image (the gateway package where npm puts it).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { envOf, IMAGE_UIDS, one, runtimeStage } from './dockerfile.js';
import { freePort, startProcess, stopProcess } from './process-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const gatewayDir = join(here, '..');
const repo = join(gatewayDir, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'scimgw-container-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the container image (its runtime stage run as written, no container engine)', () => {
  it('both Dockerfiles start, run and check health the same way', async () => {
    const port = await freePort();
    const init = mkdtempSync(join(work, 'init-'));
    expect(await runCli(['init', join(init, 'site'), '--port', String(port)], { out: () => {}, err: () => {}, cwd: init })).toBe(
      0,
    );
    const fromInit = runtimeStage(readFileSync(join(init, 'site', 'Dockerfile'), 'utf8'));
    const fromRepo = runtimeStage(readFileSync(join(repo, 'deploy', 'docker', 'Dockerfile'), 'utf8'));
    for (const op of ['WORKDIR', 'USER', 'VOLUME', 'HEALTHCHECK', 'CMD']) expect(one(fromInit, op), op).toBe(one(fromRepo, op));
    const { SCIMGW_HEALTH_URL: a, ...envInit } = envOf(fromInit);
    const { SCIMGW_HEALTH_URL: b, ...envRepo } = envOf(fromRepo);
    expect(envInit).toEqual(envRepo);
    expect(a).toBe(`http://127.0.0.1:${port}/healthz`);
    expect(b).toBe('http://127.0.0.1:8880/healthz');
    expect(one(fromInit, 'USER')).not.toBe('root');
  });

  it("runs the image's command as its user from its working directory, health check included", async () => {
    const port = await freePort();
    const init = mkdtempSync(join(work, 'site-'));
    const said: string[] = [];
    expect(
      await runCli(['init', join(init, 'site'), '--port', String(port)], { out: (s) => said.push(s), err: () => {}, cwd: init }),
    ).toBe(0);
    const site = join(init, 'site');
    const stage = runtimeStage(readFileSync(join(site, 'Dockerfile'), 'utf8'));
    const cmd = JSON.parse(one(stage, 'CMD')) as string[];
    const health = JSON.parse(one(stage, 'HEALTHCHECK').replace(/^.*?CMD /, '')) as string[];
    const user = one(stage, 'USER');
    const workdir = one(stage, 'WORKDIR');

    // The image's file system: WORKDIR under a fresh root, laid out as its COPY/RUN lines leave it.
    const root = mkdtempSync(join(work, 'root-'));
    chmodSync(root, 0o755);
    const app = join(root, workdir);
    mkdirSync(join(app, 'node_modules', '@scimgw'), { recursive: true });
    symlinkSync(gatewayDir, join(app, 'node_modules', '@scimgw', 'gateway'));
    writeFileSync(join(app, 'package.json'), readFileSync(join(site, 'package.json')));
    mkdirSync(join(app, 'config'));
    for (const f of readdirSync(join(site, 'config')))
      writeFileSync(join(app, 'config', f), readFileSync(join(site, 'config', f)));
    mkdirSync(join(app, 'data'));
    mkdirSync(join(app, 'logs'));
    // A secret mounted as a file, as `docker run --secret` or Compose's `secrets:` do.
    const secrets = join(root, 'run', 'secrets');
    mkdirSync(secrets, { recursive: true });
    writeFileSync(join(secrets, 'seed'), 'container-seed\n');
    const asRoot = process.getuid?.() === 0;
    const uid = IMAGE_UIDS[user] as number;
    for (const d of [root, join(root, workdir.split('/')[1] as string), app]) chmodSync(d, 0o755);
    if (asRoot)
      for (const d of ['config', 'data', 'logs']
        .map((d) => join(app, d))
        .concat(readdirSync(join(app, 'config')).map((f) => join(app, 'config', f))))
        chownSync(d, uid, uid);
    if (asRoot)
      for (const d of [join(root, 'run'), secrets, join(secrets, 'seed')]) chmodSync(d, d.endsWith('seed') ? 0o644 : 0o755);

    const env = { PATH: process.env.PATH ?? '', ...envOf(stage), SEED_FILE: join(secrets, 'seed') };
    // Run as the image's user where this test can switch users (as root), else as the current one.
    const asUser = (argv: string[]): [string, string[]] =>
      asRoot
        ? ['setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...argv]]
        : [argv[0] as string, argv.slice(1)];
    const healthy = () => {
      const [c, a] = asUser(health);
      return spawnSync(c, a, { cwd: app, env, timeout: 10_000 }).status;
    };

    expect(healthy()).toBe(1); // nothing listens yet
    const [c, a] = asUser(cmd);
    const gw = await startProcess(c, a, { cwd: app, port, env });
    try {
      expect(healthy()).toBe(0);
      const password = /password (\S+) \(shown only now/.exec(said.join('\n'))?.[1] as string;
      const auth = `Basic ${Buffer.from(`gwadmin:${password}`).toString('base64')}`;
      const users = await fetch(`http://127.0.0.1:${port}/Users?count=1`, { headers: { authorization: auth } });
      expect(users.status).toBe(200);
      // The password is in the file (and so in the image) only as its scrypt hash.
      const saved = readFileSync(join(app, 'config', 'connector-loki.json'), 'utf8');
      expect(saved).not.toContain(password);
      expect(saved).toMatch(/"password": "\$scrypt\$/);
    } finally {
      expect(await stopProcess(gw)).toBe(0);
    }
    // The store is on the volume, written by the image's user.
    const data = join(app, 'data');
    expect(readdirSync(data).length).toBeGreaterThan(0);
    if (asRoot) for (const f of readdirSync(data)) expect(statSync(join(data, f)).uid, f).toBe(uid);
    expect(healthy()).toBe(1);
  }, 60_000);

  it("the Compose files' configurations pass check-config, with their secrets as mounted files", async () => {
    const compose = join(repo, 'deploy', 'compose');
    const secrets = mkdtempSync(join(work, 'secrets-'));
    for (const s of ['seed', 'gw_password', 'pg_password']) writeFileSync(join(secrets, s), `${s}-value\n`);
    for (const yml of ['gateway.yml', 'ha-postgres.yml', 'stream-nats.yml']) {
      const text = readFileSync(join(compose, yml), 'utf8');
      // Every file a service mounts is in the repository.
      for (const m of text.matchAll(/\.\/((?:config\/[\w-]+)|nginx\.conf)/g))
        expect(existsSync(join(compose, m[1] as string)), `${yml}: ${m[1]}`).toBe(true);
      for (const m of text.matchAll(/\.\/config\/([\w-]+)/g)) {
        const dir = join(compose, 'config', m[1] as string);
        for (const f of readdirSync(dir)) {
          const copy = join(mkdtempSync(join(work, 'cfg-')), f);
          writeFileSync(copy, readFileSync(join(dir, f), 'utf8').replaceAll('/run/secrets/', `${secrets}/`));
          const out: string[] = [];
          // The PostgreSQL connector resolves from its own package (the gateway does not depend on it).
          const cwd = f.includes('postgres') ? join(repo, 'packages', 'connector-postgres') : work;
          const code = await runCli(['check-config', '--config', copy], {
            out: (s) => out.push(s),
            err: (s) => out.push(s),
            cwd,
          });
          expect(code, `${yml} ${f}: ${out.join('\n')}`).toBe(0);
        }
      }
    }
  });
});
