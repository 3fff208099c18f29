#!/usr/bin/env node
// Entry point behind `npm start` and `npm test` at the repository root.
// A fresh machine only has Node.js and npm: this script brings pnpm (into
// ./.tools, never globally), installs the workspace, builds, and then starts
// the gateway or runs the whole test suite.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureK8sTools } from './ensure-k8s-tools.mjs';
import { ensureDebianTools } from './ensure-services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.TURBO_TELEMETRY_DISABLED = '1';
process.env.DO_NOT_TRACK = '1';
const PNPM_VERSION = '12.4.2';
const isWin = process.platform === 'win32';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, shell: isWin, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(cmd, args, opts) {
  const code = run(cmd, args, opts);
  if (code !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(' ')} failed with exit code ${code}`);
    process.exit(code);
  }
}

function pnpmOnPath() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: isWin });
  return r.status === 0 && /^12\./.test(r.stdout.trim());
}

function findPnpm() {
  if (pnpmOnPath()) return 'pnpm';
  const local = join(root, '.tools', 'node_modules', '.bin', isWin ? 'pnpm.cmd' : 'pnpm');
  if (!existsSync(local)) {
    console.log(`→ installing pnpm ${PNPM_VERSION} into .tools/ (one time)`);
    must('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--prefix',
      join(root, '.tools'),
      `pnpm@${PNPM_VERSION}`,
    ]);
  }
  // turbo looks pnpm up on PATH, so the local copy must be on it for child processes.
  process.env.PATH = `${dirname(local)}${isWin ? ';' : ':'}${process.env.PATH ?? ''}`;
  return local;
}

const [command = 'test', ...rest] = process.argv.slice(2);
const pnpm = findPnpm();
console.log('→ installing workspace dependencies');
const frozen = existsSync(join(root, 'pnpm-lock.yaml'));
must(pnpm, ['install', ...(frozen ? ['--frozen-lockfile'] : []), '--reporter=append-only']);

if (command === 'start') {
  console.log('→ building the gateway and its packages (the first build takes about a minute; one line per package)');
  // hash-only: one line as each package starts building (or comes from the cache), errors in full.
  must(pnpm, ['exec', 'turbo', 'run', 'build', '--filter=@scimgw/gateway...', '--output-logs=hash-only']);
  console.log('→ starting the gateway (config/, data/ and logs/ are in apps/gateway)');
  // Runs in apps/gateway: its config/, data/ and logs/ folders are created there on first start.
  const args = rest.length ? rest : ['start'];
  // A smaller V8 young generation keeps the gateway's memory low (see bench/README.md).
  const cli = join(root, 'apps', 'gateway', 'dist', 'cli.js');
  // glibc keeps one malloc arena per thread and hands little back to the OS; two arenas and a
  // lower trim threshold keep the resident size close to what the process really uses.
  const env = { ...process.env, MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };
  process.exit(run(process.execPath, ['--max-semi-space-size=6', cli, ...args], { cwd: join(root, 'apps', 'gateway'), env }));
} else if (command === 'docs') {
  // The documentation site, served with live reload (VitePress).
  process.exit(run(pnpm, ['--filter', '@scimgw/docs', 'run', 'dev', ...rest]));
} else if (command === 'start:bun') {
  must(pnpm, ['exec', 'turbo', 'run', 'build', '--filter=@scimgw/gateway...', '--output-logs=hash-only']);
  // The same folder as `npm start`: one configuration and one store, whatever the runtime.
  const bun = join(root, 'apps', 'gateway', 'node_modules', 'bun', 'bin', 'bun.exe');
  const cli = join(root, 'apps', 'gateway', 'dist', 'cli.js');
  process.exit(run(bun, ['--smol', cli, ...(rest.length ? rest : ['start'])], { cwd: join(root, 'apps', 'gateway') }));
} else if (command === 'test') {
  if (!ensureDebianTools()) process.exit(1);
  // The Helm chart's and the kustomizations' tests render them with the real helm and kubectl.
  const k8sTools = ensureK8sTools();
  if (k8sTools === null) {
    const how = 'install helm and kubectl, or run on Linux x64 where npm test fetches them';
    if (process.env.CI) {
      console.error(`✖ helm and kubectl are missing and could not be fetched here; ${how}`);
      process.exit(1);
    }
    console.log(`! helm and kubectl are missing: the Helm chart's tests will be SKIPPED; ${how}`);
    process.env.SCIMGW_NO_K8S_TOOLS = 'skip';
  }
  // Publishing readiness first (fast): LICENSE, package metadata, prepack, README links, CHANGELOG.
  must(pnpm, ['run', '--silent', 'check:packages']);
  must(pnpm, ['exec', 'turbo', 'run', 'lint', 'build', 'typecheck', '--output-logs=errors-only']);
  must(pnpm, ['exec', 'turbo', 'run', 'publint', '--output-logs=errors-only']);
  // Every published package's public .d.ts against its checked-in API.md.
  must(process.execPath, [join(root, 'scripts', 'api-report.mjs'), '--check']);
  // The tests of scripts/: packing an unbuilt package fails, a built one packs what it promises.
  must(pnpm, ['run', '--silent', 'test:scripts']);
  // Tests run one package at a time: several packages start real servers
  // (slapd, gateways, SMTP) and the machine has two cores.
  must(pnpm, ['exec', 'turbo', 'run', 'test', '--concurrency=1']);
  console.log('\n✔ all checks passed');
} else {
  console.error(`unknown command ${command}; use start, start:bun, docs or test`);
  process.exit(2);
}
