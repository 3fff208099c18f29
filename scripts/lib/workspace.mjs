// The workspace's packages, read from pnpm-workspace.yaml (entries `dir/*` or `dir`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding pnpm-workspace.yaml). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Every workspace package under `root`.
 * @param {string} [root]
 * @returns {{ dir: string, rel: string, pkg: Record<string, any> }[]} `dir` absolute, `rel` with `/`
 * @example workspacePackages().filter((p) => !p.pkg.private) // what gets published
 */
export function workspacePackages(root = repoRoot) {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = yaml.match(/^packages:\s*\n((?:[ \t]+-.*\n?)+)/m);
  if (!block) throw new Error('pnpm-workspace.yaml: no packages list');
  const globs = [...block[1].matchAll(/-\s*['"]?([^'"\n#]+?)['"]?\s*(?:#.*)?$/gm)].map((m) => m[1]);
  const dirs = [];
  for (const glob of globs) {
    if (glob.endsWith('/*')) {
      const parent = join(root, glob.slice(0, -2));
      if (existsSync(parent)) for (const name of readdirSync(parent).sort()) dirs.push(join(parent, name));
    } else if (!glob.includes('*')) dirs.push(join(root, glob));
    else throw new Error(`pnpm-workspace.yaml: pattern ${glob} is not supported by scripts/lib/workspace.mjs`);
  }
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({
      dir,
      rel: relative(root, dir).split(sep).join('/'),
      pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
    }));
}

/** The workspace packages that are published (not `private`). */
export function publishedPackages(root = repoRoot) {
  return workspacePackages(root).filter((p) => p.pkg.private !== true);
}
