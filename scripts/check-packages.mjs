#!/usr/bin/env node
// Checks every published workspace package (not `private`) is ready to publish, as the release
// procedure in CONTRIBUTING.md expects: the LICENSE in its folder and tarball, repository /
// homepage / bugs, the `prepack` build check, README links that work on the npm website, and a
// CHANGELOG.md whose newest entry is the version in package.json. Part of `npm test`.
// Usage: node scripts/check-packages.mjs [--fix] [repository root]
// --fix first repairs what is mechanical (LICENSE, package.json metadata and `files`, prepack,
// links leaving the package folder); versions and CHANGELOG text are left to you.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectedMetadata, fixPackage, REQUIRED_FILES } from './lib/package-rules.mjs';
import { linkProblems } from './lib/readme-links.mjs';
import { publishedPackages, repoRoot } from './lib/workspace.mjs';

/**
 * Problems of every published package under `root`, keyed by package name.
 * @param {string} root the repository root
 * @returns {Map<string, string[]>} only packages with problems
 */
export function packageProblems(root) {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const pending = pendingChangesetPackages(root);
  const result = new Map();
  for (const { dir, rel, pkg } of publishedPackages(root)) {
    const problems = [];
    const say = (msg) => problems.push(msg);
    const file = (name) => join(dir, name);

    const want = expectedMetadata(root, rel);
    if (pkg.license !== want.license) say(`"license" is ${JSON.stringify(pkg.license)}, not "${want.license}"`);
    if (!existsSync(file('LICENSE'))) say('no LICENSE file: copy the root LICENSE into the package folder');
    else if (readFileSync(file('LICENSE'), 'utf8') !== license) say('LICENSE differs from the root LICENSE');
    const files = Array.isArray(pkg.files) ? pkg.files : [];
    for (const f of REQUIRED_FILES) if (!files.includes(f)) say(`"files" does not list ${f}`);

    if (JSON.stringify(pkg.repository) !== JSON.stringify(want.repository)) {
      say(`"repository" must be ${JSON.stringify(want.repository)}`);
    }
    if (pkg.homepage !== want.homepage) say(`"homepage" must be "${want.homepage}"`);
    const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
    if (bugs !== want.bugs) say(`"bugs" must be "${want.bugs}"`);

    if (pkg.scripts?.prepack !== want.prepack)
      say(`scripts.prepack must be "${want.prepack}" (packing an unbuilt package fails)`);
    if (!pkg.scripts?.publint) say('no scripts.publint ("publint && attw --pack . --profile esm-only")');

    if (!existsSync(file('README.md'))) say('no README.md');
    else {
      for (const p of linkProblems({ root, packageDir: dir, file: file('README.md') })) {
        say(`README.md:${p.line}: ${p.url}: ${p.problem}`);
      }
    }

    const changelog = file('CHANGELOG.md');
    if (existsSync(changelog)) {
      const text = readFileSync(changelog, 'utf8');
      for (const p of linkProblems({ root, packageDir: dir, file: changelog }))
        say(`CHANGELOG.md:${p.line}: ${p.url}: ${p.problem}`);
      const first = text.split('\n', 1)[0];
      if (first !== `# ${pkg.name}`)
        say(`CHANGELOG.md must start with the line "# ${pkg.name}" (changesets adds entries below it)`);
      const newest = text.match(/^## (\S+)/m)?.[1];
      if (newest !== pkg.version) {
        say(`CHANGELOG.md's newest entry is ${newest ? `## ${newest}` : 'missing'}, but package.json says ${pkg.version}`);
      }
    } else if (!pending.has(pkg.name)) {
      say(
        'no CHANGELOG.md and no pending changeset: before the first release, version 1.0.0 and a CHANGELOG.md with its ' +
          '"## 1.0.0" entry; after it, a changeset (CONTRIBUTING.md, Releases)',
      );
    }
    if (problems.length > 0) result.set(pkg.name ?? rel, problems);
  }
  return result;
}

/** Names of the packages the changesets in `.changeset/` will release. */
function pendingChangesetPackages(root) {
  const dir = join(root, '.changeset');
  const names = new Set();
  if (!existsSync(dir)) return names;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.md') || f === 'README.md') continue;
    const front = readFileSync(join(dir, f), 'utf8').match(/^---\r?\n([\s\S]*?)\r?\n---/);
    for (const m of front?.[1].matchAll(/^\s*["']?([^"':\s]+)["']?\s*:/gm) ?? []) names.add(m[1]);
  }
  return names;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const args = process.argv.slice(2);
  const fix = args.includes('--fix');
  const root = resolve(args.find((a) => a !== '--fix') ?? repoRoot);
  if (fix) {
    for (const p of publishedPackages(root)) {
      for (const change of fixPackage(root, p)) console.log(`fixed ${p.pkg.name}: ${change}`);
    }
  }
  const problems = packageProblems(root);
  const count = publishedPackages(root).length;
  if (problems.size === 0) {
    console.log(`✔ ${count} published packages ready to publish (LICENSE, metadata, prepack, README links, CHANGELOG)`);
  } else {
    for (const [name, list] of problems) {
      console.error(`✖ ${name}`);
      for (const p of list) console.error(`    ${p}`);
    }
    const hint = fix ? '' : ' `node scripts/check-packages.mjs --fix` repairs the mechanical ones;';
    console.error(
      `\n${problems.size} of ${count} published packages are not ready to publish.${hint} see CONTRIBUTING.md (Releases).`,
    );
    process.exit(1);
  }
}
