/**
 * `basic`: HTTP Basic authentication (RFC 7617) against configured users.
 */
import { type Scope, listOf, optString, scopeOf } from './config.js';
import { CredentialVerifier, type CredentialVerifierOptions } from './credentials.js';
import type { BasicCredential, Principal } from './types.js';

/**
 * Decode the credentials of a `Basic` authorization header value (without the scheme).
 *
 * @returns user and password, or `undefined` when malformed
 * @example parseBasicCredentials(btoa('gwadmin:password')) // { username: 'gwadmin', password: 'password' }
 */
export function parseBasicCredentials(token68: string): { username: string; password: string } | undefined {
  const t = token68.trim();
  if (t.length === 0 || t.length > 8192 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  const decoded = Buffer.from(t, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Verifies Basic credentials; see {@link CredentialVerifier} for the timing and caching rules. */
export class BasicAuth {
  readonly #verifier: CredentialVerifier<Principal>;

  private constructor(verifier: CredentialVerifier<Principal>) {
    this.#verifier = verifier;
  }

  /**
   * Compile `auth.basic`; entries whose `username` is null are skipped.
   *
   * @returns `undefined` when no entry is enabled
   */
  static compile(entries: BasicCredential[] | null | undefined, options: CredentialVerifierOptions = {}): BasicAuth | undefined {
    const list = listOf(entries, 'auth.basic');
    const compiled = list.flatMap((e, i) => {
      const path = `auth.basic[${i}]`;
      const username = optString(e.username, `${path}.username`);
      if (username === undefined) return [];
      if (username.includes(':')) throw new Error(`${path}.username: must not contain ':'`);
      const password = optString(e.password, `${path}.password`);
      if (password === undefined) throw new Error(`${path}.password: required when username is set`);
      const scope: Scope = scopeOf(e, path);
      const principal: Principal = Object.freeze({ name: username, method: 'basic', ...scope });
      return [{ id: username, secret: password, value: principal, path, secretField: 'password' }];
    });
    if (compiled.length === 0) return undefined;
    return new BasicAuth(new CredentialVerifier(compiled, options));
  }

  /** `true` when `username` is configured here (pass-through must not take over its failures). */
  knows(username: string): boolean {
    return this.#verifier.knows(username);
  }

  /** Verify a presented user and password. */
  verify(username: string, password: string): Promise<Principal | undefined> {
    return this.#verifier.verify(username, password);
  }
}
