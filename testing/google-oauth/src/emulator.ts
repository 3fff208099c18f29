import type { ApiCall, EmulatorOptions, RunningEmulator, TokenCallBase } from '@scimgw/testing-emulator-kit';
import { startOAuthServer } from '@scimgw/testing-emulator-kit';
import { AccountStore, type CreateServiceAccountOptions, type ServiceAccountKeyFile } from './accounts.js';
import { getUser, USERS_PATH } from './directory.js';
import { type ApiRefusal, apiErrors } from './errors.js';
import type { JsonObject } from './jws.js';
import { type DirectoryUser, TokenStore, UserStore } from './state.js';
import { exchangeAssertion, type TokenOutcome } from './token-endpoint.js';

/** Options of {@link startGoogleOAuthEmulator} (`host`, `port`, `maxBodyBytes` and `now`: the kit's). */
export interface GoogleOAuthEmulatorOptions extends EmulatorOptions {
  /** The project of accounts made without an email. Default `scimgw-emulator`. */
  readonly projectId?: string;
  /** Allowance for clocks when checking `iat` and `exp`. Default 300 seconds. */
  readonly clockSkewSeconds?: number;
}

/** A request to `POST /token`, as the call log keeps it. */
export interface TokenCall extends TokenCallBase {
  /** The JWT header, when the assertion's header could be decoded. */
  readonly header?: Readonly<JsonObject>;
  /** The JWT claims, when the assertion's payload could be decoded. */
  readonly claims?: Readonly<JsonObject>;
}

/** A request to anything other than the token endpoint, as the call log keeps it. */
export type { ApiCall } from '@scimgw/testing-emulator-kit';

/** One entry of {@link GoogleOAuthEmulator.calls}. */
export type EmulatorCall = TokenCall | ApiCall;

/** A running emulator. */
export interface GoogleOAuthEmulator extends RunningEmulator<EmulatorCall> {
  /** `${base}/token`: the `token_uri` of key files and the `aud` assertions must carry. */
  readonly tokenUri: string;
  /** The URL of users.get for a user key (primary email or unique ID). */
  userUrl(userKey: string): string;
  /** A new key (and account, unless `email` names one) as the JSON key file Google hands out. */
  createServiceAccount(options?: CreateServiceAccountOptions): ServiceAccountKeyFile;
  /** Disables (as deleting would) a key; throws if there is no such key. */
  disableKey(clientEmail: string, privateKeyId: string): void;
  /** Adds a user of the Workspace domain (an administrator unless `isAdmin: false`). */
  addUser(email: string, options?: { readonly isAdmin?: boolean }): DirectoryUser;
}

/** Starts the emulator on a local port. */
export async function startGoogleOAuthEmulator(options: GoogleOAuthEmulatorOptions = {}): Promise<GoogleOAuthEmulator> {
  const clockSkewSeconds = options.clockSkewSeconds ?? 300;
  const clock = options.now ?? Date.now;
  const tokens = new TokenStore();
  const users = new UserStore();
  let tokenUri = '';
  const accounts = new AccountStore(options.projectId ?? 'scimgw-emulator', () => tokenUri);

  const server = await startOAuthServer({
    ...options,
    tokenPath: '/token',
    failureBody: { error: 'internal_failure', error_description: 'The emulator failed.' },
    exchange: (form) => exchangeAssertion(form, { accounts, users, tokens, tokenUri, now: clock(), clockSkewSeconds }),
    tokenCall: (logged, outcome: TokenOutcome): TokenCall => {
      const error = 'error' in outcome.body ? outcome.body.error : undefined;
      return {
        ...logged,
        ...(outcome.header ? { header: outcome.header } : {}),
        ...(outcome.claims ? { claims: outcome.claims } : {}),
        status: outcome.status,
        ...(error ? { error } : {}),
      };
    },
    api: ({ method, path, req, body }) => {
      if (!body.ok) return apiErrors.tooLarge();
      const userPath = USERS_PATH.exec(path);
      if (!userPath || method !== 'GET') return apiErrors.noSuchPath() satisfies ApiRefusal;
      return getUser(userPath[1]!, req.headers.authorization, { tokens, users, now: clock() });
    },
  });
  const { base } = server;
  tokenUri = `${base}/token`;

  return {
    base,
    tokenUri,
    calls: server.calls,
    userUrl: (userKey) => `${base}/admin/directory/v1/users/${encodeURIComponent(userKey)}`,
    createServiceAccount: (opts) => accounts.create(opts),
    disableKey: (clientEmail, privateKeyId) => accounts.disable(clientEmail, privateKeyId),
    addUser: (email, opts) => users.add(email, opts),
    expireTokens: () => tokens.expireTokens(),
    close: server.close,
  };
}
