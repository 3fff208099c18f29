import { randomBytes } from 'node:crypto';

/** The bearer token of an Authorization header (RFC 6750 §2.1): `null` without a header, `undefined` when not a Bearer token. */
export function bearerToken(authorization: string | undefined): string | null | undefined {
  if (authorization === undefined) return null;
  return /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization)?.[1];
}

/** What a {@link BearerTokenStore} keeps of every token, beside what the emulator adds. */
export interface StoredToken {
  readonly token: string;
  /** Milliseconds on the emulator's clock. */
  readonly expiresAt: number;
}

/** Options of a {@link BearerTokenStore}. */
export interface BearerTokenStoreOptions {
  /** Seconds a new token is valid. */
  readonly lifetimeSeconds: number;
  /** Makes the text of a new token, in the service's own shape. Default: 32 random bytes in base64url. */
  readonly newToken?: () => string;
}

/** Access tokens, each valid until it expires, is revoked or {@link BearerTokenStore.expireTokens} is called. */
export class BearerTokenStore<T extends StoredToken> {
  private readonly tokens = new Map<string, T>();
  private readonly lifetimeMs: number;
  private readonly newToken: () => string;

  constructor(options: BearerTokenStoreOptions) {
    this.lifetimeMs = options.lifetimeSeconds * 1000;
    this.newToken = options.newToken ?? (() => randomBytes(32).toString('base64url'));
  }

  /** Issues a new token for `grant`, valid for the lifetime from `now`. */
  issue(grant: Omit<T, keyof StoredToken>, now: number): T {
    const issued = { ...grant, token: this.newToken(), expiresAt: now + this.lifetimeMs } as T;
    this.tokens.set(issued.token, issued);
    return issued;
  }

  /** The token if it was issued and is still valid at `now` (an expired one is forgotten). */
  find(token: string, now: number): T | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    if (issued.expiresAt <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    return issued;
  }

  /** The newest token still valid at `now` for which `match` holds, if any. */
  newest(now: number, match: (issued: T) => boolean): T | undefined {
    let newest: T | undefined;
    for (const issued of this.tokens.values()) if (issued.expiresAt > now && match(issued)) newest = issued;
    return newest;
  }

  /** Makes every token for which `match` holds invalid. */
  revoke(match: (issued: T) => boolean): void {
    for (const [token, issued] of this.tokens) if (match(issued)) this.tokens.delete(token);
  }

  /** Makes every token issued so far invalid. */
  expireTokens(): void {
    this.tokens.clear();
  }
}
