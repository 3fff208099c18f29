/**
 * The files the `stream` section names (TLS material, the keys of signed messages), read and
 * checked at startup. Apart from the NATS clients, so a host checks a configuration without loading them.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { StreamConfig } from './config-schema.js';
import type { NatsTls } from './connection.js';
import { privateKeyFromPem, publicKeyFromPem } from './set.js';

/** Files the section names, read: TLS material and the keys of signed messages. */
export interface StreamFiles {
  tls?: NatsTls | undefined;
  /** Private key that signs published messages (`publisher.set.keyFile`). */
  signingKey?: KeyObject | undefined;
  /** Public key that checks received messages (`subscriber.set.keyFile`). */
  verifyKey?: KeyObject | undefined;
}

/** A file of the `stream` section that cannot be used, with its configuration path (below `stream`). */
export class StreamFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

function readFile(certsDir: string, file: string, path: string): string {
  const abs = isAbsolute(file) ? file : resolve(certsDir, file);
  try {
    return readFileSync(abs, 'utf8');
  } catch (e) {
    throw new StreamFileError(path, `cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Reads the files the section names (relative names are in `certsDir`), checking that keys are
 * keys. `start` and `check-config` both run it.
 *
 * @throws StreamFileError naming the configuration path
 */
export function readStreamFiles(config: StreamConfig, certsDir: string): StreamFiles {
  const out: StreamFiles = {};
  const cert = config.certificate;
  if (cert) {
    const tls: NatsTls = {};
    if (cert.ca) {
      const list = Array.isArray(cert.ca) ? cert.ca : [cert.ca];
      tls.ca = list
        .map((f, i) => readFile(certsDir, f, Array.isArray(cert.ca) ? `certificate.ca[${i}]` : 'certificate.ca'))
        .join('\n');
    }
    if (cert.cert) tls.cert = readFile(certsDir, cert.cert, 'certificate.cert');
    if (cert.key) tls.key = readFile(certsDir, cert.key, 'certificate.key');
    if ((tls.cert === undefined) !== (tls.key === undefined))
      throw new StreamFileError(
        tls.cert ? 'certificate.key' : 'certificate.cert',
        'a client certificate needs both cert and key',
      );
    if (tls.ca || tls.cert) out.tls = tls;
  }
  const pub = config.publisher?.set;
  if (pub && config.publisher?.enabled) {
    try {
      out.signingKey = privateKeyFromPem(readFile(certsDir, pub.keyFile, 'publisher.set.keyFile'));
    } catch (e) {
      if (e instanceof StreamFileError) throw e;
      throw new StreamFileError('publisher.set.keyFile', `not a private key: ${(e as Error).message}`);
    }
  }
  const sub = config.subscriber?.set;
  if (sub && config.subscriber?.enabled) {
    try {
      out.verifyKey = publicKeyFromPem(readFile(certsDir, sub.keyFile, 'subscriber.set.keyFile'));
    } catch (e) {
      if (e instanceof StreamFileError) throw e;
      throw new StreamFileError('subscriber.set.keyFile', `not a public key or certificate: ${(e as Error).message}`);
    }
  }
  return out;
}
