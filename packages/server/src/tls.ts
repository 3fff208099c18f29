/** TLS material from the `certificate` / `pfx` configuration. */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ConfigError } from './config/errors.js';
import type { GatewayConfig } from './config/types.js';

/** Options for `https.createServer`, or undefined for plain HTTP. */
export interface TlsMaterial {
  key?: Buffer;
  cert?: Buffer;
  ca?: Buffer[];
  pfx?: Buffer;
  passphrase?: string;
}

function read(file: string, certsDir: string, path: string): Buffer {
  const p = isAbsolute(file) ? file : join(certsDir, file);
  try {
    return readFileSync(p);
  } catch (e) {
    throw new ConfigError(path, `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Reads key/cert/ca (PEM, several CAs allowed) or a PFX bundle. Files are
 * looked up in `certsDir` unless absolute.
 */
export function loadTls(g: GatewayConfig, certsDir: string): TlsMaterial | undefined {
  const pfx = g.pfx?.bundle ? g.pfx : g.certificate?.pfx?.bundle ? g.certificate.pfx : undefined;
  if (pfx?.bundle) {
    const m: TlsMaterial = { pfx: read(pfx.bundle, certsDir, 'scimgateway.pfx.bundle') };
    if (pfx.password) m.passphrase = pfx.password;
    return m;
  }
  const c = g.certificate;
  if (!c?.key && !c?.cert) return undefined;
  if (!c.key || !c.cert) throw new ConfigError('scimgateway.certificate', 'needs both "key" and "cert"');
  const m: TlsMaterial = {
    key: read(c.key, certsDir, 'scimgateway.certificate.key'),
    cert: read(c.cert, certsDir, 'scimgateway.certificate.cert'),
  };
  const cas = c.ca === undefined || c.ca === null ? [] : Array.isArray(c.ca) ? c.ca : [c.ca];
  if (cas.length) m.ca = cas.map((f, i) => read(f, certsDir, `scimgateway.certificate.ca${Array.isArray(c.ca) ? `[${i}]` : ''}`));
  return m;
}
