import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, randomInt } from 'node:crypto';

/**
 * A service account key file, field for field and in the order that the Google Cloud console and
 * `gcloud iam service-accounts keys create` write it ("Create and delete service account keys",
 * cloud.google.com/iam/docs/keys-create-delete).
 */
export interface ServiceAccountKeyFile {
  readonly type: 'service_account';
  readonly project_id: string;
  /** 40 lower-case hexadecimal digits; Google sends it as `kid` in the header of the JWTs it signs. */
  readonly private_key_id: string;
  /** An RSA 2048 private key, PKCS #8, PEM with `\n` line breaks. */
  readonly private_key: string;
  readonly client_email: string;
  /** The service account's unique ID: 21 decimal digits. */
  readonly client_id: string;
  readonly auth_uri: string;
  readonly token_uri: string;
  readonly auth_provider_x509_cert_url: string;
  readonly client_x509_cert_url: string;
  readonly universe_domain: 'googleapis.com';
}

/** Options of {@link AccountStore.create}. */
export interface CreateServiceAccountOptions {
  /**
   * The OAuth scopes a Workspace super administrator allowed this account's client ID in domain-wide
   * delegation (Admin console, Security, API controls). Without it the account has no delegation.
   * Given for an account that exists, it replaces that account's list.
   */
  readonly delegation?: readonly string[];
  /**
   * The account's email. When it names an account that exists, a new key is added to that account
   * (an account may have up to 10 keys). Default: a new `scimgw-sa-<n>@<project>.iam.gserviceaccount.com`.
   */
  readonly email?: string;
}

/** One key of a service account, as the emulator keeps it: only the public half. */
export interface AccountKey {
  readonly id: string;
  readonly publicKey: KeyObject;
  enabled: boolean;
}

/** A service account as the emulator keeps it. */
export interface ServiceAccount {
  readonly email: string;
  readonly projectId: string;
  readonly clientId: string;
  delegation: ReadonlySet<string>;
  readonly keys: Map<string, AccountKey>;
}

/** Google allows at most 10 keys per service account (IAM quotas). */
const MAX_KEYS = 10;
const SA_DOMAIN = /^[^@\s]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Service accounts and their keys. */
export class AccountStore {
  private readonly accounts = new Map<string, ServiceAccount>();
  private counter = 0;

  constructor(
    private readonly projectId: string,
    /** The emulator's token URI, known once it listens. */
    private readonly tokenUri: () => string,
  ) {}

  /** The account with this email (as written in `iss`), if any. */
  get(email: string): ServiceAccount | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  /** Makes a new key (and the account, if new) and returns the key file Google would hand out. */
  create(options: CreateServiceAccountOptions = {}): ServiceAccountKeyFile {
    const email = options.email ?? this.nextEmail();
    if (!EMAIL.test(email)) throw new TypeError(`createServiceAccount: not an email address: ${JSON.stringify(email)}`);
    let account = this.get(email);
    if (!account) {
      const projectId = SA_DOMAIN.exec(email)?.[1] ?? this.projectId;
      account = { email, projectId, clientId: uniqueId(), delegation: new Set(), keys: new Map() };
      this.accounts.set(email.toLowerCase(), account);
    }
    if (options.delegation) account.delegation = new Set(options.delegation);
    if (account.keys.size >= MAX_KEYS) {
      throw new RangeError(`createServiceAccount: ${email} has ${MAX_KEYS} keys already, which is Google's limit.`);
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const id = randomBytes(20).toString('hex');
    account.keys.set(id, { id, publicKey: createPublicKey(privateKey), enabled: true });
    return {
      type: 'service_account',
      project_id: account.projectId,
      private_key_id: id,
      private_key: pem,
      client_email: account.email,
      client_id: account.clientId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUri(),
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(account.email)}`,
      universe_domain: 'googleapis.com',
    };
  }

  /** Disables a key, as disabling or deleting it in IAM does; JWTs it signs are then refused. */
  disable(email: string, keyId: string): void {
    const key = this.get(email)?.keys.get(keyId);
    if (!key) throw new Error(`disableKey: ${email} has no key ${keyId}`);
    key.enabled = false;
  }

  private nextEmail(): string {
    this.counter += 1;
    return `scimgw-sa-${this.counter}@${this.projectId}.iam.gserviceaccount.com`;
  }
}

/** A numeric ID like Google's: 21 digits, the first not 0. */
export function uniqueId(digits = 21): string {
  let id = String(randomInt(1, 10));
  while (id.length < digits) id += String(randomInt(0, 10));
  return id;
}
