import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './body.js';
import { apiErrors, type TokenRefusal, tokenErrors } from './errors.js';
import { bearerToken, getUser, userIdOfPath, userPath, wantsJson } from './odata.js';
import { type RegisterClientOptions, SuccessFactorsState } from './state.js';
import { exchangeAssertion, type TokenOutcome } from './token-endpoint.js';

/** Options of {@link startSuccessFactorsOAuthEmulator}. */
export interface SuccessFactorsOAuthEmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on. Default 0 (any free port). */
  readonly port?: number;
  /** Largest request body accepted; larger ones are answered 413. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Allowance for clocks in the assertion's `Conditions` (`NotBefore`, `NotOnOrAfter`). Default 300 seconds. */
  readonly clockSkewSeconds?: number;
  /** The emulator's clock in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** A request to `/oauth/token`, as the call log keeps it. */
export interface TokenCall {
  readonly kind: 'token';
  /** Milliseconds on the emulator's clock. */
  readonly at: number;
  readonly method: string;
  /** The form fields (the first of each name). */
  readonly form: Readonly<Record<string, string>>;
  /** The decoded `assertion`, when it was base64 of UTF-8 text (even if it was then refused). */
  readonly assertionXml?: string;
  readonly status: number;
  /** The `error` of a refusal. */
  readonly error?: string;
  /** The `error_description` of a refusal. */
  readonly errorDescription?: string;
}

/** A request to anything else, as the call log keeps it. */
export interface ApiCall {
  readonly kind: 'api';
  readonly at: number;
  readonly method: string;
  /** The request target as sent: path and query. */
  readonly path: string;
  /** The Authorization header's bearer token, if it had one. */
  readonly token?: string;
  readonly status: number;
}

/** One entry of {@link SuccessFactorsOAuthEmulator.calls}. */
export type EmulatorCall = TokenCall | ApiCall;

/** A running emulator. */
export interface SuccessFactorsOAuthEmulator {
  /** `http://host:port`: the emulated API server. */
  readonly base: string;
  /** `${base}/oauth/token`: where tokens are requested, and the `Recipient` assertions must name. */
  readonly tokenUrl: string;
  /** Every request, oldest first. The array is live; empty it with `calls.length = 0`. */
  readonly calls: EmulatorCall[];
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
  /** Makes every access token issued so far invalid. */
  expireTokens(): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Starts the emulator on a local port. */
export async function startSuccessFactorsOAuthEmulator(
  options: SuccessFactorsOAuthEmulatorOptions = {},
): Promise<SuccessFactorsOAuthEmulator> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const clockSkewSeconds = options.clockSkewSeconds ?? 300;
  const clock = options.now ?? Date.now;
  const calls: EmulatorCall[] = [];
  const state = new SuccessFactorsState();
  let base = '';
  let tokenUrl = '';

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // Nothing in handle throws on purpose; should it, the client still gets an answer.
      if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: 'The emulator failed.' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
    const method = req.method ?? 'GET';
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok && body.reason === 'aborted') {
      res.destroy();
      return;
    }

    if (path === '/oauth/token') {
      const form = body.ok && isForm(req) ? new URLSearchParams(body.bytes.toString('utf8')) : undefined;
      const outcome = tokenOutcome(method, body.ok, form);
      const refusal = 'error' in outcome.body ? outcome.body : undefined;
      calls.push({
        kind: 'token',
        at: clock(),
        method,
        form: form ? firstValues(form) : {},
        ...(outcome.assertionXml !== undefined ? { assertionXml: outcome.assertionXml } : {}),
        status: outcome.status,
        ...(refusal ? { error: refusal.error, errorDescription: refusal.error_description } : {}),
      });
      if (outcome.status === 405) res.setHeader('Allow', 'POST');
      // RFC 6749 §5.1: token responses are not to be cached.
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      send(res, outcome.status, outcome.body);
      return;
    }

    const authorization = req.headers.authorization;
    const userId = userIdOfPath(path);
    let outcome: ReturnType<typeof getUser>;
    if (!body.ok) outcome = apiErrors.tooLarge();
    else if (userId === undefined || method !== 'GET') outcome = apiErrors.noSuchPath();
    else {
      const json = wantsJson(query, req.headers.accept);
      outcome = getUser(userId, authorization, json, { state, base, now: clock() });
    }
    const token = bearerToken(authorization);
    calls.push({ kind: 'api', at: clock(), method, path: target, ...(token ? { token } : {}), status: outcome.status });
    if ('headers' in outcome) for (const [name, value] of Object.entries(outcome.headers ?? {})) res.setHeader(name, value);
    send(res, outcome.status, outcome.body);
  }

  function tokenOutcome(method: string, withinLimit: boolean, form: URLSearchParams | undefined): TokenOutcome {
    const refuse = (refusal: TokenRefusal): TokenOutcome => ({ status: refusal.status, body: refusal.body });
    if (method !== 'POST') return refuse(tokenErrors.method());
    if (!withinLimit) return refuse(tokenErrors.tooLarge());
    if (!form) return refuse(tokenErrors.notForm());
    return exchangeAssertion(form, { state, tokenUrl, now: clock(), clockSkewSeconds });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  tokenUrl = `${base}/oauth/token`;

  return {
    base,
    tokenUrl,
    calls,
    userUrl: (userId) => `${base}${userPath(userId)}?$format=json`,
    addCompany: (companyId) => state.addCompany(companyId),
    registerClient: (opts) => state.registerClient(opts),
    addUser: (companyId, userId) => state.addUser(companyId, userId),
    revokeClient: (apiKey) => state.revokeClient(apiKey),
    expireTokens: () => state.expireTokens(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function isForm(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return (type.split(';', 1)[0] ?? '').trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** The first value of each field, as own properties (a field named `__proto__` stays a field). */
function firstValues(form: URLSearchParams): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of form) {
    if (seen.has(name)) continue;
    seen.add(name);
    entries.push([name, value]);
  }
  return Object.fromEntries(entries);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
