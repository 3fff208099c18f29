/**
 * JSON batching: many small Graph requests (member adds, relation reads) sent 20 to a `$batch`.
 * Each item succeeds or fails on its own: throttled items (429, or 503 on idempotent ones) and
 * fresh-object 404s are sent again in a later batch, within the same deadline; the other
 * failures are returned per item for the caller to judge.
 *
 * @see https://learn.microsoft.com/graph/json-batching
 */
import type { RequestContext } from '@scimgw/core';
import type { GraphClient, GraphTenant } from './client.js';
import { GraphError } from './errors.js';
import type { FreshObjects } from './fresh.js';
import type { GraphOperation } from './permissions.js';
import { isIdempotent, RetryBudget, retryableStatus, sleep } from './retry.js';
import type { RetrySettings } from '../config.js';

/** Graph's limit of requests per batch. */
export const MAX_BATCH = 20;

/** One request of a batch. */
export interface BatchRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under the version root, e.g. `/groups/{id}/members/$ref`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Ids whose fresh 404 is retried. */
  fresh?: readonly string[];
  idempotent?: boolean;
}

/** The outcome of one request, in input order. */
export type BatchResult = { ok: true; status: number; body: unknown } | { ok: false; error: GraphError };

interface RawItem {
  id?: unknown;
  status?: unknown;
  headers?: Record<string, string>;
  body?: unknown;
}

function retryAfterOf(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === 'retry-after' && /^\d+$/.test(String(v).trim())) return Number(v);
  }
  return undefined;
}

/** What {@link runBatch} needs besides the client. */
export interface BatchDeps {
  graph: GraphClient;
  retry: RetrySettings;
  fresh: FreshObjects;
  replicationDelayMs: number;
  random?: () => number;
  now?: () => number;
}

/**
 * Runs `requests` in batches of {@link MAX_BATCH}; returns one result per request, in order.
 * A failure of the `$batch` call itself (401, 403, network) throws, as for any call.
 */
export async function runBatch(
  deps: BatchDeps,
  tenant: GraphTenant,
  op: GraphOperation,
  requests: readonly BatchRequest[],
  ctx: RequestContext,
): Promise<BatchResult[]> {
  const results: (BatchResult | undefined)[] = new Array(requests.length).fill(undefined);
  const now = deps.now ?? Date.now;
  let pending = requests.map((_, i) => i);
  const budget = new RetryBudget({ ...deps.retry, attempts: Math.max(deps.retry.attempts, 2) * 2 }, now);
  let replicationWait = deps.replicationDelayMs;
  while (pending.length > 0) {
    budget.next();
    const again: number[] = [];
    let throttled = false;
    let retryAfter = 0;
    for (let start = 0; start < pending.length; start += MAX_BATCH) {
      const chunk = pending.slice(start, start + MAX_BATCH);
      const body = {
        requests: chunk.map((index) => {
          const r = requests[index] as BatchRequest;
          const headers = { ...(r.headers ?? {}) };
          if (r.body !== undefined) headers['Content-Type'] = 'application/json';
          return {
            id: String(index),
            method: r.method,
            url: r.url,
            ...(Object.keys(headers).length ? { headers } : {}),
            ...(r.body !== undefined ? { body: r.body } : {}),
          };
        }),
      };
      const res = await deps.graph.call<{ responses?: RawItem[] }>(
        tenant,
        { method: 'POST', path: '/$batch', body, op, idempotent: false },
        ctx,
      );
      const answered = new Set<number>();
      // Responses come in any order: match them by id, never by position.
      for (const item of res.body?.responses ?? []) {
        const index = Number(item.id);
        if (!chunk.includes(index) || answered.has(index)) continue;
        answered.add(index);
        const request = requests[index] as BatchRequest;
        const status = typeof item.status === 'number' ? item.status : 500;
        if (status < 400) {
          results[index] = { ok: true, status, body: item.body };
          continue;
        }
        const error = GraphError.fromBody(status, item.body, retryAfterOf(item.headers));
        const idempotent = request.idempotent ?? isIdempotent(request.method);
        if (retryableStatus(status, idempotent)) {
          again.push(index);
          throttled = true;
          retryAfter = Math.max(retryAfter, error.retryAfter ?? 0);
          results[index] = { ok: false, error };
          continue;
        }
        if (status === 404 && request.fresh?.length) {
          const until = deps.fresh.retryUntil(request.fresh);
          if (until !== undefined && now() + replicationWait <= until) {
            again.push(index);
            results[index] = { ok: false, error };
            continue;
          }
        }
        results[index] = { ok: false, error };
      }
      for (const index of chunk) {
        if (!answered.has(index)) {
          results[index] = {
            ok: false,
            error: new GraphError({ status: 502, message: 'The $batch response left out a request' }),
          };
        }
      }
    }
    if (again.length === 0) break;
    // Throttled items wait for the longest Retry-After; fresh 404s only for replication.
    const delay = throttled
      ? budget.wait(retryAfter > 0 ? retryAfter : undefined, deps.random)
      : now() + replicationWait <= budget.deadline
        ? replicationWait
        : undefined;
    if (delay === undefined) break;
    await sleep(delay, ctx.signal);
    replicationWait = Math.min(replicationWait * 2, 5_000);
    pending = again;
  }
  return results as BatchResult[];
}
