import { writeServerCertificatesAsync } from '@scimgw/testing-pki';

/** PEM material the emulator serves HTTPS and WSS with. */
export interface TlsMaterial {
  /** The test CA's certificate: what clients must trust. */
  readonly caPem: string;
  /** The server certificate, signed by the CA. */
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Makes a throwaway CA and a server certificate signed by it with the `openssl` CLI (P-256 keys,
 * valid for two days). The certificate names `127.0.0.1`, `::1`, `localhost` and every extra host
 * given (e.g. the namespace name).
 *
 * @param dir an empty directory for the files (keys stay there until the caller removes it)
 * @throws Error when openssl is missing or fails.
 */
export async function createTestTls(dir: string, hosts: readonly string[] = []): Promise<TlsMaterial> {
  const { ca, cert, key } = await writeServerCertificatesAsync(dir, {
    hosts: ['127.0.0.1', '::1', 'localhost', ...hosts],
    caName: 'scimgw relay emulator test CA',
  });
  return { caPem: ca, certPem: cert, keyPem: key };
}
