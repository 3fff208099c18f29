import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeServerCertificatesAsync } from '@scimgw/testing-pki';

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
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const { ca, caFile, cert, key } = await writeServerCertificatesAsync(dir, { caName: 'scimgw mongo-wire test CA' });
    return { dir, ca, caFile, cert, key, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
