// The files a package.json promises to its users: every path its `exports`, `main`, `module`,
// `types`, `typings` and `bin` fields name. A tarball without one of them installs but breaks
// on import, so `prepack` (scripts/check-built.mjs) refuses to pack while any is missing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * Every file path a manifest points to, with the field that names it.
 * @param {Record<string, unknown>} pkg a parsed package.json
 * @returns {{ field: string, target: string }[]} targets relative to the package folder (`./` removed)
 * @example entryPoints({ main: './dist/index.js' }) // [{ field: 'main', target: 'dist/index.js' }]
 */
export function entryPoints(pkg) {
  const found = [];
  const add = (field, value) => {
    if (typeof value === 'string') found.push({ field, target: posix.normalize(value).replace(/^\.\//, '') });
  };
  const walk = (field, value) => {
    if (typeof value === 'string') add(field, value);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(`${field}[${i}]`, v);
    } else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value))
        walk(/^[A-Za-z_$][\w$]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`, v);
    }
  };
  walk('exports', pkg.exports);
  for (const field of ['main', 'module', 'types', 'typings']) add(field, pkg[field]);
  if (typeof pkg.bin === 'string') add('bin', pkg.bin);
  else if (pkg.bin && typeof pkg.bin === 'object') for (const [name, v] of Object.entries(pkg.bin)) add(`bin.${name}`, v);
  return found;
}

/**
 * The entry points of the package in `dir` that do not exist on disk. A pattern target
 * (`./dist/*.js`) counts as present when at least one file matches it.
 * @param {string} dir the package folder
 * @param {Record<string, unknown>} pkg its parsed package.json
 */
export function missingEntryPoints(dir, pkg) {
  return entryPoints(pkg).filter(
    ({ target }) => !(target.includes('*') ? patternMatches(dir, target) : isFile(join(dir, target))),
  );
}

function isFile(path) {
  return existsSync(path) && statSync(path).isFile();
}

function patternMatches(dir, target) {
  const star = target.indexOf('*');
  const base = target.slice(0, target.lastIndexOf('/', star) + 1);
  const escaped = target.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.+');
  const re = new RegExp(`^${escaped}$`);
  const files = [];
  const walk = (rel) => {
    const abs = join(dir, rel);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) return;
    for (const name of readdirSync(abs)) {
      const child = rel + name;
      if (statSync(join(dir, child)).isDirectory()) walk(`${child}/`);
      else files.push(child);
    }
  };
  walk(base);
  return files.some((f) => re.test(f));
}
