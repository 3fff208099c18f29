/**
 * `bearerToken`: shared-secret bearer tokens, compared as keyed digests in constant time.
 */
import { listOf, optString, scopeOf } from './config.js';
import { Digester, sameDigest } from './digest.js';
import type { BearerTokenCredential, Principal } from './types.js';

/** Verifies shared-secret bearer tokens. */
export class BearerTokens {
  readonly #digester = new Digester();
  readonly #entries: { digest: Buffer; principal: Principal }[];

  private constructor(entries: { digest: Buffer; principal: Principal }[]) {
    this.#entries = entries;
  }

  /**
   * Compile `auth.bearerToken`; entries whose `token` is null are skipped.
   *
   * @returns `undefined` when no entry is enabled
   */
  static compile(entries: BearerTokenCredential[] | null | undefined): BearerTokens | undefined {
    const list = listOf(entries, 'auth.bearerToken');
    const self = new BearerTokens([]);
    list.forEach((e, i) => {
      const path = `auth.bearerToken[${i}]`;
      const token = optString(e.token, `${path}.token`);
      if (token === undefined) return;
      const name = optString(e.name, `${path}.name`) ?? `bearerToken[${i}]`;
      const principal: Principal = Object.freeze({ name, method: 'bearerToken', ...scopeOf(e, path) });
      self.#entries.push({ digest: self.#digester.digest('token', token), principal });
    });
    return self.#entries.length === 0 ? undefined : self;
  }

  /** The principal of a matching token, comparing against every entry (no early exit). */
  verify(token: string): Principal | undefined {
    const d = this.#digester.digest('token', token);
    let found: Principal | undefined;
    for (const e of this.#entries) {
      if (sameDigest(d, e.digest) && !found) found = e.principal;
    }
    return found;
  }
}
