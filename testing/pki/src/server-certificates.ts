/**
 * A throwaway CA and a server certificate it signed, written to a folder with the openssl command
 * line: the one recipe the emulators and the packages' TLS tests share. Run synchronously
 * ({@link writeServerCertificates}, for test set-up) or without blocking the event loop
 * ({@link writeServerCertificatesAsync}, for servers that generate their material on start).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Options of {@link writeServerCertificates}. */
export interface ServerCertificateOptions {
  /**
   * Names the server certificate is valid for; IP addresses become IP names, the rest DNS names.
   * Default `127.0.0.1`, `::1`, `localhost`.
   */
  hosts?: readonly string[];
  /** Key type of both certificates: EC P-256 or RSA 2048. Default `ec`. */
  key?: 'ec' | 'rsa';
  /** Days the certificates are valid. Default 2. */
  days?: number;
  /** Common name of the CA (shows in TLS errors). Default `scimgw test CA`. */
  caName?: string;
  /** Common name of the server certificate. Default `localhost`. */
  serverName?: string;
}

/** What {@link writeServerCertificates} made: PEM texts and the paths of their files. */
export interface ServerCertificates {
  /** PEM of the CA certificate (what a client trusts). */
  readonly ca: string;
  /** PEM of the server certificate. */
  readonly cert: string;
  /** PEM of the server's private key. */
  readonly key: string;
  /** `<dir>/ca.pem`. */
  readonly caFile: string;
  /** `<dir>/server.pem`. */
  readonly certFile: string;
  /** `<dir>/server.key`. */
  readonly keyFile: string;
}

const DEFAULT_HOSTS = ['127.0.0.1', '::1', 'localhost'];

/** Subject alternative names for `hosts`, e.g. `IP:127.0.0.1,DNS:localhost` (duplicates and blanks dropped). */
export function subjectAltNames(hosts: readonly string[]): string {
  return [...new Set(hosts.filter((h) => h !== ''))].map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
}

/** The files to write and the openssl calls to run, in order, to make the CA and server certificate. */
interface Recipe {
  readonly files: { readonly ca: string; readonly cert: string; readonly key: string; readonly ext: string };
  readonly extText: string;
  /** openssl arguments: the CA, the server's key and request, the signing (reads `files.ext`). */
  readonly commands: readonly (readonly string[])[];
}

/** Builds the recipe; `altNames` is the ready `subjectAltName` value (see {@link subjectAltNames}). */
export function serverCertificateRecipe(dir: string, options: ServerCertificateOptions, altNames?: string): Recipe {
  const file = (name: string) => join(dir, name);
  const days = String(options.days ?? 2);
  const newKey =
    options.key === 'rsa'
      ? ['-newkey', 'rsa:2048', '-nodes']
      : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const files = { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key'), ext: file('server.ext') };
  const extText = [
    `subjectAltName=${altNames ?? subjectAltNames(options.hosts ?? DEFAULT_HOSTS)}`,
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n');
  const commands = [
    [
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      file('ca.key'),
      '-out',
      files.ca,
      '-days',
      days,
      '-subj',
      `/CN=${options.caName ?? 'scimgw test CA'}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    [
      'req',
      '-new',
      ...newKey,
      '-keyout',
      files.key,
      '-out',
      file('server.csr'),
      '-subj',
      `/CN=${options.serverName ?? 'localhost'}`,
    ],
    [
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      files.ca,
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      files.cert,
      '-days',
      days,
      '-sha256',
      '-extfile',
      files.ext,
    ],
  ];
  return { files, extText, commands };
}

const OPENSSL = { timeout: 30_000 } as const;

/**
 * Writes `ca.pem`, `server.pem` and `server.key` (and the CA key and request) into `dir`, which
 * the caller creates and removes.
 *
 * @example
 * const certs = writeServerCertificates(dir, { hosts: ['127.0.0.1', 'localhost'] });
 * tls.createServer({ cert: certs.cert, key: certs.key }, onSocket);
 * @throws Error when openssl is missing or fails.
 */
export function writeServerCertificates(dir: string, options: ServerCertificateOptions = {}): ServerCertificates {
  return writeRecipeSync(serverCertificateRecipe(dir, options));
}

/** {@link writeServerCertificates} without blocking the event loop. */
export async function writeServerCertificatesAsync(
  dir: string,
  options: ServerCertificateOptions = {},
): Promise<ServerCertificates> {
  const run = promisify(execFile);
  const { files, extText, commands } = serverCertificateRecipe(dir, options);
  await writeFile(files.ext, extText);
  for (const args of commands) await run('openssl', args, OPENSSL);
  const [ca, cert, key] = await Promise.all([files.ca, files.cert, files.key].map((f) => readFile(f, 'utf8')));
  return { ca: ca!, cert: cert!, key: key!, caFile: files.ca, certFile: files.cert, keyFile: files.key };
}

/** Runs a recipe synchronously (also used by `makeTestPki`). */
export function writeRecipeSync({ files, extText, commands }: Recipe): ServerCertificates {
  writeFileSync(files.ext, extText);
  for (const args of commands) execFileSync('openssl', args, { ...OPENSSL, stdio: 'pipe' });
  const read = (f: string) => readFileSync(f, 'utf8');
  return {
    ca: read(files.ca),
    cert: read(files.cert),
    key: read(files.key),
    caFile: files.ca,
    certFile: files.cert,
    keyFile: files.key,
  };
}
