/**
 * A throwaway test CA and a server certificate for every host name the emulator answers to,
 * made with the `openssl` command-line tool. Generated once per process and reused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeServerCertificatesAsync } from '@scimgw/testing-pki';

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
    const { ca, cert, key } = await writeServerCertificatesAsync(dir, {
      hosts: hostnames,
      days: 7,
      caName: 'scimgw graph emulator test CA',
      serverName: 'graph-emulator',
    });
    return { caPem: ca, certPem: cert, keyPem: key };
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
