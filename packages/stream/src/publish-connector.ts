/**
 * The publisher's seam into a gateway: a connector decorator. The wrapped connector is called as
 * before; after each write it returns, the change is published and acknowledged by JetStream, and
 * only then does the core answer the client. The core handler stays free of I/O, every host that
 * can swap a connector gets the stream, and Bulk requests publish one message per operation.
 *
 * Writes to one resource are serialized here, so its messages enter the stream in the order the
 * connector applied them. Passwords never go into a message.
 *
 * A write reaches the connector only once the publisher says the stream can take it (`ready`): a
 * write refused then has changed nothing. A create or delete whose message was kept (applied, not
 * yet published: its client got a 503) is remembered, and the client's retry of it is answered as
 * that write once its message is published (repeats.ts), not applied a second time.
 */
import {
  type Change,
  type Connector,
  type ConnectorResources,
  defineConnector,
  type RequestContext,
  type ResourceHandler,
  type ScimResource,
} from '@scimgw/core';
import { ChangeKeptError } from './kept.js';
import { type NaturalKey, naturalKeyOf, type StreamMessageData } from './message.js';
import type { PublishRequest } from './publisher.js';
import { KeptWrites } from './repeats.js';

/** What the decorator needs of a publisher. */
export interface ChangePublisher {
  publishes(tenant: string | undefined): boolean;
  /** Publishes a change; throws a `ChangeKeptError` when it was kept to be published later. */
  publish(req: PublishRequest): Promise<unknown>;
  /** Resolves when a change of `tenant` can be published now; throws (a 503) when not: the write is then not applied. */
  ready?(tenant: string | undefined): Promise<void>;
}

/** A resource as it goes into a message: no `meta`, no `password`. */
export function messageResource(resource: ScimResource, dropMembers = false): ScimResource {
  const { meta: _meta, password: _password, ...rest } = resource;
  if (dropMembers) delete rest.members;
  return rest;
}

/** The changes that may go into a message (a password change is not published). */
export function publishableChanges(changes: readonly Change[]): Change[] {
  return changes.filter((c) => !(c.path.extension === undefined && c.path.attr === 'password'));
}

/** One promise chain per resource: writes to one resource run one after another. */
class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(fn, fn);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function wrapHandler(
  type: string,
  inner: ResourceHandler,
  publisher: ChangePublisher,
  lock: KeyedLock,
  repeats: KeptWrites,
): ResourceHandler {
  const out: ResourceHandler = { ...inner };
  const keyOf = (ctx: RequestContext, id: string) => `${ctx.tenant ?? ''}\u0000${type}\u0000${id}`;
  const publish = (ctx: RequestContext, id: string, operation: PublishRequest['operation'], data: StreamMessageData) =>
    publisher.publish({ tenant: ctx.tenant, resourceType: type, resourceId: id, operation, data });
  const ready = async (ctx: RequestContext) => {
    if (publisher.publishes(ctx.tenant)) await publisher.ready?.(ctx.tenant);
  };
  const get = inner.get?.bind(inner);

  if (inner.create) {
    const create = inner.create.bind(inner);
    out.create = async (resource, ctx) => {
      const publishes = publisher.publishes(ctx.tenant);
      const repeat = publishes ? repeats.repeatedCreate(ctx.tenant, type, resource) : undefined;
      if (repeat?.created) {
        // The client's retry of a create whose message was kept: answered as made, once published.
        await repeat.kept.published();
        return (await get?.(repeat.id, ctx, {}).catch(() => undefined)) ?? repeat.created;
      }
      await ready(ctx);
      const created = await create(resource, ctx);
      if (!publishes) return created;
      const id = created.id;
      if (typeof id !== 'string') return created;
      // A new id has no earlier write to wait for; later writes to it queue behind this publish.
      await lock.run(keyOf(ctx, id), async () => {
        const stored = messageResource(created);
        try {
          await publish(ctx, id, 'create', { resource: stored, ...keyData(type, stored) });
        } catch (e) {
          if (e instanceof ChangeKeptError) repeats.created(ctx.tenant, type, resource, created, e);
          throw e;
        }
      });
      return created;
    };
  }
  if (inner.replace) {
    const replace = inner.replace.bind(inner);
    out.replace = (id, resource, ctx) =>
      lock.run(keyOf(ctx, id), async () => {
        await ready(ctx);
        const replaced = await replace(id, resource, ctx);
        if (publisher.publishes(ctx.tenant)) {
          const stored = messageResource(replaced ?? resource);
          await publish(ctx, id, 'replace', { resource: { ...stored, id }, ...keyData(type, stored) });
        }
        return replaced;
      });
  }
  if (inner.modify) {
    const modify = inner.modify.bind(inner);
    out.modify = (id, changes, ctx) =>
      lock.run(keyOf(ctx, id), async () => {
        // A change that publishes nothing (a password) needs no stream.
        if (publishableChanges(changes).length > 0) await ready(ctx);
        const result = await modify(id, changes, ctx);
        if (!publisher.publishes(ctx.tenant)) return result;
        const published = publishableChanges(changes);
        if (published.length === 0) return result;
        // A group's members travel as changes; the whole list could be huge.
        const after = result ? messageResource(result, type === 'Group') : undefined;
        await publish(ctx, id, 'modify', { changes: published, ...(after ? { resource: after } : {}), ...keyData(type, after) });
        return result;
      });
  }
  if (inner.delete) {
    const del = inner.delete.bind(inner);
    out.delete = (id, ctx) =>
      lock.run(keyOf(ctx, id), async () => {
        const publishes = publisher.publishes(ctx.tenant);
        const repeat = publishes ? repeats.repeatedDelete(ctx.tenant, type, id) : undefined;
        // The client's retry of a delete whose message was kept: done, once published.
        if (repeat) return repeat.kept.published();
        await ready(ctx);
        // The natural key lets a subscriber that never saw this id find the resource.
        let key: NaturalKey | undefined;
        if (get && publishes) {
          key = naturalKeyOf(type, await get(id, ctx, { excludedAttributes: ['members'] }).catch(() => undefined));
        }
        await del(id, ctx);
        if (!publishes) return;
        repeats.forgetCreates(ctx.tenant, type, id);
        try {
          await publish(ctx, id, 'delete', key ? { key } : {});
        } catch (e) {
          if (e instanceof ChangeKeptError) repeats.deleted(ctx.tenant, type, id, e);
          throw e;
        }
      });
  }
  return out;
}

function keyData(type: string, resource: ScimResource | undefined): { key?: NaturalKey } {
  const key = naturalKeyOf(type, resource);
  return key ? { key } : {};
}

/**
 * Decorates a connector so that every successful write is published before it returns.
 *
 * @example
 * const connector = withStreamPublisher(createLokiConnector(ctx), publisher);
 * const scim = createScimHandler({ connector });
 */
export function withStreamPublisher(connector: Connector, publisher: ChangePublisher): Connector {
  const lock = new KeyedLock();
  const repeats = new KeptWrites();
  const resources: ConnectorResources = {};
  for (const [type, handler] of Object.entries(connector.resources)) {
    if (handler === undefined) continue;
    resources[type] = wrapHandler(type, handler, publisher, lock, repeats);
  }
  return defineConnector({ ...connector, resources });
}
