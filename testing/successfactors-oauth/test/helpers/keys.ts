/**
 * Key pairs made with the openssl CLI, as an administrator makes the certificate of an OAuth client
 * application (SAP's guide uses `openssl req -x509`), so that the emulator is tested with a
 * certificate that did not come from its own code or Node's crypto.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  /** PKCS #8 PEM. */
  readonly privateKeyPem: string;
  /** A self-signed X.509 certificate of the key, PEM. */
  readonly certificatePem: string;
}

/** A new RSA 2048 key and a self-signed certificate valid for 30 days. */
export function openSslKeyPair(commonName = 'scimgw-test-client'): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'sf-oauth-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '30',
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'pipe' },
    );
    return { privateKeyPem: readFileSync(key, 'utf8'), certificatePem: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
