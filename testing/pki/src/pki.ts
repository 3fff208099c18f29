/**
 * Throwaway certificates for tests, made with the openssl command line: a CA, a server
 * certificate for 127.0.0.1 and localhost signed by it, a client certificate (mutual TLS) and an
 * unrelated self-signed certificate no test trusts. Valid two days; the files live in a temporary
 * folder the caller removes with `cleanup()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverCertificateRecipe, writeRecipeSync } from './server-certificates.js';

/** PEM texts of a test PKI, and the folder holding them as files. */
export interface TestPki {
  /** Folder with ca.pem, server.pem, server.key, client.pem, client.key, other.pem, other.key. */
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second, unrelated self-signed certificate (untrusted). */
  otherCert: string;
  otherKey: string;
  cleanup(): void;
}

/** Options of {@link makeTestPki}. */
export interface TestPkiOptions {
  /** Subject alternative names of the server certificate. Default `IP:127.0.0.1, DNS:localhost`. */
  serverNames?: string[];
  /** Common name of the CA (shows in TLS errors). Default `scimgw test CA`. */
  caName?: string;
  /** Common name of the client certificate. Default `scimgw-test-client`. */
  clientName?: string;
}

/**
 * Makes a CA, a server certificate, a client certificate and an untrusted one.
 *
 * @example
 * const pki = makeTestPki();
 * https.createServer({ key: pki.serverKey, cert: pki.serverCert }, handler);
 * // … fetch with `ca: pki.caCert` …
 * pki.cleanup();
 */
export function makeTestPki(options: TestPkiOptions = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-pki-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  const names = options.serverNames ?? ['IP:127.0.0.1', 'DNS:localhost'];
  const key = ['-newkey', 'rsa:2048', '-nodes'];
  const server = writeRecipeSync(
    serverCertificateRecipe(dir, { key: 'rsa', caName: options.caName, serverName: '127.0.0.1' }, names.join(',')),
  );
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  ossl(
    'req',
    ...key,
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    `/CN=${options.clientName ?? 'scimgw-test-client'}`,
  );
  ossl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.pem',
    '-days',
    '2',
    '-extfile',
    'client.ext',
  );
  ossl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'other.key',
    '-out',
    'other.pem',
    '-subj',
    '/CN=127.0.0.1',
    '-days',
    '2',
    '-addext',
    `subjectAltName=${names.join(',')}`,
  );
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caCert: server.ca,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    otherCert: read('other.pem'),
    otherKey: read('other.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
