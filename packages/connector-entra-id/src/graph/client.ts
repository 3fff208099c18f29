/**
 * The Microsoft Graph client of the connector: one call with a fresh token, retries for
 * throttling (429/503 with `Retry-After`), transient failures and read-your-write 404s after a
 * create, all bounded by one deadline; Graph errors typed as {@link GraphError}.
 * Transport, proxy, TLS, timeouts and masked logging come from `@scimgw/helper-rest`.
 */
import { errors, type Logger, type RequestContext } from '@scimgw/core';
import {
  type HelperRest,
  RestAbortedError,
  RestError,
  RestNetworkError,
  RestTimeoutError,
  parseRetryAfter,
} from '@scimgw/helper-rest';
import { TokenError, type TokenSource } from '../auth/tokens.js';
import type { RetrySettings } from '../config.js';
import { GraphError, toScimError } from './errors.js';
import type { FreshObjects } from './fresh.js';
import type { GraphOperation } from './permissions.js';
import { isIdempotent, RetryBudget, retryableStatus, sleep } from './retry.js';

/** One configured Entra tenant. */
export interface GraphTenant {
  /** `endpoint.entity` key (`undefined` for the default tenant). */
  readonly key: string;
  /** Graph root with version, e.g. `https://graph.microsoft.com/v1.0`. */
  readonly baseUrl: string;
  readonly tokens: TokenSource;
  /** Domain appended to userName values without `@`. */
  readonly upnDomain: string | undefined;
}

/** One Graph request. */
export interface GraphCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under the version root (`/users?$top=10`), or an absolute `@odata.nextLink`. */
  path: string;
  body?: unknown;
  /** What the call does: names the permission when Graph refuses it. */
  op: GraphOperation;
  headers?: Record<string, string>;
  /** Ids in this call whose fresh 404 is a replication delay, retried (read-your-write). */
  fresh?: readonly string[];
  /** Whether repeating after a 5xx is harmless. Default: by method (PATCH counts as idempotent). */
  idempotent?: boolean;
}

/** A successful answer. */
export interface GraphResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** What {@link GraphClient} needs. */
export interface GraphClientDeps {
  rest: HelperRest;
  tenants: ReadonlyMap<string, GraphTenant>;
  retry: RetrySettings;
  fresh: FreshObjects;
  replicationDelayMs: number;
  log: Logger;
  random?: () => number;
  now?: () => number;
}

/** The key of `ctx.tenant` in `endpoint.entity`. */
export function tenantKey(tenant: string | undefined): string {
  return tenant === undefined || tenant === '' ? 'undefined' : tenant;
}

/** The Graph client shared by every resource handler. */
export class GraphClient {
  readonly #deps: GraphClientDeps;

  constructor(deps: GraphClientDeps) {
    this.#deps = deps;
  }

  /** The tenant a request is for. */
  tenant(ctx: RequestContext): GraphTenant {
    const key = tenantKey(ctx.tenant);
    const t = this.#deps.tenants.get(key);
    if (!t) throw new errors.NotFoundError(`No Entra tenant is configured for "${key}" (endpoint.entity.${key})`);
    return t;
  }

  /** Sends a call; a Graph error becomes the SCIM error of the one table. */
  async call<T = unknown>(tenant: GraphTenant, call: GraphCall, ctx: RequestContext): Promise<GraphResponse<T>> {
    try {
      return await this.callRaw<T>(tenant, call, ctx);
    } catch (e) {
      throw this.translate(e, tenant, call.op);
    }
  }

  /** Turns a {@link GraphError} into a SCIM error (anything else passes through). */
  translate(e: unknown, tenant: GraphTenant, op: GraphOperation): unknown {
    return e instanceof GraphError ? toScimError(e, { op, tenant: tenant.key }) : e;
  }

