/**
 * One Graph request end to end: request ids, latency and throttling faults, bearer token
 * validation, routing, the permission check, the handler, Graph's error body, the call log.
 * `$batch` items run through the same steps with the batch's caller.
 */
import { randomUUID } from 'node:crypto';
import type { Tenant } from '../model/tenant.js';
import { type RouteContext, lazyOptions } from '../routes/context.js';
import { type BatchItem, executionOrder, failedDependency, parseBatch, scramble } from './batch.js';
import type { CallLog } from './calls.js';
import { GraphError, accessDenied, badRequest, errorBody, innerErrorDate } from './errors.js';
import type { CallInfo, Faults, ThrottleRule } from './faults.js';
import type { Router } from './router.js';
import { type Caller, type GraphRequest, type GraphResponse, JSON_TYPE, json } from './types.js';

/** A log line the emulator emits; it never holds headers, bodies or credentials. */
export interface LogEntry {
  readonly kind: 'graph' | 'token' | 'error';
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly route?: string | null;
  readonly requestId?: string;
  readonly clientId?: string;
  readonly code?: string;
  readonly message?: string;
}

/** What the Graph service needs. */
export interface GraphServiceDeps {
  readonly tenant: Tenant;
  readonly router: Router;
  readonly faults: Faults;
  readonly calls: CallLog;
  readonly secret: Buffer;
  readonly now: () => number;
  readonly log: (entry: LogEntry) => void;
  readonly batchOrder: 'request' | 'scrambled';
}

/** The HTTP layer's view of an incoming Graph request. */
export interface IncomingGraphRequest extends GraphRequest {
  /** The body was present but not readable JSON. */
  readonly bodyError: boolean;
}

type Authenticate = (authorization: string | undefined) => Promise<Caller>;

const DIAGNOSTIC = JSON.stringify({
  ServerInfo: { DataCenter: 'Emulator', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'graph-emulator' },
});

function throttled(rule: ThrottleRule, ids: { requestId: string; clientRequestId: string }, now: number): GraphResponse {
  const status = rule.status ?? 429;
  const retryAfter = String(rule.retryAfterSeconds ?? 1);
  const innerError = {
    code: String(status),
    date: innerErrorDate(now),
    message: 'Please retry after',
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
    status: String(status),
  };
  const error =
    status === 429
      ? { code: 'TooManyRequests', message: 'Please retry again later.', innerError }
      : { code: 'serviceNotAvailable', message: 'The service is temporarily unavailable. Please retry again later.', innerError };
  return json(status, { error }, { 'retry-after': retryAfter });
}

function clientRequestIdOf(headers: Readonly<Record<string, string>>): string | undefined {
  const value = headers['client-request-id'];
  return value !== undefined && /^[\w-]{1,100}$/.test(value) ? value : undefined;
}

/** The Graph API behind every listener. */
export class GraphService {
  constructor(private readonly deps: GraphServiceDeps) {}

  /** Handles one HTTP request (authenticating it with `authenticate`). */
  async handle(request: IncomingGraphRequest, authenticate: Authenticate): Promise<GraphResponse> {
    const requestId = randomUUID();
    const clientRequestId = clientRequestIdOf(request.headers) ?? requestId;
    const ids = { requestId, clientRequestId };
    const isBatch = request.path.replace(/\/+$/, '').toLowerCase() === '/$batch';
    let route: string | null = isBatch ? 'POST /$batch' : null;
    let response: GraphResponse;
    try {
      const caller = await authenticate(request.headers.authorization);
      if (isBatch) {
        if (request.method !== 'POST')
          throw new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
        if (request.bodyError) throw this.unreadable();
        response = await this.batch(request, caller);
      } else {
        const result = await this.route(request, caller, ids);
        route = result.route;
        response = result.response;
      }
    } catch (error) {
      response = this.errorResponse(error, ids);
    }
    this.deps.calls.record({
      method: request.method,
      route,
      url: this.url(request),
      status: response.status,
      inBatch: false,
      at: this.deps.now(),
    });
    this.deps.log({ kind: 'graph', method: request.method, url: this.url(request), status: response.status, route, requestId });
    return this.withHeaders(response, ids);
  }

  private url(request: GraphRequest): string {
    return request.query ? `${request.path}?${request.query}` : request.path;
  }

