/**
 * A throwaway test CA and a server certificate for every host name the emulator answers to,
 * made with the `openssl` command-line tool. Generated once per process and reused.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM material for the HTTPS listeners. */
export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const cache = new Map<string, Promise<TlsMaterial>>();

async function generate(hostnames: readonly string[]): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'graph-emulator-tls-'));
  try {
    const file = (name: string) => join(dir, name);
    const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await run('openssl', [
      'req',
      '-x509',
      ...curve,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '7',
      '-subj',
      '/CN=scimgw graph emulator test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', [
      'req',
      ...curve,
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=graph-emulator',
    ]);
    const names = hostnames.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    await writeFile(
      file('ext.cnf'),
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${names}\n`,
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
      '7',
      '-extfile',
      file('ext.cnf'),
    ]);
    const [caPem, certPem, keyPem] = await Promise.all([
      readFile(file('ca.pem'), 'utf8'),
      readFile(file('server.pem'), 'utf8'),
      readFile(file('server.key'), 'utf8'),
    ]);
    return { caPem, certPem, keyPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Test CA and server certificate for `hostnames` (IPs become IP SANs). */
export function testTls(hostnames: readonly string[]): Promise<TlsMaterial> {
  const key = [...hostnames].sort().join(',');
  let material = cache.get(key);
  if (!material) {
    material = generate(hostnames);
    material.catch(() => cache.delete(key));
    cache.set(key, material);
  }
  return material;
}
