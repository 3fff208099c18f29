/**
 * App registrations the emulator knows: client id, secrets, certificates, federated identity
 * credentials and the application permissions (app roles) admin-consented for Graph.
 */
import { X509Certificate, createHash, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { KNOWN_PERMISSIONS } from '../graph/permissions.js';

/** A federated identity credential: which external tokens the app trusts. */
export interface FederatedCredential {
  /** Issuer URL, compared exactly (case-sensitive) with the assertion's `iss`. */
  readonly issuer: string;
  /** Compared exactly with the assertion's `sub`. */
  readonly subject: string;
  /** Accepted `aud` values; default `['api://AzureADTokenExchange']`. */
  readonly audiences?: readonly string[];
}

/** An app registration given to {@link startGraphEmulator}. */
export interface AppRegistration {
  readonly clientId: string;
  readonly displayName?: string;
  /** One or more client secrets. */
  readonly secret?: string | readonly string[];
  /** One or more certificates (PEM), whose private keys sign client assertions. */
  readonly certificatePem?: string | readonly string[];
  readonly federated?: FederatedCredential | readonly FederatedCredential[];
  /** Graph application permissions, e.g. `['User.ReadWrite.All']`. */
  readonly permissions?: readonly string[];
}

/** A registered certificate with its thumbprints (base64url of SHA-1 and SHA-256 of the DER). */
export interface RegisteredCertificate {
  readonly x5t: string;
  readonly x5tS256: string;
  readonly publicKey: KeyObject;
}

/** A registration as the emulator keeps it. */
export interface App {
  readonly clientId: string;
  readonly displayName: string;
  readonly servicePrincipalId: string;
  readonly secretDigests: readonly Buffer[];
  readonly certificates: readonly RegisteredCertificate[];
  readonly federated: readonly FederatedCredential[];
  permissions: readonly string[];
}

function list<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Throws for a permission the emulator does not know, so a typo fails at startup. */
export function checkPermissions(permissions: readonly string[]): void {
  for (const permission of permissions) {
    if (!KNOWN_PERMISSIONS.has(permission)) {
      throw new Error(`Unknown Graph application permission '${permission}'. Known: ${[...KNOWN_PERMISSIONS].sort().join(', ')}`);
    }
  }
}

/** Builds the stored form of a registration. */
export function registerApp(registration: AppRegistration): App {
  const permissions = [...(registration.permissions ?? [])];
  checkPermissions(permissions);
  const certificates = list(registration.certificatePem).flatMap((pem) => {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return blocks.slice(0, 1).map((block) => {
      const certificate = new X509Certificate(block);
      return {
        x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
        x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
        publicKey: certificate.publicKey,
      };
    });
  });
  return {
    clientId: registration.clientId.toLowerCase(),
    displayName: registration.displayName ?? `app ${registration.clientId}`,
    servicePrincipalId: randomUUID(),
    secretDigests: list(registration.secret).map(digest),
    certificates,
    federated: list(registration.federated),
    permissions,
  };
}

/** Constant-time check of a presented client secret against an app's secrets. */
export function secretMatches(app: App, presented: string): boolean {
  const candidate = digest(presented);
  let match = false;
  for (const stored of app.secretDigests) match = timingSafeEqual(stored, candidate) || match;
  return match;
}
