/**
 * `scimgw build-binary`: the gateway and the connector packages a user names, compiled into one
 * executable — with `bun build --compile` (every target Bun can cross-compile to) or as a Node
 * single executable application (the running Node binary, so the host's platform only).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveConnectorPackage } from './connector-loader.js';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Targets of `bun build --compile --target=bun-<name>`; Bun fetches each target's runtime from the npm registry. */
export const BUN_TARGETS = [
  'linux-x64',
  'linux-arm64',
  'linux-x64-musl',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'windows-x64',
] as const;

/** The Node SEA target is the platform of the Node binary that runs the build. */
export const nodeHostTarget = (): string => `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

/** What `scimgw build-binary` builds. */
export interface BuildBinaryOptions {
  /** Connector packages compiled in (default `@scimgw/connector-loki`). */
  connectors: string[];
  /** `bun`, `node` or both. */
  runtimes: Array<'bun' | 'node'>;
  /** Bun targets (names of {@link BUN_TARGETS}); default: the host's. Node builds the host's only. */
  targets: string[];
  /** Output folder. */
  outDir: string;
  /** Folder connector packages are resolved from besides the gateway's own dependencies. */
  cwd: string;
  log: (line: string) => void;
}

/** One executable written. */
export interface BuiltBinary {
  runtime: 'bun' | 'node';
  target: string;
  file: string;
  bytes: number;
}

/** A build step failed: the message says which and what to do. */
export class BuildBinaryError extends Error {
  override name = 'BuildBinaryError';
}

/** Bun names the host's target like Node's platform-arch (musl hosts are built as glibc unless named). */
const hostBunTarget = (): string => nodeHostTarget();

/** An absolute path as bundlers take it in an import (forward slashes on Windows too). */
const importPath = (file: string): string => file.split(sep).join('/');

/** The generated entry: imports the gateway's binary entry and each connector, registers them, runs. */
export function entrySource(connectors: string[], cwd: string): string {
  const lines = [`import { runBinary } from ${JSON.stringify(importPath(join(pkgDir, 'dist', 'binary.js')))};`];
  const regs: string[] = [];
  connectors.forEach((name, i) => {
    const { entry, packageJson } = resolveConnectorPackage(name, cwd);
    lines.push(`import * as connector${i} from ${JSON.stringify(importPath(entry))};`);
    const pj = packageJson
      ? { name: packageJson.name, version: packageJson.version, peerDependencies: packageJson.peerDependencies }
      : undefined;
    regs.push(`  ${JSON.stringify(name)}: { exports: connector${i}, packageJson: ${JSON.stringify(pj)} },`);
  });
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: '@scimgw/gateway', version }),
    'examples/connector-loki.json': readFileSync(join(pkgDir, 'examples', 'connector-loki.json'), 'utf8'),
    'examples/connector-loki.schema.json': readFileSync(join(pkgDir, 'examples', 'connector-loki.schema.json'), 'utf8'),
  };
  return [
    ...lines,
    '',
    'void runBinary({',
    ' connectors: {',
    ...regs,
    ' },',
    ` files: ${JSON.stringify(files)},`,
    '});',
    '',
  ].join('\n');
}

/** A package's file from the deployment folder or the gateway's dependencies, or undefined. */
function findPackageFile(spec: string, cwd: string): string | undefined {
  for (const base of [pathToFileURL(join(cwd, 'noop.js')).href, import.meta.url]) {
    try {
      return createRequire(base).resolve(spec);
    } catch {}
  }
  return undefined;
}

/** The Bun executable: this process when it is Bun, else the `bun` npm package, else `bun` on PATH. */
function findBun(cwd: string): string {
  if (process.versions.bun) return process.execPath;
  const pkg = findPackageFile('bun/package.json', cwd);
  if (pkg) {
    // The npm package names its binary bun.exe on every platform.
    const bin = join(dirname(pkg), 'bin', 'bun.exe');
    if (existsSync(bin)) return bin;
  }
  const probe = spawnSync('bun', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return 'bun';
  throw new BuildBinaryError('Bun is not installed: npm install --no-save bun (or install it from bun.sh), then run again');
}

function run(cmd: string, args: string[], what: string, cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new BuildBinaryError(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new BuildBinaryError(`${what} failed (exit ${r.status}):\n${(r.stderr || r.stdout).trim()}`);
}

function built(runtime: 'bun' | 'node', target: string, file: string): BuiltBinary {
  return { runtime, target, file, bytes: statSync(file).size };
}

function buildBun(entry: string, target: string, opts: BuildBinaryOptions): BuiltBinary {
  if (!(BUN_TARGETS as readonly string[]).includes(target))
    throw new BuildBinaryError(`unknown Bun target "${target}"; one of ${BUN_TARGETS.join(', ')}`);
  const bun = findBun(opts.cwd);
  const file = join(opts.outDir, `scimgw-bun-${target}${target.startsWith('windows') ? '.exe' : ''}`);
  opts.log(`bun: compiling ${target} → ${file}`);
  run(
    bun,
    ['build', '--compile', `--target=bun-${target}`, entry, '--outfile', file],
    `bun build --compile (${target})`,
    opts.cwd,
  );
  return built('bun', target, file);
}

/**
 * Node's SEA fuse. Spelled in two parts: the executable carries this very file, and postject
 * refuses a blob in which the whole sentinel occurs a second time.
 */
const SEA_FUSE = ['NODE_SEA_FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_');

/** The part of esbuild's API the Node build uses (esbuild is an optional tool, not a dependency). */
interface EsbuildApi {
  buildSync(options: Record<string, unknown>): unknown;
}

/** A Node SEA: bundle to one CommonJS file (esbuild), make the blob (node), inject it into a copy of node (postject). */
function buildNode(entry: string, work: string, opts: BuildBinaryOptions): BuiltBinary {
  const esbuildPkg = findPackageFile('esbuild/package.json', opts.cwd);
  const postject = findPackageFile('postject/dist/cli.js', opts.cwd);
  if (!esbuildPkg || !postject)
    throw new BuildBinaryError(
      'the Node build needs esbuild and postject: npm install --no-save esbuild postject, then run again',
    );
  const esbuild = createRequire(esbuildPkg)('esbuild') as EsbuildApi;
  const bundle = join(work, 'scimgw.cjs');
  opts.log(`node: bundling → ${bundle}`);
  try {
    esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'error',
      outfile: bundle,
      // A SEA runs one CommonJS script: import.meta.url becomes the executable's own URL.
      define: { 'import.meta.url': '__scimgwUrl' },
      banner: { js: "var __scimgwUrl=require('node:url').pathToFileURL(__filename).href;" },
    });
  } catch (e) {
    throw new BuildBinaryError(`esbuild: ${(e as Error).message}`);
  }
  const blob = join(work, 'sea.blob');
  const seaConfig = join(work, 'sea.json');
  writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }));
  run(process.execPath, ['--experimental-sea-config', seaConfig], 'node --experimental-sea-config', opts.cwd);
  const target = nodeHostTarget();
  const file = join(opts.outDir, `scimgw-node-${target}${process.platform === 'win32' ? '.exe' : ''}`);
  rmSync(file, { force: true });
  copyFileSync(process.execPath, file);
  chmodSync(file, 0o755);
  opts.log(`node: injecting into a copy of ${process.execPath} → ${file}`);
  const args = [postject, file, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE];
  if (process.platform === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
  run(process.execPath, args, 'postject', opts.cwd);
  return built('node', target, file);
}

/** Builds the executables; throws {@link BuildBinaryError} naming the step that failed. */
export function buildBinaries(opts: BuildBinaryOptions): BuiltBinary[] {
  const outDir = resolve(opts.cwd, opts.outDir);
  const work = join(outDir, '.build');
  mkdirSync(work, { recursive: true });
  const o = { ...opts, outDir };
  const entry = join(work, 'entry.mjs');
  writeFileSync(entry, entrySource(opts.connectors, opts.cwd));
  const out: BuiltBinary[] = [];
  try {
    if (opts.runtimes.includes('bun'))
      for (const t of opts.targets.length ? opts.targets : [hostBunTarget()]) out.push(buildBun(entry, t, o));
    if (opts.runtimes.includes('node')) out.push(buildNode(entry, work, o));
  } finally {
    if (!process.env.SCIMGW_KEEP_BUILD) rmSync(work, { recursive: true, force: true });
  }
  return out;
}

const USAGE = 'usage: scimgw build-binary [--connector PACKAGE]... [--runtime bun|node|both] [--target NAME]... [--out DIR]';

/** Parses the arguments after `build-binary`. Throws Error with a usage message on bad input. */
export function parseBuildBinaryArgs(argv: string[], cwd: string, log: (line: string) => void): BuildBinaryOptions {
  const opts: BuildBinaryOptions = { connectors: [], runtimes: ['bun', 'node'], targets: [], outDir: 'dist-bin', cwd, log };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (!v || v.startsWith('-')) throw new Error(`${a} needs a value (${USAGE})`);
      return v;
    };
    if (a === '--connector') opts.connectors.push(value());
    else if (a === '--target') opts.targets.push(value());
    else if (a === '--out') opts.outDir = value();
    else if (a === '--runtime') {
      const r = value();
      if (r !== 'bun' && r !== 'node' && r !== 'both') throw new Error(`--runtime must be bun, node or both, got "${r}"`);
      opts.runtimes = r === 'both' ? ['bun', 'node'] : [r];
    } else throw new Error(`unknown argument "${a}" (${USAGE})`);
  }
  if (!opts.connectors.length) opts.connectors.push('@scimgw/connector-loki');
  for (const t of opts.targets)
    if (!(BUN_TARGETS as readonly string[]).includes(t))
      throw new Error(`unknown target "${t}"; one of ${BUN_TARGETS.join(', ')}`);
  return opts;
}

/** `scimgw build-binary …`: builds, prints what it wrote, resolves with the exit code. */
export async function buildBinaryCommand(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd: string },
): Promise<number> {
  let opts: BuildBinaryOptions;
  try {
    opts = parseBuildBinaryArgs(argv, io.cwd, io.out);
  } catch (e) {
    io.err(`scimgw build-binary: ${(e as Error).message}`);
    return 2;
  }
  try {
    for (const b of buildBinaries(opts))
      io.out(`wrote ${b.file} (${b.runtime}, ${b.target}, ${Math.round(b.bytes / 1048576)} MiB)`);
    return 0;
  } catch (e) {
    io.err(`scimgw build-binary: ${(e as Error).message}`);
    return 1;
  }
}
