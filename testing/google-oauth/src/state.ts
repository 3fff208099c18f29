import { randomBytes } from 'node:crypto';
import { uniqueId } from './accounts.js';

/** Seconds an access token lives, as Google's token endpoint says in `expires_in`. */
export const TOKEN_LIFETIME_SECONDS = 3599;

/** An access token the emulator issued. */
export interface IssuedToken {
  readonly token: string;
  readonly clientEmail: string;
  readonly scopes: readonly string[];
  /** The user the service account acts for (domain-wide delegation), if any. */
  readonly sub?: string;
  /** Milliseconds on the emulator's clock. */
  readonly expiresAt: number;
}

/** Access tokens, each valid until it expires or {@link TokenStore.expireAll} is called. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(grant: Omit<IssuedToken, 'token' | 'expiresAt'>, now: number): IssuedToken {
    // Google's access tokens start with "ya29."; what follows is opaque to clients.
    const token = `ya29.${randomBytes(96).toString('base64url')}`;
    const issued: IssuedToken = { ...grant, token, expiresAt: now + TOKEN_LIFETIME_SECONDS * 1000 };
    this.tokens.set(token, issued);
    return issued;
  }

  /** The token if it was issued and is still valid at `now`. */
  find(token: string, now: number): IssuedToken | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    if (issued.expiresAt <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    return issued;
  }

  expireAll(): void {
    this.tokens.clear();
  }
}

/** A user of the Workspace domain, as the Directory API shows one. */
export interface DirectoryUser {
  readonly id: string;
  readonly primaryEmail: string;
  /** Whether the user is an administrator who may read the directory (default true). */
  readonly isAdmin: boolean;
}

/** Users of the emulated Workspace domain. */
export class UserStore {
  private readonly byEmail = new Map<string, DirectoryUser>();
  private readonly byId = new Map<string, DirectoryUser>();

  add(email: string, options: { readonly isAdmin?: boolean } = {}): DirectoryUser {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new TypeError(`addUser: not an email address: ${JSON.stringify(email)}`);
    const existing = this.byEmail.get(email.toLowerCase());
    const user: DirectoryUser = { id: existing?.id ?? uniqueId(), primaryEmail: email, isAdmin: options.isAdmin ?? true };
    this.byEmail.set(email.toLowerCase(), user);
    this.byId.set(user.id, user);
    return user;
  }

  /** By primary email, compared without regard to case as Google compares addresses. */
  findByEmail(email: string): DirectoryUser | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  /** By the Directory API's `userKey`: the primary email or the unique ID. */
  find(userKey: string): DirectoryUser | undefined {
    return this.findByEmail(userKey) ?? this.byId.get(userKey);
  }
}
