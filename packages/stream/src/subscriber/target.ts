/**
 * The subscriber's side of a message: requests to its own SCIM handler (in process, no HTTP), so
 * messages get exactly what a client's request would — the core's normalization, capability
 * push-down, its fallbacks for connectors without `replace` or `modify`, and typed errors.
 */
import type { Logger, ScimResource } from '@scimgw/core';
import type { ScimHandler, ScimResponse } from '@scimgw/core/handler';
import { PoisonMessageError } from '../message.js';

/** A failure worth another attempt (the target is down, busy, or a resource it needs is not here yet). */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
}

/**
 * A name (userName, displayName …) the message gives its resource is held here by the resource of
 * another publisher resource, whose messages up to this one did not give it up. Worth another
 * attempt: the stream gives it up later (the publisher published the two changes the other way
 * round, or kept one back while NATS was unreachable).
 */
export class KeyConflictError extends RetryableError {
  override readonly name = 'KeyConflictError';
}

/** The SCIM handler of one tenant, as the subscriber uses it. */
export class ScimTarget {
  private readonly prefix: string;

  constructor(
    readonly scim: ScimHandler,
    readonly tenant: string | undefined,
    private readonly log: Logger,
  ) {
    this.prefix = tenant === undefined ? '' : `/${encodeURIComponent(tenant)}`;
  }

  /** `/Users` for `User`; a type the handler does not serve cannot be applied. */
  endpoint(resourceType: string): string {
    const rt = this.scim.registry.resourceType(resourceType);
    if (!rt) throw new PoisonMessageError(`resource type "${resourceType}" is not served by this gateway`);
    return rt.endpoint.startsWith('/') ? rt.endpoint : `/${rt.endpoint}`;
  }

  /** Sends one request. */
  async call(method: string, path: string, requestId: string, body?: unknown): Promise<ScimResponse> {
    return this.scim.handle({
      method,
      url: `${this.prefix}${path}`,
      headers: {},
      ...(body === undefined ? {} : { body }),
      context: { tenant: this.tenant, requestId, log: this.log },
    });
  }

  /** Throws the error a failed response stands for: retryable for 408, 429 and 5xx, else permanent. */
  fail(res: ScimResponse, what: string): never {
    const detail = errorDetail(res);
    const text = `${what}: ${res.status}${detail ? ` ${detail}` : ''}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new RetryableError(text);
    throw new PoisonMessageError(text);
  }

  /** The ids of resources of `resourceType` whose `attr` equals `value` (`limit` at most). */
  async find(resourceType: string, attr: string, value: string, requestId: string, limit = 2): Promise<string[]> {
    const filter = `${attr} eq ${JSON.stringify(value)}`;
    const res = await this.call(
      'GET',
      `${this.endpoint(resourceType)}?filter=${encodeURIComponent(filter)}&attributes=id&count=${limit}`,
      requestId,
    );
    if (res.status !== 200) this.fail(res, `looking up ${resourceType} by ${attr}`);
    const list = (res.body as { Resources?: ScimResource[] } | undefined)?.Resources ?? [];
    return list.map((r) => r.id).filter((id): id is string => typeof id === 'string');
  }
}

function errorDetail(res: ScimResponse): string | undefined {
  const body = res.body as { detail?: unknown; scimType?: unknown } | undefined;
  if (!body || typeof body !== 'object') return undefined;
  const parts = [
    typeof body.scimType === 'string' ? body.scimType : undefined,
    typeof body.detail === 'string' ? body.detail : undefined,
  ];
  return parts.filter(Boolean).join(': ') || undefined;
}
