// scripts/check-packages.mjs and the README link rules, on a small repository built in a temporary
// folder: a package that is ready passes, and each way of not being ready is reported.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { packageProblems } from '../check-packages.mjs';
import { fixPackage } from '../lib/package-rules.mjs';
import { extractLinks, headingAnchors, linkProblems, REPO_URL } from '../lib/readme-links.mjs';
import { repoRoot } from '../lib/workspace.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'scimgw-check-packages-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const LICENSE = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
let root;
let n = 0;

/** A repository with one published package `@x/a` in packages/a that passes every check. */
function readyRepo() {
  root = join(scratch, `repo-${++n}`);
  const write = (rel, text) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write('pnpm-workspace.yaml', "packages:\n  - packages/*\n  - 'docs'\n");
  write('LICENSE', LICENSE);
  write('docs/guide.md', '# Guide\n\n## Gateway chaining\n');
  write('docs/package.json', JSON.stringify({ name: '@x/docs', private: true }));
  write('packages/b/package.json', JSON.stringify({ name: '@x/b', private: true }));
  write('packages/a/package.json', JSON.stringify(readyManifest(), null, 2));
  write('packages/a/LICENSE', LICENSE);
  write('packages/a/README.md', '# @x/a\n\n## Usage\n\nSee [usage](#usage) and [examples](examples/one.json).\n');
  write('packages/a/examples/one.json', '{}');
  write('packages/a/CHANGELOG.md', '# @x/a\n\n## 1.0.0\n\nFirst release.\n');
  return root;
}

function readyManifest() {
  return {
    name: '@x/a',
    version: '1.0.0',
    license: 'MIT',
    repository: { type: 'git', url: `git+${REPO_URL}.git`, directory: 'packages/a' },
    homepage: `${REPO_URL}/tree/main/packages/a#readme`,
    bugs: `${REPO_URL}/issues`,
    files: ['dist', 'examples', 'README.md', 'LICENSE', 'CHANGELOG.md'],
    scripts: { prepack: 'node ../../scripts/check-built.mjs', publint: 'publint' },
  };
}

function setManifest(change) {
  const pkg = readyManifest();
  change(pkg);
  writeFileSync(join(root, 'packages/a/package.json'), JSON.stringify(pkg));
}

function problemsOfA() {
  return packageProblems(root).get('@x/a') ?? [];
}

