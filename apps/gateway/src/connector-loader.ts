/** Loads a connector package by name, so a deployment installs only the connectors it uses. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConnectorFactory } from '@scimgw/core';

/**
 * Imports `pkg` (from the gateway's own dependencies, else from the working
 * directory) and returns its `createConnector` export.
 */
export async function loadConnectorFactory(pkg: string, cwd = process.cwd()): Promise<ConnectorFactory> {
  let mod: { createConnector?: unknown };
  try {
    mod = (await import(pkg)) as { createConnector?: unknown };
  } catch (first) {
    try {
      const resolved = createRequire(join(cwd, 'noop.js')).resolve(pkg);
      mod = (await import(pathToFileURL(resolved).href)) as { createConnector?: unknown };
    } catch {
      throw new Error(`connector package "${pkg}" is not installed (npm install ${pkg}): ${(first as Error).message}`);
    }
  }
  if (typeof mod.createConnector !== 'function') throw new Error(`package "${pkg}" does not export createConnector()`);
  return mod.createConnector as ConnectorFactory;
}
