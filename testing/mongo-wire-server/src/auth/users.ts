import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import saslprep from '@mongodb-js/saslprep';
import type { RoleGrant } from './roles.js';

const pbkdf2Async = promisify(pbkdf2);

/** The SCRAM mechanisms this server offers. */
export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

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

// MongoDB's default iteration counts (scramIterationCount, scramSHA256IterationCount).
const ITERATIONS: Record<ScramMechanism, number> = { 'SCRAM-SHA-1': 10_000, 'SCRAM-SHA-256': 15_000 };

/** The hash function behind a SCRAM mechanism. */
export function hashOf(mechanism: ScramMechanism): 'sha1' | 'sha256' {
  return mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
}

/**
 * The configured users and their SCRAM credentials, derived once per user and mechanism with a
 * random salt. Plain passwords stay inside this object.
 */
export class UserStore {
  readonly #users = new Map<string, MongoWireUser>();
  readonly #credentials = new Map<string, Promise<ScramCredential>>();

  constructor(users: readonly MongoWireUser[]) {
    for (const user of users) {
      if (!user.username || typeof user.password !== 'string') throw new TypeError('every user needs a username and a password');
      this.#users.set(keyOf(user.db ?? 'admin', user.username), user);
    }
  }

  /** Whether any user is configured (authentication is then required). */
  get enabled(): boolean {
    return this.#users.size > 0;
  }

  /** The mechanisms a user may use, or `undefined` for an unknown user. */
  mechanisms(db: string, username: string): ScramMechanism[] | undefined {
    const user = this.#users.get(keyOf(db, username));
    if (!user) return undefined;
    return [...(user.mechanisms ?? ['SCRAM-SHA-1', 'SCRAM-SHA-256'])];
  }

  /** The roles of a user (`root` on `admin` unless the user was given others). */
  rolesOf(db: string, username: string): readonly RoleGrant[] {
    return this.#users.get(keyOf(db, username))?.roles ?? ROOT;
  }

  /** The credential of a user for a mechanism, or `undefined` when the user cannot use it. */
  credential(db: string, username: string, mechanism: ScramMechanism): Promise<ScramCredential> | undefined {
    const user = this.#users.get(keyOf(db, username));
    if (!user || !(user.mechanisms ?? ['SCRAM-SHA-1', 'SCRAM-SHA-256']).includes(mechanism)) return undefined;
    const key = `${keyOf(db, username)}\u0000${mechanism}`;
    let credential = this.#credentials.get(key);
    if (!credential) {
      credential = derive(user, mechanism);
      this.#credentials.set(key, credential);
    }
    return credential;
  }
}

const ROOT: readonly RoleGrant[] = [{ role: 'root', db: 'admin' }];

function keyOf(db: string, username: string): string {
  return `${db}\u0000${username}`;
}

async function derive(user: MongoWireUser, mechanism: ScramMechanism): Promise<ScramCredential> {
  const hash = hashOf(mechanism);
  const password =
    mechanism === 'SCRAM-SHA-1'
      ? createHash('md5').update(`${user.username}:mongo:${user.password}`).digest('hex')
      : saslprep(user.password);
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
