import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway certificate authority and a server certificate it signed, for TLS tests. */
export interface TestCertificates {
  /** The directory holding the files; {@link dispose} removes it. */
  readonly dir: string;
  /** PEM of the CA certificate (what a client trusts). */
  readonly ca: string;
  /** Path of the CA certificate (for `tlsCAFile`). */
  readonly caFile: string;
  /** PEM of the server certificate (for `localhost`, `127.0.0.1` and `::1`). */
  readonly cert: string;
  /** PEM of the server's private key. */
  readonly key: string;
  /** Removes the files. */
  dispose(): Promise<void>;
}

/**
 * Creates a CA and a server certificate with the `openssl` command line (EC P-256, valid two days).
 *
 * @example
 * const certs = await createTestCertificates();
 * const srv = await startMongoWireServer({ tls: { cert: certs.cert, key: certs.key } });
 */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'mongo-wire-tls-'));
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=scimgw mongo-wire test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
    await writeFile(
      file('server.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.pem'),
      '-days',
      '2',
      '-extfile',
      file('server.ext'),
    ]);
    const [ca, cert, key] = await Promise.all([
      readFile(file('ca.pem'), 'utf8'),
      readFile(file('server.pem'), 'utf8'),
      readFile(file('server.key'), 'utf8'),
    ]);
    return { dir, ca, caFile: file('ca.pem'), cert, key, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