  /** Sends a call; throws {@link GraphError} for Graph's error answers (callers that inspect them). */
  async callRaw<T = unknown>(tenant: GraphTenant, call: GraphCall, ctx: RequestContext): Promise<GraphResponse<T>> {
    const { rest, retry, log } = this.#deps;
    const now = this.#deps.now ?? Date.now;
    const budget = new RetryBudget(retry, now);
    const idempotent = call.idempotent ?? isIdempotent(call.method);
    let refreshed = false;
    let replicationWait = this.#deps.replicationDelayMs;
    const path = call.path.startsWith('/') ? `${tenant.baseUrl}${call.path}` : call.path;
    for (;;) {
      budget.next();
      const token = await this.#token(tenant);
      let failure: GraphError;
      try {
        const res = await rest.doRequest<T>(tenant.key, call.method, path, call.body, ctx, {
          headers: { ...(call.headers ?? {}), authorization: `Bearer ${token}` },
          retry: false,
        });
        if (isHtmlAnswer(res.headers, res.body)) throw htmlAnswer(res.status);
        return { status: res.status, body: res.body, headers: res.headers };
      } catch (e) {
        if (e instanceof errors.ScimError) throw e;
        if (e instanceof RestAbortedError)
          throw new errors.ServiceUnavailableError('The request was cancelled', undefined, { cause: e });
        if (e instanceof RestNetworkError || e instanceof RestTimeoutError) {
          const mayRepeat = (e instanceof RestNetworkError && !e.reached) || idempotent;
          const wait = mayRepeat ? budget.wait(undefined, this.#deps.random) : undefined;
          if (wait === undefined) {
            throw new errors.ServiceUnavailableError(`Microsoft Graph could not be reached: ${e.message}`, 30, { cause: e });
          }
          log.warn('graph call failed, retrying', { tenant: tenant.key, op: call.op, attempt: budget.attempt, waitMs: wait });
          await sleep(wait, ctx.signal);
          continue;
        }
        if (!(e instanceof RestError)) throw e;
        // Throttling and outages keep their meaning (and their retries) whatever page came with them.
        if (isHtmlAnswer(e.headers, e.body) && ![429, 502, 503, 504].includes(e.status)) throw htmlAnswer(e.status);
        failure = GraphError.fromBody(
          e.status,
          e.body,
          e.retryAfter ?? secondsOf(e.headers.get('retry-after')),
          e.headers.get('request-id') ?? undefined,
        );
      }
      if (failure.status === 401 && !refreshed) {
        // The token expired early or was revoked: one new token, not counted as a retry.
        refreshed = true;
        tenant.tokens.invalidate(token);
        continue;
      }
      if (retryableStatus(failure.status, idempotent)) {
        const wait = budget.wait(failure.retryAfter, this.#deps.random);
        if (wait !== undefined) {
          log.warn('graph throttled, retrying', {
            tenant: tenant.key,
            op: call.op,
            status: failure.status,
            attempt: budget.attempt,
            retryAfter: failure.retryAfter,
            waitMs: wait,
          });
          await sleep(wait, ctx.signal);
          continue;
        }
      }
      if (failure.status === 404 && call.fresh?.length) {
        const until = this.#deps.fresh.retryUntil(call.fresh);
        if (until !== undefined && now() + replicationWait <= Math.min(until, budget.deadline)) {
          log.debug('graph 404 for a new object, waiting for replication', {
            tenant: tenant.key,
            op: call.op,
            waitMs: replicationWait,
          });
          await sleep(replicationWait, ctx.signal);
          replicationWait = Math.min(replicationWait * 2, 5_000);
          continue;
        }
      }
      throw failure;
    }
  }

  async #token(tenant: GraphTenant): Promise<string> {
    try {
      return await tenant.tokens.token();
    } catch (e) {
      if (e instanceof TokenError) {
        throw new errors.ScimError(502, `Could not get a Microsoft Graph token: ${e.message}`, undefined, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Reads a collection page by page, following `@odata.nextLink`: one page in memory at a time.
   * Yields each page's items, its `@odata.count` (advanced queries) and whether more follow.
   */
  async *pages<T = Record<string, unknown>>(
    tenant: GraphTenant,
    call: Omit<GraphCall, 'method'>,
    ctx: RequestContext,
  ): AsyncGenerator<GraphPage<T>> {
    let path: string | undefined = call.path;
    let seen = 0;
    while (path !== undefined) {
      const res: GraphResponse<ODataCollection<T>> = await this.call<ODataCollection<T>>(
        tenant,
        { ...call, method: 'GET', path },
        ctx,
      );
      const body = res.body;
      // Graph answers every collection read with an object holding a `value` list; an empty list
      // read from anything else would tell an IdP that looks up before it creates to create again.
      if (typeof body !== 'object' || body === null || !Array.isArray(body.value)) {
        throw new errors.ScimError(502, 'Microsoft Graph answered a collection read without a value list');
      }
      const items = body.value;
      // Graph's collections hold objects only; anything else is an answer the gateway cannot read.
      for (const item of items as unknown[]) {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          throw new errors.ScimError(502, 'Microsoft Graph answered a collection whose entries are not objects');
        }
      }
      const next = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined;
      if (next !== undefined && !sameOrigin(next, tenant.baseUrl)) {
        throw new errors.ScimError(502, 'Microsoft Graph answered a nextLink to another host');
      }
      seen += items.length;
      if (seen > 10_000_000) throw new errors.TooManyError('More than 10 million results');
      yield { items, count: typeof body['@odata.count'] === 'number' ? body['@odata.count'] : undefined, nextLink: next };
      path = next;
    }
  }
}

/** One page of a collection. */
export interface GraphPage<T> {
  items: T[];
  /** `@odata.count`, present on advanced queries with `$count=true`. */
  count: number | undefined;
  /** `@odata.nextLink` of this page. */
  nextLink: string | undefined;
}

/** A collection answer. */
export interface ODataCollection<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

function secondsOf(header: string | null): number | undefined {
  const ms = parseRetryAfter(header);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/**
 * An HTML page where Graph answers JSON (or text, for `$count`): a proxy's or a sign-in portal's
 * between the gateway and Graph. Read as Graph's answer it would be "no such user" or an empty list.
 */
export function isHtmlAnswer(headers: Headers | undefined, body: unknown): boolean {
  // Nothing is no page, whatever the content type says.
  if (typeof body !== 'string' || body.trim() === '') return false;
  return body.trimStart().startsWith('<') || /html/i.test(headers?.get('content-type') ?? '');
}

function htmlAnswer(status: number): errors.ScimError {
  return new errors.ScimError(
    502,
    `Microsoft Graph's address answered with an HTML page (HTTP ${status}), not Graph's JSON: is a proxy or a sign-in portal in the way?`,
  );
}

/**
 * The object a read of one directory object answered, which Graph always sends with its `id`.
 * Anything else (an empty 200, a list, an object without an id) is not the object and not its
 * absence either: 502, where it once became "not found".
 */
export function graphObject<T extends Record<string, unknown>>(body: unknown, what: string): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as { id?: unknown }).id !== 'string') {
    throw new errors.ScimError(502, `Microsoft Graph answered the read of ${what} without the object`);
  }
  return body as T;
}
