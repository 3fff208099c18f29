import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountStore, type CreateServiceAccountOptions, type ServiceAccountKeyFile } from './accounts.js';
import { readBody } from './body.js';
import { bearerToken, getUser, USERS_PATH } from './directory.js';
import { type ApiRefusal, apiErrors, type TokenRefusal, tokenErrors } from './errors.js';
import type { JsonObject } from './jws.js';
import { type DirectoryUser, TokenStore, UserStore } from './state.js';
import { exchangeAssertion, type TokenOutcome } from './token-endpoint.js';

/** Options of {@link startGoogleOAuthEmulator}. */
export interface GoogleOAuthEmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on. Default 0 (any free port). */
  readonly port?: number;
  /** The project of accounts made without an email. Default `scimgw-emulator`. */
  readonly projectId?: string;
  /** Largest request body accepted; larger ones are answered 413. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Allowance for clocks when checking `iat` and `exp`. Default 300 seconds. */
  readonly clockSkewSeconds?: number;
  /** The emulator's clock in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** A request to `POST /token`, as the call log keeps it. */
export interface TokenCall {
  readonly kind: 'token';
  /** Milliseconds on the emulator's clock. */
  readonly at: number;
  readonly method: string;
  /** The form fields (the first of each name). */
  readonly form: Readonly<Record<string, string>>;
  /** The JWT header, when the assertion's header could be decoded. */
  readonly header?: Readonly<JsonObject>;
  /** The JWT claims, when the assertion's payload could be decoded. */
  readonly claims?: Readonly<JsonObject>;
  readonly status: number;
  /** The `error` of a refusal. */
  readonly error?: string;
}

/** A request to anything other than the token endpoint, as the call log keeps it. */
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

/** One entry of {@link GoogleOAuthEmulator.calls}. */
export type EmulatorCall = TokenCall | ApiCall;

/** A running emulator. */
export interface GoogleOAuthEmulator {
  /** `http://host:port`. */
  readonly base: string;
  /** `${base}/token`: the `token_uri` of key files and the `aud` assertions must carry. */
  readonly tokenUri: string;
  /** Every request, oldest first. The array is live; empty it with `calls.length = 0`. */
  readonly calls: EmulatorCall[];
  /** The URL of users.get for a user key (primary email or unique ID). */
  userUrl(userKey: string): string;
  /** A new key (and account, unless `email` names one) as the JSON key file Google hands out. */
  createServiceAccount(options?: CreateServiceAccountOptions): ServiceAccountKeyFile;
  /** Disables (as deleting would) a key; throws if there is no such key. */
  disableKey(clientEmail: string, privateKeyId: string): void;
  /** Adds a user of the Workspace domain (an administrator unless `isAdmin: false`). */
  addUser(email: string, options?: { readonly isAdmin?: boolean }): DirectoryUser;
  /** Makes every access token issued so far invalid. */
  expireTokens(): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Starts the emulator on a local port. */
export async function startGoogleOAuthEmulator(options: GoogleOAuthEmulatorOptions = {}): Promise<GoogleOAuthEmulator> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const clockSkewSeconds = options.clockSkewSeconds ?? 300;
  const clock = options.now ?? Date.now;
  const calls: EmulatorCall[] = [];
  const tokens = new TokenStore();
  const users = new UserStore();
  let tokenUri = '';
  const accounts = new AccountStore(options.projectId ?? 'scimgw-emulator', () => tokenUri);

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // Nothing above throws on purpose; should it, the client still gets an answer.
      if (!res.headersSent) send(res, 500, { error: 'internal_failure', error_description: 'The emulator failed.' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const path = target.split('?', 1)[0] ?? '/';
    const method = req.method ?? 'GET';
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok && body.reason === 'aborted') {
      res.destroy();
      return;
    }
    if (path === '/token') {
      const form = body.ok && isForm(req) ? new URLSearchParams(body.bytes.toString('utf8')) : undefined;
      const outcome = tokenOutcome(req, body.ok, form);
      const error = 'error' in outcome.body ? outcome.body.error : undefined;
      calls.push({
        kind: 'token',
        at: clock(),
        method,
        form: form ? firstValues(form) : {},
        ...(outcome.header ? { header: outcome.header } : {}),
        ...(outcome.claims ? { claims: outcome.claims } : {}),
        status: outcome.status,
        ...(error ? { error } : {}),
      });
      if (outcome.status === 405) res.setHeader('Allow', 'POST');
      // RFC 6749 §5.1: token responses must not be cached.
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      send(res, outcome.status, outcome.body);
      return;
    }
    const outcome = apiOutcome(method, path, req.headers.authorization, body.ok);
    const token = bearerToken(req.headers.authorization);
    calls.push({ kind: 'api', at: clock(), method, path: target, ...(token ? { token } : {}), status: outcome.status });
    if ('headers' in outcome) for (const [name, value] of Object.entries(outcome.headers ?? {})) res.setHeader(name, value);
    send(res, outcome.status, outcome.body);
  }

  function tokenOutcome(req: IncomingMessage, withinLimit: boolean, form: URLSearchParams | undefined): TokenOutcome {
    const refuse = (refusal: TokenRefusal): TokenOutcome => ({ status: refusal.status, body: refusal.body });
    if (req.method !== 'POST') return refuse(tokenErrors.method());
    if (!withinLimit) return refuse(tokenErrors.tooLarge());
    if (!form) return refuse(tokenErrors.notForm());
    return exchangeAssertion(form, {
      accounts,
      users,
      tokens,
      tokenUri,
      now: clock(),
      clockSkewSeconds,
    });
  }

  function apiOutcome(method: string, path: string, authorization: string | undefined, withinLimit: boolean) {
    if (!withinLimit) return apiErrors.tooLarge();
    const userPath = USERS_PATH.exec(path);
    if (!userPath || method !== 'GET') return apiErrors.noSuchPath() satisfies ApiRefusal;
    return getUser(userPath[1]!, authorization, { tokens, users, now: clock() });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  tokenUri = `${base}/token`;

  return {
    base,
    tokenUri,
    calls,
    userUrl: (userKey) => `${base}/admin/directory/v1/users/${encodeURIComponent(userKey)}`,
    createServiceAccount: (opts) => accounts.create(opts),
    disableKey: (clientEmail, privateKeyId) => accounts.disable(clientEmail, privateKeyId),
    addUser: (email, opts) => users.add(email, opts),
    expireTokens: () => tokens.expireAll(),
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

function firstValues(form: URLSearchParams): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of form) {
    if (seen.has(name)) continue;
    seen.add(name);
    entries.push([name, value]);
  }
  // Object.fromEntries defines own properties, so a field named "__proto__" stays a field.
  return Object.fromEntries(entries);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
