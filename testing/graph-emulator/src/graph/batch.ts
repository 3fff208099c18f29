/**
 * JSON batching (`POST /$batch`): at most 20 requests with unique ids, relative URLs,
 * optional `dependsOn` ordering (a failed dependency answers 424), per-item status, headers
 * and body. Responses come back in an order that need not match the requests, as documented;
 * by default the emulator scrambles it so clients that rely on position fail here too.
 */
import { GraphError, echo } from './errors.js';
import type { GraphResponse } from './types.js';

/** Most requests one batch may carry. */
export const MAX_BATCH = 20;

/** One validated batch item. */
export interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly dependsOn: readonly string[];
}

const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

function batchError(message: string): GraphError {
  return new GraphError(400, 'BadRequest', message);
}

function parseItem(raw: unknown): BatchItem {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw batchError('Invalid batch payload format.');
  const item = raw as Record<string, unknown>;
  if (typeof item.id !== 'string' || item.id === '') throw batchError('Each request in a batch must have a string id.');
  const method = typeof item.method === 'string' ? item.method.toUpperCase() : '';
  if (!METHODS.has(method)) throw batchError(`Invalid method '${echo(String(item.method))}' for request id : ${echo(item.id)}.`);
  if (typeof item.url !== 'string' || item.url === '') throw batchError(`Request id : ${echo(item.id)} does not have a url.`);
  const headers: Record<string, string> = {};
  if (item.headers !== undefined) {
    if (item.headers === null || typeof item.headers !== 'object' || Array.isArray(item.headers)) {
      throw batchError(`The headers of request id : ${echo(item.id)} must be an object.`);
    }
    for (const [name, value] of Object.entries(item.headers)) {
      if (typeof value !== 'string')
        throw batchError(`The header '${echo(name)}' of request id : ${echo(item.id)} must be a string.`);
      headers[name.toLowerCase()] = value;
    }
  }
  const hasBody = Object.hasOwn(item, 'body');
  if ((method === 'POST' || method === 'PATCH' || method === 'PUT') && (!hasBody || headers['content-type'] === undefined)) {
    throw batchError(`Write request id : ${echo(item.id)} does not contain Content-Type header or body.`);
  }
  if (hasBody && headers['content-type'] === undefined) {
    throw batchError(`Request id : ${echo(item.id)} has a body but no Content-Type header.`);
  }
  const dependsOn = item.dependsOn === undefined ? [] : item.dependsOn;
  if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string')) {
    throw batchError(`The dependsOn of request id : ${echo(item.id)} must be an array of request ids.`);
  }
  return { id: item.id, method, url: item.url, headers, body: item.body, dependsOn: dependsOn as string[] };
}

/**
 * Validates a batch body.
 * @throws GraphError 400 for a malformed batch, more than {@link MAX_BATCH} requests, duplicate
 * ids, unknown or circular dependencies.
 */
export function parseBatch(body: unknown): BatchItem[] {
  if (
    body === null ||
    typeof body !== 'object' ||
    Array.isArray(body) ||
    !Array.isArray((body as Record<string, unknown>).requests)
  ) {
    throw batchError('Invalid batch payload format.');
  }
  const requests = (body as { requests: unknown[] }).requests;
  if (requests.length === 0) throw batchError('The batch request must contain at least one request.');
  if (requests.length > MAX_BATCH) {
    throw batchError(`The batch request contains ${requests.length} requests; the limit is ${MAX_BATCH} requests per batch.`);
  }
  const items = requests.map(parseItem);
  const ids = new Set<string>();
  for (const item of items) {
    const key = item.id.toLowerCase();
    if (ids.has(key)) throw batchError(`Request id : ${echo(item.id)} is used more than once in the batch; ids must be unique.`);
    ids.add(key);
  }
  for (const item of items) {
    for (const dependency of item.dependsOn) {
      if (!ids.has(dependency.toLowerCase()))
        throw batchError(`Request id : ${echo(item.id)} depends on an unknown request id : ${echo(dependency)}.`);
    }
  }
  executionOrder(items);
  return items;
}

/** Items in an order that honours `dependsOn` (request order otherwise). */
export function executionOrder(items: readonly BatchItem[]): BatchItem[] {
  const done = new Set<string>();
  const order: BatchItem[] = [];
  while (order.length < items.length) {
    const next = items.find((item) => !done.has(item.id.toLowerCase()) && item.dependsOn.every((d) => done.has(d.toLowerCase())));
    if (!next) throw batchError('The batch request has a circular dependency.');
    done.add(next.id.toLowerCase());
    order.push(next);
  }
  return order;
}

/** The 424 an item gets when a request it depends on failed. */
export function failedDependency(): GraphResponse {
  return {
    status: 424,
    headers: { 'content-type': 'application/json' },
    body: { error: { code: 'FailedDependency', message: 'The request depends on a request in the batch that failed.' } },
  };
}

/** A fixed but non-positional order for responses (FNV-1a hash of the id). */
export function scramble<T extends { id: string }>(responses: T[]): T[] {
  const hash = (text: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  };
  const sorted = [...responses].sort((a, b) => hash(a.id) - hash(b.id));
  if (sorted.length > 1 && sorted.every((r, i) => r === responses[i])) sorted.reverse();
  return sorted;
}