function assertProblem(pattern) {
  const problems = problemsOfA();
  assert.ok(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${pattern}, got:\n${problems.join('\n') || '(none)'}`,
  );
}

describe('check-packages', () => {
  beforeEach(() => readyRepo());

  test('a ready package has no problems, and private packages are not checked', () => {
    assert.deepEqual([...packageProblems(root)], []);
  });

  test('LICENSE missing, different, or not in files', () => {
    rmSync(join(root, 'packages/a/LICENSE'));
    assertProblem(/no LICENSE file/);
    writeFileSync(join(root, 'packages/a/LICENSE'), LICENSE.replace('2026', '2025'));
    assertProblem(/LICENSE differs from the root LICENSE/);
    setManifest((p) => {
      p.files = ['dist', 'README.md', 'CHANGELOG.md'];
    });
    assertProblem(/"files" does not list LICENSE/);
  });

  test('repository, homepage and bugs must name this repository and the package folder', () => {
    setManifest((p) => {
      p.repository.directory = 'packages/other';
    });
    assertProblem(/"repository" must be .*"directory":"packages\/a"/);
    setManifest((p) => {
      delete p.homepage;
    });
    assertProblem(/"homepage" must be "https:\/\/github\.com\/scimgw\/scimgw\/tree\/main\/packages\/a#readme"/);
    setManifest((p) => {
      p.bugs = 'https://example.org/issues';
    });
    assertProblem(/"bugs" must be/);
    setManifest((p) => {
      p.bugs = { url: `${REPO_URL}/issues` };
    });
    assert.deepEqual(problemsOfA(), []);
  });

  test('the prepack build check is required', () => {
    setManifest((p) => {
      delete p.scripts.prepack;
    });
    assertProblem(/scripts\.prepack must be "node \.\.\/\.\.\/scripts\/check-built\.mjs"/);
  });

  test('a README link that leaves the package folder is reported with the URL to use', () => {
    writeFileSync(join(root, 'packages/a/README.md'), '# @x/a\n\nRead [the guide](../../docs/guide.md#gateway-chaining).\n');
    assertProblem(
      /README\.md:3: \.\.\/\.\.\/docs\/guide\.md#gateway-chaining: leaves the package folder.*use https:\/\/github\.com\/scimgw\/scimgw\/blob\/main\/docs\/guide\.md#gateway-chaining$/,
    );
    writeFileSync(join(root, 'packages/a/README.md'), '# @x/a\n\n[b](../b)\n');
    assertProblem(/\.\.\/b: leaves the package folder.*tree\/main\/packages\/b$/);
  });

  test('CHANGELOG: first line, newest entry equal to the version, or a pending changeset', () => {
    writeFileSync(join(root, 'packages/a/CHANGELOG.md'), '# Changelog\n\n## 1.0.0\n');
    assertProblem(/must start with the line "# @x\/a"/);
    writeFileSync(join(root, 'packages/a/CHANGELOG.md'), '# @x/a\n\n## 0.9.0\n');
    assertProblem(/newest entry is ## 0\.9\.0, but package\.json says 1\.0\.0/);
    rmSync(join(root, 'packages/a/CHANGELOG.md'));
    assertProblem(/no CHANGELOG\.md and no pending changeset/);
    mkdirSync(join(root, '.changeset'));
    writeFileSync(join(root, '.changeset/new.md'), '---\n"@x/a": major\n---\n\nFirst release.\n');
    assert.deepEqual(problemsOfA(), []);
  });

  test('the command exits 1 and names the package', async () => {
    rmSync(join(root, 'packages/a/LICENSE'));
    const r = await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts/check-packages.mjs'), root]).catch((e) => e);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /✖ @x\/a\n {4}no LICENSE file/);
  });
});

describe('check-packages --fix', () => {
  beforeEach(() => readyRepo());

  test('repairs a bare new package except its CHANGELOG, keeping key order, code blocks and text', () => {
    const dir = join(root, 'packages/a');
    rmSync(join(dir, 'LICENSE'));
    rmSync(join(dir, 'CHANGELOG.md'));
    const bare = {
      name: '@x/a',
      version: '0.1.0',
      description: 'A.',
      license: 'ISC',
      type: 'module',
      files: ['dist', 'README.md'],
      scripts: { build: 'tsup', publint: 'publint' },
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(bare, null, 2));
    const readme = [
      '# @x/a',
      '',
      'See [the guide](../../docs/guide.md#gateway-chaining), [b][b] and ../../docs/guide.md in text.',
      '',
      '```md',
      '[the guide](../../docs/guide.md#gateway-chaining)',
      '```',
      '',
      '[b]: ../b',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'README.md'), readme);

    const done = fixPackage(root, { dir, rel: 'packages/a' });
    assert.deepEqual(done, [
      'LICENSE copied from the root',
      'package.json: license, repository, homepage, bugs',
      'package.json: files + LICENSE, CHANGELOG.md',
      'package.json: scripts.prepack',
      'README.md: links made absolute',
    ]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(pkg), [
      'name',
      'version',
      'description',
      'license',
      'repository',
      'homepage',
      'bugs',
      'type',
      'files',
      'scripts',
    ]);
    assert.deepEqual(Object.keys(pkg.scripts), ['build', 'prepack', 'publint']);
    assert.equal(pkg.version, '0.1.0', 'the version is a decision, not a fix');
    const fixed = readFileSync(join(dir, 'README.md'), 'utf8').split('\n');
    assert.equal(
      fixed[2],
      `See [the guide](${REPO_URL}/blob/main/docs/guide.md#gateway-chaining), [b][b] and ../../docs/guide.md in text.`,
    );
    assert.equal(fixed[5], '[the guide](../../docs/guide.md#gateway-chaining)', 'code block unchanged');
    assert.equal(fixed[8], `[b]: ${REPO_URL}/tree/main/packages/b`);

    assert.deepEqual(problemsOfA(), [
      'no CHANGELOG.md and no pending changeset: before the first release, version 1.0.0 and a CHANGELOG.md with its ' +
        '"## 1.0.0" entry; after it, a changeset (CONTRIBUTING.md, Releases)',
    ]);
    assert.deepEqual(fixPackage(root, { dir, rel: 'packages/a' }), [], 'a second run changes nothing');
  });

  test('leaves a ready package byte for byte as it was', () => {
    const dir = join(root, 'packages/a');
    const before = ['package.json', 'README.md', 'LICENSE'].map((f) => readFileSync(join(dir, f), 'utf8'));
    assert.deepEqual(fixPackage(root, { dir, rel: 'packages/a' }), []);
    assert.deepEqual(
      ['package.json', 'README.md', 'LICENSE'].map((f) => readFileSync(join(dir, f), 'utf8')),
      before,
    );
  });
});

