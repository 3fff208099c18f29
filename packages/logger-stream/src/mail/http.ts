/** Outbound HTTP for the OAuth mail providers: small, fetch-based, with timeouts. */

import { readBoundedText } from '@scimgw/config';

/** Per-request time limit for token and send calls. */
const TIMEOUT_MS = 20_000;
/** Largest answer read from a provider (a token, a send receipt, an error). */
const MAX_BYTES = 1024 * 1024;

/** The fetch function in use (global by default, injectable for tests). */
export type FetchFn = typeof fetch;

/** An HTTP failure, with status and the provider's error text. */
export class MailHttpError extends Error {
  override readonly name = 'MailHttpError';
  /**
   * @param message - what failed
   * @param status - HTTP status
   */
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Short description of an error response (OAuth `error_description`, Graph/Google `error.message`). */
async function describe(res: Response): Promise<string> {
  const text = await readBoundedText(res, MAX_BYTES).catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof body.error_description === 'string') return body.error_description;
    if (body.error && typeof body.error === 'object') return String((body.error as { message?: unknown }).message ?? '');
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 300);
}

/**
 * POSTs a form and returns the JSON answer; throws {@link MailHttpError} on a non-2xx status.
 *
 * @param fetchFn - fetch implementation
 * @param url - token endpoint
 * @param form - form fields
 */
export async function postForm(fetchFn: FetchFn, url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetchFn(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new MailHttpError(`token request to ${url} failed: ${res.status} ${await describe(res)}`, res.status);
  return JSON.parse(await readBoundedText(res, MAX_BYTES)) as Record<string, unknown>;
}

/**
 * POSTs JSON with a bearer token. Returns the parsed answer (or `{}` for an
 * empty one, e.g. Graph's 202); throws {@link MailHttpError} on a non-2xx status.
 *
 * @param fetchFn - fetch implementation
 * @param url - API endpoint
 * @param token - OAuth access token
 * @param body - JSON body
 */
export async function postJson(fetchFn: FetchFn, url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetchFn(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new MailHttpError(`POST ${url} failed: ${res.status} ${await describe(res)}`, res.status);
  const text = await readBoundedText(res, MAX_BYTES);
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Caches an OAuth access token until shortly before it expires, and lets
 * concurrent senders share one token request.
 */
export class TokenCache {
  #token: string | undefined;
  #expiresAt = 0;
  #pending: Promise<string> | undefined;

  /** @param fetchToken - obtains `{ access_token, expires_in }` */
  constructor(private readonly fetchToken: () => Promise<Record<string, unknown>>) {}

  /** A valid token, fetched if needed. */
  async get(): Promise<string> {
    if (this.#token && Date.now() < this.#expiresAt) return this.#token;
    this.#pending ??= this.#refresh().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets the token (after a 401). */
  invalidate(): void {
    this.#token = undefined;
    this.#expiresAt = 0;
  }

  async #refresh(): Promise<string> {
    const body = await this.fetchToken();
    const token = body.access_token;
    if (typeof token !== 'string' || token.length === 0) throw new Error('token response has no access_token');
    const ttl = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
    this.#token = token;
    // Renew a minute early so a token never expires between check and use.
    this.#expiresAt = Date.now() + Math.max(0, (Number.isFinite(ttl) ? ttl : 3600) - 60) * 1000;
    return token;
  }
}

/**
 * Runs `call` with a cached token; on a 401 renews the token once and retries.
 *
 * @param cache - token cache
 * @param call - the API call
 */
export async function withToken<T>(cache: TokenCache, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await cache.get());
  } catch (err) {
    if (!(err instanceof MailHttpError) || err.status !== 401) throw err;
    cache.invalidate();
    return call(await cache.get());
  }
}
