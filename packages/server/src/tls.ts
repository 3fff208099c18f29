/** TLS material from the `certificate` / `pfx` configuration. */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
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
    return usable(m, g.pfx?.bundle ? 'scimgateway.pfx' : 'scimgateway.certificate.pfx');
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
  return usable(m, 'scimgateway.certificate');
}

/** What OpenSSL's codes mean to someone editing the configuration. */
const TLS_PROBLEMS: [RegExp, string][] = [
  // OpenSSL spells them with spaces, BoringSSL (Bun) with underscores.
  [/key[ _](values|type)[ _]mismatch/i, 'the key does not belong to the certificate'],
  [/mac[ _]verify[ _]failure|bad[ _]decrypt/i, 'the password does not open it'],
  [
    /no[ _]start[ _]line|unsupported|bad[ _]base64|wrong[ _]tag|not[ _]enough[ _]data|header[ _]too[ _]long|decode[ _]error/i,
    'a file is not a PEM key or certificate of a kind it can read',
  ],
];

/**
 * The material, once OpenSSL has accepted it as a server's (the check `start` would otherwise
 * fail at when it listens, blaming the port): a key that does not match its certificate, a file
 * that is not PEM, a PFX whose password is wrong are configuration errors, named by `path`
 * (without the password).
 */
function usable(m: TlsMaterial, path: string): TlsMaterial {
  try {
    createSecureContext(m);
    // OpenSSL keeps a key and a certificate of different kinds (an EC key, an RSA certificate) side
    // by side without a word, and every handshake then fails: compare them here.
    if (m.key && m.cert && !matches(m.key, m.cert, m.passphrase)) throw new Error('key values mismatch');
  } catch (e) {
    const message = (e as Error).message;
    const meaning = TLS_PROBLEMS.find(([re]) => re.test(message))?.[1];
    throw new ConfigError(path, `${meaning ?? 'the TLS material is not usable'} (${message})`);
  }
  return m;
}

/** Whether the private key belongs to the (first) certificate; true where the runtime cannot tell. */
function matches(key: Buffer, cert: Buffer, passphrase: string | undefined): boolean {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return true; // Not a form this runtime's X509Certificate reads: createSecureContext accepted it.
  }
  if (typeof x509.checkPrivateKey !== 'function') return true; // a runtime without it: listen decides
  return x509.checkPrivateKey(createPrivateKey(passphrase === undefined ? key : { key, passphrase }));
}