describe('README links', () => {
  test('inline links, images, reference definitions and HTML, with their lines; code is skipped', () => {
    const md = [
      '# T', // 1
      'A [link](../a.md "title") and ![img](<img/x.png>).', // 2
      '`[not](../code)` and [ok](#t)', // 3
      '```md', // 4
      '[fenced](../fenced)', // 5
      '```', // 6
      '    [indented](../indented)', // 7
      '[ref]: ../ref.md', // 8
      '<a href="../html.md">x</a> <img src=\'pic.png\'>', // 9
    ].join('\n');
    assert.deepEqual(extractLinks(md), [
      { url: '../a.md', line: 2 },
      { url: 'img/x.png', line: 2 },
      { url: '#t', line: 3 },
      { url: '../ref.md', line: 8 },
      { url: '../html.md', line: 9 },
      { url: 'pic.png', line: 9 },
    ]);
  });

  test('heading anchors as GitHub makes them', () => {
    const anchors = headingAnchors(
      '# @scimgw/core\n## Gateway chaining\n## `SEED` & keys!\n## Memory\n## Memory\n<a id="custom"></a>',
    );
    for (const a of ['scimgwcore', 'gateway-chaining', 'seed--keys', 'memory', 'memory-1', 'custom']) {
      assert.ok(anchors.has(a), `${a} in ${[...anchors].join(', ')}`);
    }
  });

  test('what is accepted and what is refused', () => {
    const r = readyRepo();
    const dir = join(r, 'packages/a');
    const file = join(dir, 'README.md');
    const check = (link) => {
      writeFileSync(file, `# @x/a\n\n## Usage\n\n${link}\n`);
      return linkProblems({ root: r, packageDir: dir, file }).map((p) => p.problem);
    };
    assert.deepEqual(check('[in](examples/one.json) [anchor](#usage) [web](https://example.org/x) [mail](mailto:a@b.c)'), []);
    assert.deepEqual(
      check(`[guide](${REPO_URL}/blob/main/docs/guide.md#gateway-chaining) [dir](${REPO_URL}/tree/main/docs)`),
      [],
    );
    assert.match(check('[x](../b)')[0], /leaves the package folder/);
    assert.match(check('[x](./examples/../../b/package.json)')[0], /leaves the package folder/);
    assert.match(check('[x](/docs/guide.md)')[0], /root-relative link/);
    assert.match(check('[x](//example.org)')[0], /protocol-relative/);
    assert.match(check('[x](examples/two.json)')[0], /does not exist in the package folder/);
    assert.match(check('[x](#nope)')[0], /no heading in this file has the anchor #nope/);
    assert.match(check(`[x](${REPO_URL}/blob/main/docs/gone.md)`)[0], /docs\/gone\.md does not exist in the repository/);
    assert.match(check(`[x](${REPO_URL}/blob/main/docs/guide.md#nope)`)[0], /no heading in guide\.md has the anchor #nope/);
    assert.match(check(`[x](${REPO_URL}/blob/main/docs)`)[0], /is a folder: use \/tree\/main\//);
    assert.match(check(`[x](${REPO_URL}/tree/main/docs/guide.md)`)[0], /is a file: use \/blob\/main\//);
  });
});

test('the repository LICENSE is MIT for "the scimgw authors", 2026', () => {
  assert.match(LICENSE, /^MIT License\n\nCopyright \(c\) 2026 the scimgw authors\n/);
});
