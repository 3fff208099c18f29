#!/usr/bin/env node
// `prepack` of every published package (`node ../../scripts/check-built.mjs`): packing a package
// that was not built must fail, not produce a tarball holding only package.json and README.md.
// Usage: node scripts/check-built.mjs [package folder]   (default: the current folder, as npm
// and pnpm run lifecycle scripts there)
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { missingEntryPoints } from './lib/entry-points.mjs';

const dir = resolve(process.argv[2] ?? process.cwd());
const manifest = join(dir, 'package.json');
if (!existsSync(manifest)) {
  console.error(`✖ check-built: no package.json in ${dir}`);
  process.exit(1);
}
const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
const missing = missingEntryPoints(dir, pkg);
if (missing.length > 0) {
  const name = pkg.name ?? dir;
  console.error(`✖ ${name} is not built: the files its package.json points to are missing, so it will not be packed.`);
  for (const { field, target } of missing) console.error(`    ${target}  (${field})`);
  console.error(`  Build it first: pnpm exec turbo run build --filter=${name}`);
  process.exit(1);
}
