/**
 * Certificate credentials: the PEM private key and certificate (or a PKCS#12 file) of an app
 * registration, read once at startup and turned into what msal-node takes (an unencrypted PKCS#8
 * key and the certificate's SHA-256 thumbprint).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import forge from 'node-forge';

/** What msal-node's `clientCertificate` needs. */
export interface CertificateCredential {
  privateKey: string;
  thumbprintSha256: string;
  /** The certificate PEM (sent as `x5c` only when asked for). */
  certificatePem: string;
}

/** A PEM value given inline, or a file name resolved against `certsDir`. */
export function readPemOrFile(value: string, certsDir: string, what: string): string {
  if (value.includes('-----BEGIN')) return value;
  const path = isAbsolute(value) ? value : join(certsDir, value);
  if (!existsSync(path)) throw new Error(`${what}: file not found: ${path}`);
  return readFileSync(path, 'utf8');
}

function readBinary(value: string, certsDir: string, what: string): Buffer {
  const path = isAbsolute(value) ? value : join(certsDir, value);
  if (existsSync(path)) return readFileSync(path);
  if (/^[A-Za-z0-9+/=\s]{64,}$/.test(value)) return Buffer.from(value.replace(/\s+/g, ''), 'base64');
  throw new Error(`${what}: file not found: ${path}`);
}

function fromPem(keyPem: string, certPem: string, passphrase: string | undefined): CertificateCredential {
  const key = createPrivateKey(passphrase ? { key: keyPem, passphrase } : { key: keyPem });
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the certificate key must be an RSA key');
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(key)) throw new Error('the private key does not belong to the certificate');
  return {
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    certificatePem: cert.toString(),
  };
}

/** Unpacks a PKCS#12 file: the first key bag and the certificate that matches it. */
function fromPfx(pfx: Buffer, passphrase: string | undefined): CertificateCredential {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
  const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase ?? '');
  const bags = (oid: string | undefined) => (oid ? (p12.getBags({ bagType: oid })[oid] ?? []) : []);
  const keyBags = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag), ...bags(forge.pki.oids.keyBag)];
  const certBags = bags(forge.pki.oids.certBag);
  const key = keyBags.find((b) => b.key)?.key;
  if (!key) throw new Error('the PFX file holds no private key');
  const keyPem = forge.pki.privateKeyToPem(key);
  for (const bag of certBags) {
    if (!bag.cert) continue;
    const certPem = forge.pki.certificateToPem(bag.cert);
    try {
      return fromPem(keyPem, certPem, undefined);
    } catch {
      // not the certificate of this key (a CA certificate in the chain)
    }
  }
  throw new Error('the PFX file holds no certificate for its private key');
}

/**
 * Loads a certificate credential from `tls` options (`key` + `cert`, or `pfx`), failing at
 * startup with a message that names the setting.
 */
export function loadCertificate(
  tls: { key?: string | null; cert?: string | null; pfx?: string | null; passphrase?: string | null },
  certsDir: string,
  where: string,
): CertificateCredential {
  const passphrase = tls.passphrase ?? undefined;
  try {
    if (tls.pfx) return fromPfx(readBinary(tls.pfx, certsDir, `${where}.pfx`), passphrase);
    if (!tls.key || !tls.cert) throw new Error('needs tls.key and tls.cert (PEM) or tls.pfx');
    return fromPem(
      readPemOrFile(tls.key, certsDir, `${where}.key`),
      readPemOrFile(tls.cert, certsDir, `${where}.cert`),
      passphrase,
    );
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}
