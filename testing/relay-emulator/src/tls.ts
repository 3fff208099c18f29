import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

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
  const names = new Set(['127.0.0.1', '::1', 'localhost', ...hosts.filter((h) => h !== '')]);
  const altNames = [...names].map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
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
    '/CN=scimgw relay emulator test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', [
    'req',
    '-new',
    ...ec,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    '/CN=localhost',
  ]);
  await writeFile(
    file('server.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`,
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
    '-sha256',
    '-extfile',
    file('server.ext'),
  ]);
  const [caPem, certPem, keyPem] = await Promise.all(
    ['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(file(name), 'utf8')),
  );
  return { caPem: caPem!, certPem: certPem!, keyPem: keyPem! };
}
