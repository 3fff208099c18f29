/**
 * Internal contract between the request pipeline and the auth flows.
 */
import type { RequestContext } from '@scimgw/core';
import type { ResolvedConnection } from '../config.js';
import type { SafeLogger, SecretRegistry } from '../mask.js';
import type { TokenCache } from '../token-cache.js';
import type { RestResponse } from '../types.js';
import type { FederationRegistry } from './federated.js';

/** Produces the `Authorization` header of outbound requests for one tenant. */
export interface AuthProvider {
  /** The header value, or `undefined` for no authentication. */
  authorize(ctx: RequestContext | undefined): Promise<string | undefined>;
  /**
   * The header value when it is known without waiting (`undefined`: send none), or `false` when
   * {@link authorize} has to be awaited (a token is being fetched, or the call fails).
   */
  ready(ctx: RequestContext | undefined): string | undefined | false;
  /**
   * Called once when the backend answered 401 to `rejected`. Returns true when
   * retrying with a refreshed credential makes sense (token-based flows).
   */
  refresh(rejected: string): boolean;
  /** The token cache of token-based flows. */
  readonly cache?: TokenCache | undefined;
  /** True when the credential sent is the inbound caller's own (pass-through): the backend's 401/403 are the caller's. */
  readonly callerCredentials?: boolean;
}

/** What auth flows may use. */
export interface AuthDeps {
  conn: ResolvedConnection;
  certsDir: string;
  secrets: SecretRegistry;
  log: SafeLogger;
  federation: FederationRegistry;
  /** POSTs an `application/x-www-form-urlencoded` body through the tenant's transport, with retries. */
  postForm(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<RestResponse<unknown>>;
}
