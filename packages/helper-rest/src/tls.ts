/**
 * Loads TLS material for outbound connections. Files live in the certs
 * directory (`<baseDir>/config/certs`) unless given as absolute paths, or the
 * config value may be PEM text itself.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { RestConfigError } from './errors.js';
import type { TlsConfig } from './types.js';

/** TLS options ready for undici's `connect` or Bun's `tls` fetch option. */
export interface LoadedTls {
  /** Runtime root CAs plus the configured ones (so public endpoints still verify). */
  ca?: string[];
  cert?: string;
  key?: string;
  passphrase?: string;
  rejectUnauthorized?: boolean;
}

/** Resolves a file reference against the certs directory. */
export function certPath(ref: string, certsDir: string): string {
  return isAbsolute(ref) ? ref : join(certsDir, ref);
}

/**
 * Reads PEM text from a file reference, or returns `ref` itself when it
 * already is PEM. Errors name the file, never its content.
 */
export function readPem(ref: string, certsDir: string, what: string): string {
  if (ref.includes('-----BEGIN')) return ref;
  const file = certPath(ref, certsDir);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new RestConfigError(`Cannot read ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
}

/**
 * Loads the TLS section of a connection. Returns `undefined` when nothing
 * differs from the runtime defaults, so no custom dispatcher is needed.
 */
export function loadTls(cfg: TlsConfig | null | undefined, certsDir: string): LoadedTls | undefined {
  if (!cfg) return undefined;
  const out: LoadedTls = {};
  const cas = cfg.ca === null || cfg.ca === undefined ? [] : Array.isArray(cfg.ca) ? cfg.ca : [cfg.ca];
  if (cas.length > 0) out.ca = [...rootCertificates, ...cas.map((c) => readPem(c, certsDir, 'tls.ca'))];
  if (cfg.cert) out.cert = readPem(cfg.cert, certsDir, 'tls.cert');
  if (cfg.key) out.key = readPem(cfg.key, certsDir, 'tls.key');
  if (cfg.passphrase) out.passphrase = cfg.passphrase;
  if (cfg.rejectUnauthorized === false) out.rejectUnauthorized = false;
  if (Boolean(out.cert) !== Boolean(out.key)) {
    throw new RestConfigError('tls.cert and tls.key must be configured together');
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
