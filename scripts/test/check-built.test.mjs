// Packing a published package that was not built must fail (its `prepack` runs
// scripts/check-built.mjs), and packing a built one must put every entry point, the README, the
// LICENSE and the CHANGELOG in the tarball. Each case packs a copy of a real package's folder
// (its package.json and the files it publishes, never dist/) placed in a copy of the repository's
// layout, so the real package.json and prepack script are what is tested.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { entryPoints, missingEntryPoints } from '../lib/entry-points.mjs';
import { publishedPackages, repoRoot } from '../lib/workspace.mjs';

const run = promisify(execFile);
const isWin = process.platform === 'win32';
const scratch = mkdtempSync(join(tmpdir(), 'scimgw-check-built-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a command; resolves with its exit code and output instead of throwing. */
async function exec(cmd, args, cwd) {
  try {
    const r = await run(cmd, args, { cwd, encoding: 'utf8', shell: isWin, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(e) };
  }
}

/** A copy of the package in a fresh copy of the repository layout, without its build output. */
function unbuiltCopy({ dir, rel, pkg }, label) {
  const root = join(scratch, `${label}-${rel.replace(/\//g, '-')}`);
  cpSync(join(repoRoot, 'scripts', 'check-built.mjs'), join(root, 'scripts', 'check-built.mjs'));
  cpSync(join(repoRoot, 'scripts', 'lib'), join(root, 'scripts', 'lib'), { recursive: true });
  const copy = join(root, rel);
  mkdirSync(copy, { recursive: true });
  const buildDirs = new Set(entryPoints(pkg).map((e) => e.target.split('/')[0]));
  for (const f of pkg.files ?? []) {
    if (!buildDirs.has(f.split('/')[0]) && existsSync(join(dir, f))) cpSync(join(dir, f), join(copy, f), { recursive: true });
  }
  cpSync(join(dir, 'package.json'), join(copy, 'package.json'));
  return copy;
}

/** Writes a stand-in file at every entry point a build makes (package.json is there already). */
function fakeBuild(copy, pkg, skip = () => false) {
  for (const { target } of entryPoints(pkg)) {
    const file = join(copy, target.replace(/\*/g, 'x'));
    if (skip(target) || existsSync(file)) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'export {};\n');
  }
}

const packages = publishedPackages();

test('the workspace has published packages to check', () => {
  assert.ok(packages.length >= 10, `found ${packages.length}`);
});

describe('npm pack --dry-run', { concurrency: 4 }, () => {
  for (const p of packages) {
    test(`${p.pkg.name}: fails when not built, naming the missing files`, async () => {
      const copy = unbuiltCopy(p, 'npm-unbuilt');
      const r = await exec('npm', ['pack', '--dry-run', '--json'], copy);
      assert.notEqual(r.code, 0, `npm pack succeeded on an unbuilt copy:\n${r.stdout}`);
      assert.match(r.stderr, new RegExp(`${p.pkg.name.replace('/', '\\/')} is not built`));
      for (const { target } of entryPoints(p.pkg)) assert.ok(r.stderr.includes(target), `${target} not named in:\n${r.stderr}`);
    });

    test(`${p.pkg.name}: packs entry points, README, LICENSE and CHANGELOG once built`, async () => {
      const copy = unbuiltCopy(p, 'npm-built');
      fakeBuild(copy, p.pkg);
      const r = await exec('npm', ['pack', '--dry-run', '--json'], copy);
      assert.equal(r.code, 0, r.stderr);
      const files = JSON.parse(r.stdout)[0].files.map((f) => f.path);
      const expected = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', ...entryPoints(p.pkg).map((e) => e.target)];
      for (const f of expected)
        assert.ok(files.includes(f.replace(/\*/g, 'x')), `${f} missing from the tarball: ${files.join(', ')}`);
    });
  }
});

describe('pnpm pack --dry-run (what changeset publish runs)', { concurrency: 4 }, () => {
  for (const p of packages) {
    test(`${p.pkg.name}: fails when not built`, async () => {
      const copy = unbuiltCopy(p, 'pnpm-unbuilt');
      const r = await exec('pnpm', ['pack', '--dry-run'], copy);
      assert.notEqual(r.code, 0, `pnpm pack succeeded on an unbuilt copy:\n${r.stdout}`);
      assert.match(`${r.stdout}${r.stderr}`, /prepack/);
    });
  }
});

test('a package missing only one built file is refused, naming that file and the field', async () => {
  const gateway = packages.find((p) => p.pkg.bin);
  assert.ok(gateway, 'no published package with a bin');
  const [binName, binTarget] = Object.entries(gateway.pkg.bin)[0];
  const copy = unbuiltCopy(gateway, 'partial');
  fakeBuild(copy, gateway.pkg, (target) => target === binTarget.replace(/^\.\//, ''));
  const r = await exec(process.execPath, [join(copy, '..', '..', 'scripts', 'check-built.mjs')], copy);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${binTarget.replace(/^\.\//, '').replace(/\./g, '\\.')}\\s+\\(bin\\.${binName}\\)`));
  assert.equal(r.stderr.match(/^ {4}\S/gm)?.length, 1, `only the bin should be missing:\n${r.stderr}`);
});

describe('entryPoints and missingEntryPoints', () => {
  test('collect exports (conditions, subpaths, arrays), main, module, types, typings and bin', () => {
    const found = entryPoints({
      exports: {
        '.': { types: './dist/index.d.ts', import: { default: './dist/index.js' } },
        './feature': ['./dist/feature.js'],
        './gone': null,
        './package.json': './package.json',
      },
      main: 'dist/main.js',
      module: './dist/../dist/module.js',
      types: './dist/index.d.ts',
      typings: './dist/typings.d.ts',
      bin: { tool: './dist/cli.js' },
    });
    assert.deepEqual(found, [
      { field: 'exports["."].types', target: 'dist/index.d.ts' },
      { field: 'exports["."].import.default', target: 'dist/index.js' },
      { field: 'exports["./feature"][0]', target: 'dist/feature.js' },
      { field: 'exports["./package.json"]', target: 'package.json' },
      { field: 'main', target: 'dist/main.js' },
      { field: 'module', target: 'dist/module.js' },
      { field: 'types', target: 'dist/index.d.ts' },
      { field: 'typings', target: 'dist/typings.d.ts' },
      { field: 'bin.tool', target: 'dist/cli.js' },
    ]);
    assert.deepEqual(entryPoints({ exports: './index.js', bin: './cli.js' }), [
      { field: 'exports', target: 'index.js' },
      { field: 'bin', target: 'cli.js' },
    ]);
    assert.deepEqual(entryPoints({ name: 'x' }), []);
  });

  test('a pattern export is present when one file matches it', () => {
    const dir = join(scratch, 'pattern');
    mkdirSync(join(dir, 'dist', 'sub'), { recursive: true });
    const pkg = { exports: { './*': './dist/*.js' } };
    assert.equal(missingEntryPoints(dir, pkg).length, 1);
    writeFileSync(join(dir, 'dist', 'sub', 'a.d.ts'), '');
    assert.equal(missingEntryPoints(dir, pkg).length, 1, 'a .d.ts does not match *.js');
    writeFileSync(join(dir, 'dist', 'sub', 'a.js'), '');
    assert.deepEqual(missingEntryPoints(dir, pkg), []);
  });

  test('a folder where a file is expected counts as missing', () => {
    const dir = join(scratch, 'folder');
    mkdirSync(join(dir, 'dist', 'index.js'), { recursive: true });
    assert.deepEqual(missingEntryPoints(dir, { main: 'dist/index.js' }), [{ field: 'main', target: 'dist/index.js' }]);
  });
});

test('check-built.mjs without a package.json fails with a message', async () => {
  const empty = join(scratch, 'empty');
  mkdirSync(empty, { recursive: true });
  const r = await exec(process.execPath, [join(repoRoot, 'scripts', 'check-built.mjs'), empty], repoRoot);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no package\.json/);
});