  private unreadable(): GraphError {
    return new GraphError(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }

  /** Routes one (possibly batched) request for an authenticated caller. */
  private async route(
    request: IncomingGraphRequest,
    caller: Caller,
    ids: { requestId: string; clientRequestId: string },
  ): Promise<{ route: string | null; response: GraphResponse }> {
    let match: ReturnType<Router['match']> | undefined;
    let matchError: unknown;
    try {
      match = this.deps.router.match(request.method, request.path);
    } catch (error) {
      matchError = error;
    }
    const route = match ? `${request.method} ${match.route.pattern}` : null;
    const info: CallInfo = { method: request.method, route, inBatch: request.inBatch };
    const delay = this.deps.faults.latencyFor(info);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const rule = this.deps.faults.throttleFor(info);
    if (rule) return { route, response: throttled(rule, ids, this.deps.now()) };
    try {
      if (!match) throw matchError;
      if (request.bodyError) throw this.unreadable();
      const now = this.deps.now();
      const ctx: RouteContext = {
        tenant: this.deps.tenant,
        request,
        params: match.params,
        caller,
        now,
        secret: this.deps.secret,
        eventual: (request.headers.consistencylevel ?? '').toLowerCase() === 'eventual',
        options: lazyOptions(request.query),
      };
      const permissions = typeof match.route.permissions === 'function' ? match.route.permissions(ctx) : match.route.permissions;
      if (permissions.length > 0 && !permissions.some((p) => caller.roles.has(p))) throw accessDenied();
      return { route, response: await match.route.handle(ctx) };
    } catch (error) {
      return { route, response: this.errorResponse(error, ids) };
    }
  }

  private async batch(request: IncomingGraphRequest, caller: Caller): Promise<GraphResponse> {
    const items = parseBatch(request.body);
    const results = new Map<string, { id: string; status: number; headers: Record<string, string>; body?: unknown }>();
    for (const item of executionOrder(items)) {
      const failed = item.dependsOn.some((d) => (results.get(d.toLowerCase())?.status ?? 0) >= 400);
      const response = failed ? failedDependency() : await this.batchItem(item, request, caller);
      const entry: { id: string; status: number; headers: Record<string, string>; body?: unknown } = {
        id: item.id,
        status: response.status,
        headers: response.headers,
      };
      if (response.body !== undefined) entry.body = response.body;
      results.set(item.id.toLowerCase(), entry);
    }
    const inRequestOrder = items.map((item) => results.get(item.id.toLowerCase()) as NonNullable<ReturnType<typeof results.get>>);
    const responses = this.deps.batchOrder === 'scrambled' ? scramble(inRequestOrder) : inRequestOrder;
    return json(200, { responses });
  }

  private async batchItem(item: BatchItem, outer: GraphRequest, caller: Caller): Promise<GraphResponse> {
    const requestId = randomUUID();
    const ids = { requestId, clientRequestId: clientRequestIdOf(outer.headers) ?? requestId };
    const question = item.url.indexOf('?');
    const rawPath = question < 0 ? item.url : item.url.slice(0, question);
    const query = question < 0 ? '' : item.url.slice(question + 1);
    const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
    const request: IncomingGraphRequest = {
      method: item.method,
      path,
      query,
      headers: { ...item.headers, authorization: outer.headers.authorization ?? '' },
      body: item.body,
      serviceRoot: outer.serviceRoot,
      inBatch: true,
      bodyError: false,
    };
    let route: string | null = null;
    let response: GraphResponse;
    if (/^[a-z][a-z0-9+.-]*:/i.test(item.url)) {
      response = this.errorResponse(
        badRequest('A batch request URL must be relative to the service root, for example /users.'),
        ids,
      );
    } else if (path.replace(/\/+$/, '').toLowerCase() === '/$batch') {
      response = this.errorResponse(badRequest('A batch request cannot contain another batch request.'), ids);
    } else {
      ({ route, response } = await this.route(request, caller, ids));
    }
    this.deps.calls.record({
      method: item.method,
      route,
      url: this.url(request),
      status: response.status,
      inBatch: true,
      at: this.deps.now(),
    });
    this.deps.log({ kind: 'graph', method: item.method, url: this.url(request), status: response.status, route, requestId });
    return this.withHeaders(response, ids);
  }

  private errorResponse(error: unknown, ids: { requestId: string; clientRequestId: string }): GraphResponse {
    const now = this.deps.now();
    if (error instanceof GraphError) {
      return json(error.status, errorBody(error, { ...ids, now }), { ...error.headers });
    }
    this.deps.log({ kind: 'error', requestId: ids.requestId, message: error instanceof Error ? error.message : String(error) });
    const internal = new GraphError(500, 'generalException', 'General exception while processing.');
    return json(500, errorBody(internal, { ...ids, now }));
  }

  private withHeaders(response: GraphResponse, ids: { requestId: string; clientRequestId: string }): GraphResponse {
    const headers: Record<string, string> = {
      'cache-control': 'no-cache',
      'request-id': ids.requestId,
      'client-request-id': ids.clientRequestId,
      'x-ms-ags-diagnostic': DIAGNOSTIC,
      'strict-transport-security': 'max-age=31536000',
      ...response.headers,
    };
    if (headers['content-type'] === JSON_TYPE) headers['odata-version'] = '4.0';
    return { ...response, headers };
  }
}
