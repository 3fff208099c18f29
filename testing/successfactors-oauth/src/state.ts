import { type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { BearerTokenStore } from '@scimgw/testing-emulator-kit';

/** Seconds an access token lives, as SuccessFactors says in `expires_in` of a new token (24 hours less one second). */
export const TOKEN_LIFETIME_SECONDS = 86399;

/** Options of {@link SuccessFactorsState.registerClient}. */
export interface RegisterClientOptions {
  /** The company (instance) the OAuth client application is registered in; it must have been added. */
  readonly companyId: string;
  /** The API key SuccessFactors generates on registration (the `client_id`). Default: a random one. */
  readonly apiKey?: string;
  /**
   * The X.509 certificate pasted into "Manage OAuth2 Client Applications", in PEM. Its public key
   * verifies the client's assertions. The body alone (base64 without the BEGIN/END lines), as
   * SuccessFactors' form takes it, is accepted too.
   */
  readonly certificatePem: string;
}

/** An OAuth client application as the emulator keeps it. */
export interface OAuthClient {
  readonly apiKey: string;
  readonly companyId: string;
  readonly certificate: X509Certificate;
  readonly publicKey: KeyObject;
  revoked: boolean;
}

/** An access token the emulator issued. */
export interface IssuedToken {
  readonly token: string;
  readonly companyId: string;
  readonly apiKey: string;
  readonly userId: string;
  /** Milliseconds on the emulator's clock. */
  readonly expiresAt: number;
}

/** Companies, their OAuth clients and users, and the access tokens issued. */
export class SuccessFactorsState {
  private readonly companies = new Map<string, Set<string>>();
  private readonly clients = new Map<string, OAuthClient>();
  private readonly tokens = new BearerTokenStore<IssuedToken>({
    lifetimeSeconds: TOKEN_LIFETIME_SECONDS,
    newToken: () => randomBytes(60).toString('base64'),
  });

  addCompany(companyId: string): void {
    if (typeof companyId !== 'string' || companyId === '')
      throw new TypeError('addCompany: companyId must be a non-empty string');
    if (!this.companies.has(companyId)) this.companies.set(companyId, new Set());
  }

  hasCompany(companyId: string): boolean {
    return this.companies.has(companyId);
  }

  addUser(companyId: string, userId: string): void {
    const users = this.companies.get(companyId);
    if (!users) throw new Error(`addUser: no company ${JSON.stringify(companyId)}; call addCompany first`);
    if (typeof userId !== 'string' || userId === '') throw new TypeError('addUser: userId must be a non-empty string');
    users.add(userId);
  }

  /** Whether the company has this user (user IDs compared exactly). */
  hasUser(companyId: string, userId: string): boolean {
    return this.companies.get(companyId)?.has(userId) ?? false;
  }

  registerClient(options: RegisterClientOptions): string {
    if (!this.companies.has(options.companyId)) {
      throw new Error(`registerClient: no company ${JSON.stringify(options.companyId)}; call addCompany first`);
    }
    const apiKey = options.apiKey ?? newApiKey();
    if (typeof apiKey !== 'string' || apiKey === '') throw new TypeError('registerClient: apiKey must be a non-empty string');
    if (this.clients.has(apiKey)) throw new Error(`registerClient: API key ${JSON.stringify(apiKey)} is registered already`);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(asPem(options.certificatePem));
    } catch (error) {
      throw new TypeError(`registerClient: certificatePem is not an X.509 certificate (${(error as Error).message})`);
    }
    this.clients.set(apiKey, {
      apiKey,
      companyId: options.companyId,
      certificate,
      publicKey: certificate.publicKey,
      revoked: false,
    });
    return apiKey;
  }

  /** The client, if registered and not revoked. */
  client(apiKey: string): OAuthClient | undefined {
    const client = this.clients.get(apiKey);
    return client && !client.revoked ? client : undefined;
  }

  revokeClient(apiKey: string): void {
    const client = this.clients.get(apiKey);
    if (!client) throw new Error(`revokeClient: no client with API key ${JSON.stringify(apiKey)}`);
    client.revoked = true;
    this.tokens.revoke((issued) => issued.apiKey === apiKey);
  }

  /**
   * An access token for the user through the client: unless `fresh`, the newest one issued before
   * that is still valid, if any; else a new one.
   */
  issue(grant: Omit<IssuedToken, 'token' | 'expiresAt'>, now: number, fresh: boolean): IssuedToken {
    const newest = fresh
      ? undefined
      : this.tokens.newest(
          now,
          (issued) => issued.companyId === grant.companyId && issued.apiKey === grant.apiKey && issued.userId === grant.userId,
        );
    return newest ?? this.tokens.issue(grant, now);
  }

  /** The token if it was issued and is valid at `now`. */
  findToken(token: string, now: number): IssuedToken | undefined {
    return this.tokens.find(token, now);
  }

  expireTokens(): void {
    this.tokens.expireTokens();
  }
}

/** An API key shaped like SuccessFactors' (base64 of 32 hexadecimal digits, without padding). */
function newApiKey(): string {
  return Buffer.from(randomBytes(16).toString('hex')).toString('base64').replace(/=+$/, '');
}

function asPem(certificate: string): string {
  if (typeof certificate !== 'string') throw new TypeError('not a string');
  if (certificate.includes('-----BEGIN')) return certificate;
  const body = certificate.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}
