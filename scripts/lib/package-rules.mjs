// What every published package's package.json says about where it comes from, and how
// `check-packages.mjs --fix` writes it: one place for the values the check expects.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { extractLinks, linkProblems, REPO_URL } from './readme-links.mjs';

/** Files every published package lists in `files`, besides its build output. */
export const REQUIRED_FILES = ['README.md', 'LICENSE', 'CHANGELOG.md'];

/**
 * The metadata a published package in folder `rel` (e.g. `packages/core`) must have.
 * @param {string} root the repository root
 * @param {string} rel the package folder relative to `root`, with `/`
 * @example expectedMetadata(root, 'packages/core').homepage // 'https://github.com/scimgw/scimgw/tree/main/packages/core#readme'
 */
export function expectedMetadata(root, rel) {
  const checkBuilt = relative(join(root, rel), join(root, 'scripts', 'check-built.mjs'))
    .split(sep)
    .join('/');
  return {
    license: 'MIT',
    repository: { type: 'git', url: `git+${REPO_URL}.git`, directory: rel },
    homepage: `${REPO_URL}/tree/main/${rel}#readme`,
    bugs: `${REPO_URL}/issues`,
    prepack: `node ${checkBuilt}`,
  };
}

/**
 * Fixes what can be fixed mechanically in one published package: copies the root LICENSE, sets
 * `license`, `repository`, `homepage`, `bugs` and `scripts.prepack`, lists the required files, and
 * rewrites README/CHANGELOG links that leave the package folder to the GitHub URLs the check
 * suggests. Versions and CHANGELOG text are left to a person.
 * @param {string} root the repository root
 * @param {{ dir: string, rel: string }} pkg the package folder, absolute and relative
 * @returns {string[]} what was changed
 */
export function fixPackage(root, { dir, rel }) {
  const done = [];
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const licenseFile = join(dir, 'LICENSE');
  if (!existsSync(licenseFile) || readFileSync(licenseFile, 'utf8') !== license) {
    copyFileSync(join(root, 'LICENSE'), licenseFile);
    done.push('LICENSE copied from the root');
  }

  const manifestFile = join(dir, 'package.json');
  const text = readFileSync(manifestFile, 'utf8');
  const pkg = JSON.parse(text);
  const want = expectedMetadata(root, rel);
  const top = { license: want.license, repository: want.repository, homepage: want.homepage, bugs: want.bugs };
  const bugsUrl = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
  const wrong = Object.keys(top).filter((k) =>
    k === 'bugs' ? bugsUrl !== want.bugs : JSON.stringify(pkg[k]) !== JSON.stringify(top[k]),
  );
  // Keep the manifest's key order; put missing keys after `description` (or `version`).
  const anchor = 'description' in pkg ? 'description' : 'version';
  let out = {};
  for (const [k, v] of Object.entries(pkg)) {
    if (k in top && wrong.includes(k)) continue;
    out[k] = v;
    if (k === anchor) for (const w of wrong) out[w] = top[w];
  }
  if (!(anchor in pkg)) out = { ...out, ...Object.fromEntries(wrong.map((w) => [w, top[w]])) };
  if (wrong.length > 0) done.push(`package.json: ${wrong.join(', ')}`);

  const files = Array.isArray(out.files) ? [...out.files] : ['dist'];
  const missingFiles = REQUIRED_FILES.filter((f) => !files.includes(f));
  if (missingFiles.length > 0) {
    out.files = [...files, ...missingFiles];
    done.push(`package.json: files + ${missingFiles.join(', ')}`);
  }
  const scripts = { ...(out.scripts ?? {}) };
  if (scripts.prepack !== want.prepack) {
    const ordered = {};
    for (const [k, v] of Object.entries(scripts)) {
      if (k === 'prepack') continue;
      if (k === 'publint') ordered.prepack = want.prepack;
      ordered[k] = v;
    }
    if (!('prepack' in ordered)) ordered.prepack = want.prepack;
    out.scripts = ordered;
    done.push('package.json: scripts.prepack');
  }
  if (done.some((d) => d.startsWith('package.json'))) {
    const indent = text.match(/^[ \t]+(?=")/m)?.[0] ?? '  ';
    writeFileSync(manifestFile, `${JSON.stringify(out, null, indent)}\n`);
  }

  for (const name of ['README.md', 'CHANGELOG.md']) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    let md = readFileSync(file, 'utf8');
    const before = md;
    for (const p of linkProblems({ root, packageDir: dir, file })) {
      const url = p.problem.match(/; use (https:\/\/\S+)$/)?.[1];
      if (!url) continue;
      md = replaceLinkTarget(md, p.url, url);
    }
    if (md !== before) {
      writeFileSync(file, md);
      done.push(`${name}: links made absolute`);
    }
  }
  return done;
}

// Replaces a link target on the lines where extractLinks found it as one (inline link, reference
// definition, HTML attribute), so running text and code blocks stay as they are.
function replaceLinkTarget(md, from, to) {
  const lines = new Set(
    extractLinks(md)
      .filter((l) => l.url === from)
      .map((l) => l.line),
  );
  const esc = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = [
    [new RegExp(`\\]\\(\\s*<?${esc}>?(?=[\\s)])`, 'g'), `](${to}`],
    [new RegExp(`^( {0,3}\\[[^\\]]+\\]:\\s*)<?${esc}>?(?=\\s|$)`), `$1${to}`],
    [new RegExp(`(\\s(?:href|src)\\s*=\\s*["'])${esc}(?=["'])`, 'gi'), `$1${to}`],
  ];
  const eol = md.includes('\r\n') ? '\r\n' : '\n';
  return md
    .split(/\r?\n/)
    .map((line, i) => (lines.has(i + 1) ? patterns.reduce((l, [re, rep]) => l.replace(re, rep), line) : line))
    .join(eol);
}
