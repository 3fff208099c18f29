/**
 * WS-Security headers from configuration, built with the `soap` package's own implementations:
 * a UsernameToken (PasswordText or PasswordDigest), an X.509 signature (xml-crypto), or both.
 * HTTP-level security (Basic, bearer, client certificates) belongs to the connection instead.
 *
 * @see OASIS WS-Security Username Token Profile 1.0; X.509 Token Profile 1.0
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import soap, { type ISecurity, type WSSecurity, type WSSecurityCert } from 'soap';
import type { WsSecurityConfig } from './config.js';
import type { SecretMask } from './secrets.js';

/** A WS-Security header producer, as soap's `Client.setSecurity` takes it. */
export type WsSecurity = ISecurity;

/** A configuration problem found while building the header (unreadable key file, say). */
export class SecurityConfigError extends Error {
  override name = 'SecurityConfigError';
}

/** PEM text from a file in `certsDir` (or an absolute path), or `ref` itself when it is PEM. Errors name the file, never its content. */
export function readPem(ref: string, certsDir: string, what: string): string {
  if (ref.includes('-----BEGIN')) return ref;
  const file = isAbsolute(ref) ? ref : join(certsDir, ref);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SecurityConfigError(`cannot read ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * The WS-Security header of a tenant, or `undefined` without one. Registers the secrets it uses,
 * so no log line carries them.
 */
export function buildWsSecurity(
  cfg: WsSecurityConfig | undefined | null,
  certsDir: string,
  secrets: SecretMask,
): WsSecurity | undefined {
  if (!cfg) return undefined;
  let token: WSSecurity | undefined;
  let signer: WSSecurityCert | undefined;
  if (cfg.usernameToken) {
    const t = cfg.usernameToken;
    secrets.add(t.password);
    token = new soap.WSSecurity(t.username, t.password, {
      passwordType: t.passwordType,
      hasTimeStamp: t.timestamp,
      hasTokenCreated: t.created,
      ...(t.nonce !== undefined ? { hasNonce: t.nonce } : {}),
      ...(t.mustUnderstand !== undefined ? { mustUnderstand: t.mustUnderstand } : {}),
      ...(t.actor !== undefined ? { actor: t.actor } : {}),
    });
  }
  if (cfg.x509) {
    const x = cfg.x509;
    if (x.passphrase) secrets.add(x.passphrase);
    const key = readPem(x.key, certsDir, 'wsSecurity.x509.key');
    const cert = readPem(x.cert, certsDir, 'wsSecurity.x509.cert');
    secrets.add(key);
    signer = new soap.WSSecurityCert(key, cert, x.passphrase ?? '', {
      hasTimeStamp: x.timestamp,
      signatureAlgorithm: x.signatureAlgorithm,
      digestAlgorithm: x.digestAlgorithm,
      signerOptions: { prefix: 'ds' },
    });
  }
  if (token && signer) return new soap.WSSecurityPlusCert(token, signer);
  return token ?? signer;
}
