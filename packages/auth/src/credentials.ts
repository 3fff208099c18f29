/**
 * Identifier + secret verification shared by HTTP Basic users and OAuth clients.
 *
 * Stored secrets are either plaintext (the gateway's config loader has already decrypted
 * them) or `$scrypt$` hashes. Plaintext is compared as keyed digests (digest.ts) in constant time;
 * a hash is verified once per distinct presented credential and the outcome is cached
 * under a keyed digest of that credential, so a slow hash never runs on the hot path.
 */
import { Digester, LruMap, sameDigest } from './digest.js';
import { isPasswordHash, parseScryptHash, type ScryptHash, verifyScrypt } from './password.js';

/** One configured identifier/secret pair and what it stands for. */
export interface CredentialEntry<T> {
  id: string;
  secret: string;
  value: T;
  /** Config path used in error messages, e.g. `auth.basic[0]`. */
  path: string;
  /** Property holding the secret, for error messages (`password`, `clientSecret`). */
  secretField: string;
}

interface Compiled<T> {
  idDigest: Buffer;
  /**
   * Digest of identifier and plaintext secret together, so a request costs one digest; for hashed
   * entries a digest under another label, which no presented pair matches.
   */
  pairDigest: Buffer;
  hash: ScryptHash | undefined;
  value: T;
}

/** Tunables of {@link CredentialVerifier}. */
export interface CredentialVerifierOptions {
  /** Verified (and refused) credentials remembered at most, each. Default 1000. */
  cacheSize?: number;
  /** Hash verification, replaceable in tests to count calls. */
  verifyHash?: (plain: string, hash: ScryptHash) => Promise<boolean>;
}

/**
 * Checks presented (id, secret) pairs against configured entries.
 *
 * The same work is done whether or not the identifier exists: every entry's identifier
 * and secret digests are compared, and when hashed entries exist an unknown identifier
 * still costs one scrypt run against a dummy hash, so response time does not reveal
 * which identifiers are configured.
 */
export class CredentialVerifier<T> {
  readonly #digester = new Digester();
  readonly #entries: Compiled<T>[];
  readonly #positive: LruMap<string, number>;
  readonly #negative: LruMap<string, true>;
  readonly #inflight = new Map<string, Promise<number>>();
  readonly #verifyHash: (plain: string, hash: ScryptHash) => Promise<boolean>;
  readonly #dummyHash: ScryptHash | undefined;
  readonly #anyHashed: boolean;

  /** Throws an `Error` naming the config path of a malformed hash. */
  constructor(entries: CredentialEntry<T>[], options: CredentialVerifierOptions = {}) {
    const size = options.cacheSize ?? 1000;
    this.#positive = new LruMap(size);
    this.#negative = new LruMap(size);
    this.#verifyHash = options.verifyHash ?? verifyScrypt;
    this.#entries = entries.map((e) => {
      let hash: ScryptHash | undefined;
      if (isPasswordHash(e.secret)) {
        const parsed = parseScryptHash(e.secret);
        if (typeof parsed === 'string') throw new Error(`${e.path}.${e.secretField}: malformed password hash: ${parsed}`);
        hash = parsed;
      }
      return {
        idDigest: this.#digester.digest('id', e.id),
        pairDigest: hash ? this.#digester.digest('hashed-entry') : this.#digester.digest('pair', e.id, e.secret),
        hash,
        value: e.value,
      };
    });
    const firstHash = this.#entries.find((e) => e.hash)?.hash;
    this.#anyHashed = firstHash !== undefined;
    this.#dummyHash = firstHash && { ...firstHash, salt: Buffer.alloc(firstHash.salt.length, 1) };
  }

  /** Number of configured entries. */
  get size(): number {
    return this.#entries.length;
  }

  /** `true` when `id` is configured (compared in constant time against every entry). */
  knows(id: string): boolean {
    const idDigest = this.#digester.digest('id', id);
    let found = false;
    for (const e of this.#entries) if (sameDigest(idDigest, e.idDigest)) found = true;
    return found;
  }

  /**
   * Verify a presented pair.
   *
   * @returns the matching entry's value, or `undefined`
   */
  async verify(id: string, secret: string): Promise<T | undefined> {
    const pairDigest = this.#digester.digest('pair', id, secret);
    // The identifier alone matters only for hashed entries (which of them to run scrypt against).
    const idDigest = this.#anyHashed ? this.#digester.digest('id', id) : undefined;
    let plainMatch = -1;
    const hashed: number[] = [];
    // No early exit: every entry costs the same compares whatever matches.
    for (let i = 0; i < this.#entries.length; i++) {
      const e = this.#entries[i]!;
      if (sameDigest(pairDigest, e.pairDigest) && plainMatch < 0) plainMatch = i;
      if (idDigest && e.hash && sameDigest(idDigest, e.idDigest)) hashed.push(i);
    }
    if (plainMatch >= 0) return this.#entries[plainMatch]!.value;
    if (!this.#dummyHash) return undefined;

    const cacheKey = this.#digester.digest('cred', id, secret).toString('base64');
    const known = this.#positive.get(cacheKey);
    if (known !== undefined) return this.#entries[known]!.value;
    if (this.#negative.get(cacheKey)) return undefined;

    let pending = this.#inflight.get(cacheKey);
    if (!pending) {
      pending = this.#slowVerify(secret, hashed).finally(() => this.#inflight.delete(cacheKey));
      this.#inflight.set(cacheKey, pending);
    }
    const index = await pending;
    if (index >= 0) {
      this.#positive.set(cacheKey, index);
      return this.#entries[index]!.value;
    }
    this.#negative.set(cacheKey, true);
    return undefined;
  }

  async #slowVerify(secret: string, candidates: number[]): Promise<number> {
    if (candidates.length === 0) {
      // Unknown identifier: spend the same scrypt time as a wrong password would.
      await this.#verifyHash(secret, this.#dummyHash!);
      return -1;
    }
    for (const i of candidates) {
      if (await this.#verifyHash(secret, this.#entries[i]!.hash!)) return i;
    }
    return -1;
  }
}
