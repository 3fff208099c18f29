import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import saslprep from '@mongodb-js/saslprep';
import { type Document, UUID } from 'bson';
import type { RoleGrant } from './roles.js';

const pbkdf2Async = promisify(pbkdf2);

/** The SCRAM mechanisms this server offers. */
export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

/** Both SCRAM mechanisms: what MongoDB's `createUser` gives a user that names none. */
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-1', 'SCRAM-SHA-256'];

/** A user the server accepts (as `createUser` would have created it). */
export interface MongoWireUser {
  /** User name. */
  readonly username: string;
  /** Password (kept only to derive SCRAM credentials; never logged or returned). */
  readonly password: string;
  /** Authentication database. Default `admin`. */
  readonly db?: string;
  /** Mechanisms the user may authenticate with. Default both, as MongoDB's `createUser`. */
  readonly mechanisms?: readonly ScramMechanism[];
  /** Built-in roles granted. Default `root` on `admin` (every command on every database). */
  readonly roles?: readonly RoleGrant[];
}

/** SCRAM credential of one user for one mechanism (RFC 5802 §3). */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** A user as the server keeps it (what `usersInfo` shows, and the credentials). */
export interface StoredUser {
  readonly username: string;
  readonly db: string;
  readonly userId: UUID;
  readonly mechanisms: readonly ScramMechanism[];
  readonly roles: readonly RoleGrant[];
  readonly customData: Document | undefined;
  /** The credential of a mechanism of this user (derived on first use for a startup user). */
  readonly credential: (mechanism: ScramMechanism) => Promise<ScramCredential>;
}

// MongoDB's default iteration counts (scramIterationCount, scramSHA256IterationCount).
const ITERATIONS: Record<ScramMechanism, number> = { 'SCRAM-SHA-1': 10_000, 'SCRAM-SHA-256': 15_000 };

/** The hash function behind a SCRAM mechanism. */
export function hashOf(mechanism: ScramMechanism): 'sha1' | 'sha256' {
  return mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
}

/**
 * The users and their SCRAM credentials, derived once per user and mechanism with a random salt.
 * The users given at startup keep their plain password inside this object (their credentials are
 * derived on first use); users made by `createUser` keep only their derived credentials, as MongoDB.
 */
export class UserStore {
  readonly #startup: readonly MongoWireUser[];
  readonly #users = new Map<string, StoredUser>();
  readonly #accessControl: boolean;

  constructor(users: readonly MongoWireUser[]) {
    for (const user of users) {
      if (!user.username || typeof user.password !== 'string') throw new TypeError('every user needs a username and a password');
    }
    this.#startup = users;
    // As `mongod --auth`: decided at startup; users created later do not switch access control on.
    this.#accessControl = users.length > 0;
    this.#loadStartupUsers();
  }

  /** Whether access control is on (users were given at startup): every data command then needs authentication. */
  get enabled(): boolean {
    return this.#accessControl;
  }

  /** A user, or `undefined`. */
  get(db: string, username: string): StoredUser | undefined {
    return this.#users.get(keyOf(db, username));
  }

  /** Every user, by database then name. */
  all(): StoredUser[] {
    return [...this.#users.values()].sort((a, b) => compare(a.db, b.db) || compare(a.username, b.username));
  }

  /** The mechanisms a user may use, or `undefined` for an unknown user. */
  mechanisms(db: string, username: string): ScramMechanism[] | undefined {
    const user = this.get(db, username);
    return user ? [...user.mechanisms] : undefined;
  }

  /** The roles of a user; none for a user that does not exist (any more). */
  rolesOf(db: string, username: string): readonly RoleGrant[] {
    return this.get(db, username)?.roles ?? [];
  }

  /** The credential of a user for a mechanism, or `undefined` when the user cannot use it. */
  credential(db: string, username: string, mechanism: ScramMechanism): Promise<ScramCredential> | undefined {
    const user = this.get(db, username);
    if (!user?.mechanisms.includes(mechanism)) return undefined;
    return user.credential(mechanism);
  }

  /**
   * Adds a user whose credentials are derived now (the password is not kept), as `createUser`.
   *
   * @returns `false` when a user of that name exists on `db` (nothing changed).
   */
  async create(user: {
    username: string;
    password: string;
    db: string;
    mechanisms: readonly ScramMechanism[];
    roles: readonly RoleGrant[];
    customData: Document | undefined;
  }): Promise<boolean> {
    if (this.get(user.db, user.username)) return false;
    const credentials = new Map<ScramMechanism, ScramCredential>();
    for (const mechanism of user.mechanisms) credentials.set(mechanism, await derive(user.username, user.password, mechanism));
    // Another connection may have created it while the credentials were derived.
    if (this.get(user.db, user.username)) return false;
    this.#users.set(keyOf(user.db, user.username), {
      username: user.username,
      db: user.db,
      userId: new UUID(),
      mechanisms: [...user.mechanisms],
      roles: user.roles.map((g) => ({ role: g.role, db: g.db })),
      customData: user.customData,
      credential: async (mechanism) => credentials.get(mechanism) as ScramCredential,
    });
    return true;
  }

  /** Removes a user. @returns whether it existed. */
  drop(db: string, username: string): boolean {
    return this.#users.delete(keyOf(db, username));
  }

  /** Back to the users given at startup (`reset()`, a restart without data). */
  reset(): void {
    this.#users.clear();
    this.#loadStartupUsers();
  }

  #loadStartupUsers(): void {
    for (const user of this.#startup) {
      const cache = new Map<ScramMechanism, Promise<ScramCredential>>();
      this.#users.set(keyOf(user.db ?? 'admin', user.username), {
        username: user.username,
        db: user.db ?? 'admin',
        userId: new UUID(),
        mechanisms: [...(user.mechanisms ?? SCRAM_MECHANISMS)],
        roles: user.roles ?? ROOT,
        customData: undefined,
        credential: (mechanism) => {
          let credential = cache.get(mechanism);
          if (!credential) {
            credential = derive(user.username, user.password, mechanism);
            cache.set(mechanism, credential);
          }
          return credential;
        },
      });
    }
  }
}

const ROOT: readonly RoleGrant[] = [{ role: 'root', db: 'admin' }];

function keyOf(db: string, username: string): string {
  return `${db}\u0000${username}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function derive(username: string, plain: string, mechanism: ScramMechanism): Promise<ScramCredential> {
  const hash = hashOf(mechanism);
  const password =
    mechanism === 'SCRAM-SHA-1' ? createHash('md5').update(`${username}:mongo:${plain}`).digest('hex') : saslprep(plain);
  const salt = randomBytes(mechanism === 'SCRAM-SHA-1' ? 16 : 28);
  const iterations = ITERATIONS[mechanism];
  const salted = await pbkdf2Async(password, salt, iterations, hash === 'sha1' ? 20 : 32, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  return {
    salt,
    iterations,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: createHmac(hash, salted).update('Server Key').digest(),
  };
}
