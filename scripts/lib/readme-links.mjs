// Links in a package README (and CHANGELOG) must work where the README is read: on GitHub and on the npm
// website. npm shows the README from the tarball, so a relative link that leaves the package
// folder (`../../docs/…`, `../core`) points nowhere there. Such links are absolute GitHub URLs;
// links inside the package folder may stay relative.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The repository every package's `repository`, `homepage` and README links point to. */
export const REPO_URL = 'https://github.com/scimgw/scimgw';
const BRANCH = 'main';

/**
 * Every link target in a Markdown text with its 1-based line: inline links and images,
 * reference definitions and HTML `href`/`src`. Code blocks and code spans are skipped.
 * @param {string} markdown
 * @returns {{ url: string, line: number }[]}
 * @example extractLinks('see [core](../core)') // [{ url: '../core', line: 1 }]
 */
export function extractLinks(markdown) {
  const links = [];
  let fence = null;
  markdown.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const open = raw.match(/^ {0,3}(`{3,}|~{3,})/);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && raw.trim() === open[1]) fence = null;
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    if (/^( {4}|\t)/.test(raw) && raw.trim() !== '') return; // indented code block
    const text = raw.replace(/(`+)[\s\S]*?\1/g, (m) => ' '.repeat(m.length));
    const def = text.match(/^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/);
    if (def) links.push({ url: unwrap(def[1]), line });
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g)) {
      links.push({ url: unwrap(m[1]), line });
    }
    for (const m of text.matchAll(/<(?:a|img|source)\b[^>]*?\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
      links.push({ url: m[1] ?? m[2], line });
    }
  });
  return links;
}

/**
 * The anchors GitHub (and npm) give the headings of a Markdown text, plus explicit HTML ids.
 * @param {string} markdown
 * @returns {Set<string>}
 * @example headingAnchors('## Gateway chaining') // Set { 'gateway-chaining' }
 */
export function headingAnchors(markdown) {
  const anchors = new Set();
  const seen = new Map();
  let fence = null;
  for (const raw of markdown.split(/\r?\n/)) {
    const open = raw.match(/^ {0,3}(`{3,}|~{3,})/);
    if (fence) {
      if (open && open[1][0] === fence[0] && raw.trim() === open[1]) fence = null;
      continue;
    }
    if (open) {
      fence = open[1];
      continue;
    }
    for (const m of raw.matchAll(/<[a-z]+\b[^>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(m[1]);
    const h = raw.match(/^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!h) continue;
    const slug = h[1]
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/**
 * Problems with the links of one Markdown file of a package (its README, its CHANGELOG).
 * @param {{ root: string, packageDir: string, file: string }} where the repository root, the
 *   package folder and the Markdown file (all absolute)
 * @returns {{ line: number, url: string, problem: string }[]} empty when every link works
 * @example linkProblems({ root, packageDir: join(root, 'packages/core'), file: join(root, 'packages/core/README.md') })
 */
export function linkProblems({ root, packageDir, file }) {
  const text = readFileSync(file, 'utf8');
  const problems = [];
  for (const { url, line } of extractLinks(text)) {
    const problem = linkProblem(url, { root, packageDir, text });
    if (problem) problems.push({ line, url, problem });
  }
  return problems;
}

function linkProblem(url, { root, packageDir, text }) {
  if (url === '') return 'empty link';
  if (url.startsWith('#')) {
    return headingAnchors(text).has(decode(url.slice(1))) ? null : `no heading in this file has the anchor ${url}`;
  }
  if (url.startsWith('//')) return 'protocol-relative link: write https://';
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return repoUrlProblem(url, root);
  if (url.startsWith('/')) {
    return `root-relative link: on the npm website it points into npmjs.com; use ${suggest(root, join(root, url.split(/[?#]/)[0]), hashOf(url))}`;
  }
  const path = decode(url.split(/[?#]/)[0]);
  const target = resolve(packageDir, path);
  const inside = relative(packageDir, target);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return `leaves the package folder, so it is broken on the npm website; use ${suggest(root, target, hashOf(url))}`;
  }
  if (!existsSync(target)) return `${path} does not exist in the package folder`;
  return anchorProblem(target, hashOf(url));
}

// Absolute links into this repository's main branch are checked against the working tree, so a
// moved or renamed document breaks the check rather than the published README.
function repoUrlProblem(url, root) {
  const prefix = new RegExp(`^${REPO_URL.replace(/[.]/g, '\\.')}/(blob|tree)/${BRANCH}/([^?#]*)`);
  const m = url.match(prefix);
  if (!m) return null;
  const target = join(root, decode(m[2]));
  if (!existsSync(target)) return `${m[2]} does not exist in the repository`;
  if (m[1] === 'blob' && statSync(target).isDirectory()) return `${m[2]} is a folder: use /tree/${BRANCH}/`;
  if (m[1] === 'tree' && !statSync(target).isDirectory()) return `${m[2]} is a file: use /blob/${BRANCH}/`;
  return anchorProblem(target, hashOf(url));
}

function anchorProblem(target, hash) {
  if (!hash || !target.endsWith('.md') || !statSync(target).isFile()) return null;
  const anchors = headingAnchors(readFileSync(target, 'utf8'));
  return anchors.has(decode(hash.slice(1))) ? null : `no heading in ${target.split(sep).pop()} has the anchor ${hash}`;
}

function suggest(root, target, hash) {
  const rel = relative(root, target).split(sep).join('/');
  const kind = existsSync(target) && statSync(target).isDirectory() ? 'tree' : 'blob';
  return `${REPO_URL}/${kind}/${BRANCH}/${rel}${hash}`;
}

function hashOf(url) {
  const i = url.indexOf('#');
  return i < 0 ? '' : url.slice(i);
}

function unwrap(url) {
  return url.startsWith('<') && url.endsWith('>') ? url.slice(1, -1) : url;
}

function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
