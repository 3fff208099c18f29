import type { ApiCall, EmulatorOptions, RunningEmulator, TokenCallBase } from '@scimgw/testing-emulator-kit';
import { startOAuthServer } from '@scimgw/testing-emulator-kit';
import { apiErrors } from './errors.js';
import { getUser, userIdOfPath, userPath, wantsJson } from './odata.js';
import { type RegisterClientOptions, SuccessFactorsState } from './state.js';
import { exchangeAssertion, type TokenOutcome } from './token-endpoint.js';

/** Options of {@link startSuccessFactorsOAuthEmulator} (`host`, `port`, `maxBodyBytes` and `now`: the kit's). */
export interface SuccessFactorsOAuthEmulatorOptions extends EmulatorOptions {
  /** Allowance for clocks in the assertion's `Conditions` (`NotBefore`, `NotOnOrAfter`). Default 300 seconds. */
  readonly clockSkewSeconds?: number;
}

/** A request to `/oauth/token`, as the call log keeps it. */
export interface TokenCall extends TokenCallBase {
  /** The decoded `assertion`, when it was base64 of UTF-8 text (even if it was then refused). */
  readonly assertionXml?: string;
  /** The `error_description` of a refusal. */
  readonly errorDescription?: string;
}

/** A request to anything else, as the call log keeps it. */
export type { ApiCall } from '@scimgw/testing-emulator-kit';

/** One entry of {@link SuccessFactorsOAuthEmulator.calls}. */
export type EmulatorCall = TokenCall | ApiCall;

/** A running emulator. */
export interface SuccessFactorsOAuthEmulator extends RunningEmulator<EmulatorCall> {
  /** `http://host:port`: the emulated API server. */
  readonly base: string;
  /** `${base}/oauth/token`: where tokens are requested, and the `Recipient` assertions must name. */
  readonly tokenUrl: string;
  /** `${base}/odata/v2/User('<userId>')?$format=json`. */
  userUrl(userId: string): string;
  /** Adds a company (a SuccessFactors instance, the `company_id`); adding one twice does nothing. */
  addCompany(companyId: string): void;
  /** Registers an OAuth client application in a company and returns its API key (the `client_id`). */
  registerClient(options: RegisterClientOptions): string;
  /** Adds a user (by user ID) to a company. */
  addUser(companyId: string, userId: string): void;
  /** Revokes a client: its assertions are refused with `invalid_client` and its tokens stop working. */
  revokeClient(apiKey: string): void;
}

/** Starts the emulator on a local port. */
export async function startSuccessFactorsOAuthEmulator(
  options: SuccessFactorsOAuthEmulatorOptions = {},
): Promise<SuccessFactorsOAuthEmulator> {
  const clockSkewSeconds = options.clockSkewSeconds ?? 300;
  const clock = options.now ?? Date.now;
  const state = new SuccessFactorsState();
  let base = '';
  let tokenUrl = '';

  const server = await startOAuthServer({
    ...options,
    tokenPath: '/oauth/token',
    failureBody: { error: 'server_error', error_description: 'The emulator failed.' },
    exchange: (form) => exchangeAssertion(form, { state, tokenUrl, now: clock(), clockSkewSeconds }),
    tokenCall: (logged, outcome: TokenOutcome): TokenCall => {
      const refusal = 'error' in outcome.body ? outcome.body : undefined;
      return {
        ...logged,
        ...(outcome.assertionXml !== undefined ? { assertionXml: outcome.assertionXml } : {}),
        status: outcome.status,
        ...(refusal ? { error: refusal.error, errorDescription: refusal.error_description } : {}),
      };
    },
    api: ({ req, method, path, query, body }) => {
      const userId = userIdOfPath(path);
      if (!body.ok) return apiErrors.tooLarge();
      if (userId === undefined || method !== 'GET') return apiErrors.noSuchPath();
      const json = wantsJson(query, req.headers.accept);
      return getUser(userId, req.headers.authorization, json, { state, base, now: clock() });
    },
  });
  base = server.base;
  tokenUrl = `${base}/oauth/token`;

  return {
    base,
    tokenUrl,
    calls: server.calls,
    userUrl: (userId) => `${base}${userPath(userId)}?$format=json`,
    addCompany: (companyId) => state.addCompany(companyId),
    registerClient: (opts) => state.registerClient(opts),
    addUser: (companyId, userId) => state.addUser(companyId, userId),
    revokeClient: (apiKey) => state.revokeClient(apiKey),
    expireTokens: () => state.expireTokens(),
    close: server.close,
  };
}
