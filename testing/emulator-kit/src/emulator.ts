import { type JsonReply, sendJson } from './json.js';
import { loggedForm, readTokenRequest, sendTokenResponse, type TokenRefusal } from './oauth.js';
import { type ApiCall, apiCall, type JsonRequest, startJsonServer } from './server.js';

/** The options every emulator takes. */
export interface EmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on. Default 0 (any free port). */
  readonly port?: number;
  /** Largest request body accepted; larger ones are answered 413. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** The emulator's clock in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** A request to the token endpoint, as the call log keeps it; an emulator adds what it decoded of the grant. */
export interface TokenCallBase {
  readonly kind: 'token';
  /** Milliseconds on the emulator's clock. */
  readonly at: number;
  readonly method: string;
  /** The form fields (the first of each name). */
  readonly form: Readonly<Record<string, string>>;
  readonly status: number;
  /** The `error` of a refusal. */
  readonly error?: string;
}

/** What every running emulator offers. */
export interface RunningEmulator<Call> {
  /** `http://host:port`. */
  readonly base: string;
  /** Every request, oldest first. The array is live; empty it with `calls.length = 0`. */
  readonly calls: Call[];
  /** Makes every access token issued so far invalid. */
  expireTokens(): void;
  close(): Promise<void>;
}

/** Options of {@link startOAuthServer}: where the token endpoint is, and the emulator's own logic. */
export interface OAuthServerOptions<Outcome extends JsonReply, Call extends TokenCallBase> extends EmulatorOptions {
  /** The path of the token endpoint, such as `/token`. */
  readonly tokenPath: string;
  /** The JSON body of the 500 answered should anything throw. */
  readonly failureBody: unknown;
  /** Decides a token request that is a POST of a form within the limit. */
  exchange(form: URLSearchParams): Outcome;
  /** The call log's entry of a token request: the fields every entry has, and the answer given. */
  tokenCall(logged: Pick<TokenCallBase, 'kind' | 'at' | 'method' | 'form'>, outcome: Outcome | TokenRefusal): Call;
  /** Answers any other request (a body over the limit included: `request.body.ok` is false). */
  api(request: JsonRequest): JsonReply;
}

/** A listening {@link startOAuthServer}. */
export type OAuthServer<Call> = Omit<RunningEmulator<Call>, 'expireTokens'>;

/**
 * Starts the server of an emulator of an OAuth token endpoint and the resources its tokens open.
 * Requests to `tokenPath` that are not a POST of a form within the limit are refused (405, 413,
 * 400) in RFC 6749 §5.2 form, others go to `exchange`, and token answers are never to be cached;
 * every other request goes to `api`. Each request is logged in `calls` before it is answered.
 */
export async function startOAuthServer<Outcome extends JsonReply, Call extends TokenCallBase>(
  options: OAuthServerOptions<Outcome, Call>,
): Promise<OAuthServer<Call | ApiCall>> {
  const clock = options.now ?? Date.now;
  const calls: (Call | ApiCall)[] = [];
  const server = await startJsonServer({
    host: options.host,
    port: options.port,
    maxBodyBytes: options.maxBodyBytes,
    failureBody: options.failureBody,
    handle(request, res) {
      if (request.path === options.tokenPath) {
        const tokenRequest = readTokenRequest(request);
        const outcome = tokenRequest.ok ? options.exchange(tokenRequest.form) : tokenRequest.refusal;
        calls.push(
          options.tokenCall({ kind: 'token', at: clock(), method: request.method, form: loggedForm(tokenRequest) }, outcome),
        );
        sendTokenResponse(res, outcome);
        return;
      }
      const reply = options.api(request);
      calls.push(apiCall(request, reply, clock()));
      sendJson(res, reply);
    },
  });
  return { base: server.base, calls, close: () => server.close() };
}
