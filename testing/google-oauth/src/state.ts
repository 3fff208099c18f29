import { randomBytes } from 'node:crypto';
import { BearerTokenStore } from '@scimgw/testing-emulator-kit';
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

/** Access tokens, each valid until it expires or {@link TokenStore.expireTokens} is called. */
export class TokenStore extends BearerTokenStore<IssuedToken> {
  constructor() {
    // Google's access tokens start with "ya29."; what follows is opaque to clients.
    super({ lifetimeSeconds: TOKEN_LIFETIME_SECONDS, newToken: () => `ya29.${randomBytes(96).toString('base64url')}` });
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
