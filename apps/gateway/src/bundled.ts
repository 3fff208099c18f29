/**
 * What a single executable carries inside it: the connector packages it was built with and the
 * gateway's own files (the example configuration, its JSON Schema, package.json). A normal
 * installation registers nothing and reads everything from the file system.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A connector package compiled into the executable. */
export interface BundledConnector {
  exports: Record<string, unknown>;
  packageJson: Record<string, unknown> | undefined;
}

/** The contents of a single executable: connectors by package name, files by path in the gateway package. */
export interface Bundle {
  connectors: Record<string, BundledConnector>;
  /** Text of the gateway package's files, by path relative to the package ("examples/connector-loki.json"). */
  files: Record<string, string>;
}

let current: Bundle | undefined;

/** Registers the executable's contents; called once, first thing, by the executable's entry point. */
export function registerBundle(bundle: Bundle): void {
  current = bundle;
}

/** The bundled connector package `name`, when this process is a single executable that carries it. */
export function bundledConnector(name: string): BundledConnector | undefined {
  return current ? current.connectors[name] : undefined;
}

/** Names of the connector packages compiled into this executable (empty for a normal installation). */
export function bundledConnectorNames(): string[] {
  return current ? Object.keys(current.connectors) : [];
}

/** True in a single executable: there is no gateway package folder to read files from. */
export function isBundled(): boolean {
  return current !== undefined;
}

/**
 * A file of the gateway package as text: from the executable when bundled, else from `pkgDir`.
 * Throws like readFileSync when the file is in neither.
 */
export function readGatewayFile(pkgDir: string, rel: string): string {
  const text = current?.files[rel];
  if (text !== undefined) return text;
  return readFileSync(join(pkgDir, rel), 'utf8');
}
