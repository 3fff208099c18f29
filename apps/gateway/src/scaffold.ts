/**
 * `scimgw new-connector <name>`: writes a connector package that passes the Connector contract kit
 * as generated (ESM, tsup, vitest, a validated `endpoint` section, `@scimgw/core` as a peer
 * dependency). Nothing is written outside the folder it creates.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_VERSION } from '@scimgw/core';

const templates = join(dirname(fileURLToPath(import.meta.url)), '..', 'templates', 'connector');

/** npm's rules for a package name (lower case, URL-safe, optional scope). */
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

function versionOf(pkg: string, fallback: string): string {
  try {
    const file = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return fallback;
  }
}

/** The major.0.0 of a version, so a scaffold accepts every compatible release. */
const baseline = (v: string) => `${v.split('.')[0]}.0.0`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/**
 * Writes a connector package named `name` into `dir` (default: a folder named after the package).
 * Throws an Error when the name is not a valid npm package name or the folder is not empty.
 *
 * @returns the folder written
 */
export function scaffoldConnector(name: string, dir: string | undefined, cwd: string): string {
  if (!PACKAGE_NAME.test(name)) {
    throw new Error(`"${name}" is not a valid npm package name (lower case letters, digits, . _ ~ -, optionally @scope/)`);
  }
  const target = resolve(cwd, dir ?? basename(name));
  if (existsSync(target) && readdirSync(target).length > 0) throw new Error(`${target} exists and is not empty`);
  const values: Record<string, string> = {
    name,
    title: basename(name),
    file: basename(name),
    coreVersion: baseline(CORE_VERSION),
    configVersion: baseline(versionOf('@scimgw/config', CORE_VERSION)),
  };
  for (const src of files(templates)) {
    const rel = relative(templates, src).replace(/\.tmpl$/, '');
    const out = join(target, rel);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      readFileSync(src, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole),
    );
  }
  return target;
}
