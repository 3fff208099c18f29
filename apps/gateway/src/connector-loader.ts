/** Loads a connector package by name, so a deployment installs only the connectors it uses. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConnectorFactory } from '@scimgw/core';
import { bundledConnector } from './bundled.js';

/** A loaded connector package: its exports and its package.json (when found). */
export interface ConnectorModule {
  exports: Record<string, unknown>;
  packageJson: Record<string, unknown> | undefined;
}

/** Resolves `pkg` from the gateway's own dependencies, else from `cwd` (a deployment folder). */
function resolveEntry(pkg: string, cwd: string): string {
  const from = [import.meta.url, pathToFileURL(join(cwd, 'noop.js')).href];
  let first: unknown;
  for (const base of from) {
    try {
      return createRequire(base).resolve(pkg);
    } catch (e) {
      first ??= e;
    }
  }
  throw new Error(`connector package "${pkg}" is not installed (npm install ${pkg})`, { cause: first });
}

/** The package.json of the package `entry` belongs to: the nearest one up that names `pkg`. */
function packageJsonOf(entry: string, pkg: string): Record<string, unknown> | undefined {
  let dir = dirname(entry);
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        if (json.name === pkg) return json;
      } catch {}
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * Imports a connector package (from the gateway's dependencies, else from `cwd`), with its
 * package.json. Throws an Error saying how to install it when it cannot be found.
 */
export async function loadConnectorModule(pkg: string, cwd = process.cwd()): Promise<ConnectorModule> {
  // A single executable carries its connectors: nothing to resolve on disk.
  const bundled = bundledConnector(pkg);
  if (bundled) return bundled;
  const entry = resolveEntry(pkg, cwd);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`connector package "${pkg}" cannot be loaded: ${(e as Error).message}`);
  }
  return { exports, packageJson: packageJsonOf(entry.startsWith('file:') ? fileURLToPath(entry) : entry, pkg) };
}

/**
 * Where a connector package is on disk: its entry file and package.json (resolved as
 * {@link loadConnectorModule} does). `scimgw build-binary` compiles these into the executable.
 */
export function resolveConnectorPackage(
  pkg: string,
  cwd = process.cwd(),
): { entry: string; packageJson: Record<string, unknown> | undefined } {
  const entry = resolveEntry(pkg, cwd);
  return { entry, packageJson: packageJsonOf(entry, pkg) };
}

/** The `createConnector` export of a connector package. */
export async function loadConnectorFactory(pkg: string, cwd = process.cwd()): Promise<ConnectorFactory> {
  const mod = await loadConnectorModule(pkg, cwd);
  if (typeof mod.exports.createConnector !== 'function') throw new Error(`package "${pkg}" does not export createConnector()`);
  return mod.exports.createConnector as ConnectorFactory;
}
