/**
 * A publisher and a subscriber in one process, each a Loki store behind a SCIM handler, joined by
 * a real JetStream stream with names of their own: the stream tests' fixture.
 */
import { type Connector, defineConnector, errors, type ResourceHandler, type ScimResource } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { consumerName, GatewayStream, natsName, type StreamConfigInput, type StreamFiles, streamSection } from '../src/index.js';
import { deleteStreams, lokiHandler, NATS_URL, recordingLog, uniqueName, until } from './helpers.js';

export type Log = ReturnType<typeof recordingLog>;

/** A stream configuration for a test, checked like a gateway checks it. */
export function streamConfig(input: StreamConfigInput) {
  const r = streamSection.validate(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Names of one test's stream and subject. */
export function names() {
  const id = uniqueName('T');
  return { stream: `SCIMGW_${id}`, subject: `scimgwtest.${id}` };
}

/** One side: a Loki store, its handler (through the decorator when publishing), its stream. */
export interface Side {
  raw: ScimHandler;
  scim: ScimHandler;
  stream: GatewayStream;
  log: Log;
  /** The side's store, without the wrappers (to start a side again on it). */
  connector: Connector;
}

export interface SideOptions {
  url?: string;
  nats?: Record<string, unknown>;
  files?: StreamFiles;
  extra?: Partial<StreamConfigInput>;
  /** Subscriber options of the tenant. */
  entity?: Record<string, unknown>;
  subscriber?: Record<string, unknown>;
  publisher?: Record<string, unknown>;
  /** Wraps the side's connector (to count, delay or fail calls). */
  wrapConnector?: (c: Connector) => Connector;
  /** The store to use instead of a new one (a subscriber started again on the store it left). */
  connector?: Connector;
  name?: string;
}

export async function publisherSide(n: { stream: string; subject: string }, o: SideOptions = {}): Promise<Side> {
  const loki = o.connector ?? (await lokiHandler()).connector;
  const connector = o.wrapConnector ? o.wrapConnector(loki) : loki;
  const log = recordingLog();
  const stream = new GatewayStream({
    config: streamConfig({
      baseUrls: [o.url ?? NATS_URL],
      publisher: {
        enabled: true,
        entity: { undefined: { nats: { tenant: n.stream, subject: n.subject, ...o.nats } } },
        ...o.publisher,
      },
      ...o.extra,
    }),
    name: o.name ?? 'gw-pub',
    files: o.files ?? {},
    log,
  });
  const wrapped = stream.wrap(connector);
  const scim = createScimHandler({ connector: wrapped, registry: wrapped.registry });
  stream.start();
  return { raw: createScimHandler({ connector: loki, registry: loki.registry }), scim, stream, log, connector: loki };
}

export async function subscriberSide(n: { stream: string; subject: string }, o: SideOptions = {}): Promise<Side> {
  const loki = o.connector ?? (await lokiHandler()).connector;
  const connector = o.wrapConnector ? o.wrapConnector(loki) : loki;
  const scim = createScimHandler({ connector, registry: connector.registry });
  const log = recordingLog();
  const stream = new GatewayStream({
    config: streamConfig({
      baseUrls: [o.url ?? NATS_URL],
      subscriber: {
        enabled: true,
        durable: o.name ?? 'gw-sub',
        retryDelay: 20,
        maxRetryDelay: 200,
        maxAttempts: 4,
        lagLogInterval: 0,
        entity: {
          undefined: { nats: { tenant: n.stream, subject: n.subject, ...o.nats }, skipConvertRolesToGroups: true, ...o.entity },
        },
        ...o.subscriber,
      },
      ...o.extra,
    }),
    name: o.name ?? 'gw-sub',
    files: o.files ?? {},
    log,
  });
  stream.start(scim);
  return { raw: scim, scim, stream, log, connector: loki };
}

/** The key-value bucket stream of a subscriber's records. */
export function recordStreamOf(stream: string, durable = 'gw-sub', tenantKey = 'undefined'): string {
  return `KV_${natsName(`scimgw-${stream}-${consumerName(durable, tenantKey)}`)}`;
}

/** Deletes what a test created on the server. */
export async function cleanUp(
  n: { stream: string },
  durables: string[] = ['gw-sub'],
  url = NATS_URL,
  options: Record<string, unknown> = {},
) {
  await deleteStreams(url, [n.stream, ...durables.map((d) => recordStreamOf(n.stream, d))], options);
}

/** Waits until the subscriber settled `count` messages (applied, skipped, duplicate or parked). */
export async function settled(side: Side, count: number, ms = 30_000): Promise<void> {
  await until(
    () => {
      const s = side.stream.status().subscriber?.[0];
      return s && s.applied + s.skipped + s.duplicates + s.parked >= count;
    },
    `${count} messages settled`,
    ms,
  );
}

/** userName → resource of every user of a side. */
export async function usersOf(scim: ScimHandler): Promise<Map<string, ScimResource>> {
  const r = await scim.handle({ method: 'GET', url: '/Users?count=1000' });
  const list = (r.body as { Resources: ScimResource[] }).Resources;
  return new Map(list.map((u) => [u.userName as string, u]));
}

/** displayName → sorted member userNames of every group of a side. */
export async function groupsOf(scim: ScimHandler): Promise<Record<string, string[]>> {
  const users = await usersOf(scim);
  const byId = new Map([...users.values()].map((u) => [u.id as string, u.userName as string]));
  const r = await scim.handle({ method: 'GET', url: '/Groups?count=1000' });
  const out: Record<string, string[]> = {};
  for (const g of (r.body as { Resources: ScimResource[] }).Resources) {
    out[g.displayName as string] = ((g.members as { value: string }[] | undefined) ?? [])
      .map((m) => byId.get(m.value) ?? `?${m.value}`)
      .sort();
  }
  return out;
}

/** The users of a side as comparable data (no ids, no meta). */
export async function comparableUsers(scim: ScimHandler): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, u] of await usersOf(scim)) {
    const { id: _id, meta: _meta, groups: _groups, ...rest } = u;
    out[name] = rest;
  }
  return out;
}

/**
 * A connector decorator that counts writes (create, modify, replace) per userName/displayName and fails the first `failures`
 * writes of resources whose name starts with `flaky` (503: worth retrying).
 */
export function countingConnector(failures = 0) {
  const writes = new Map<string, number>();
  const failed = new Map<string, number>();
  const nameOf = (r: ScimResource | undefined, id: string) => (r?.userName ?? r?.displayName ?? id) as string;
  const wrap = (inner: Connector): Connector => {
    const resources: Record<string, ResourceHandler> = {};
    for (const [type, h] of Object.entries(inner.resources)) {
      if (!h) continue;
      const out: ResourceHandler = { ...h };
      const count = async (name: string) => {
        if (name.startsWith('flaky') && (failed.get(name) ?? 0) < failures) {
          failed.set(name, (failed.get(name) ?? 0) + 1);
          throw new errors.ServiceUnavailableError('backend busy', 1);
        }
        writes.set(`${type}:${name}`, (writes.get(`${type}:${name}`) ?? 0) + 1);
      };
      if (h.create) {
        const create = h.create.bind(h);
        out.create = async (r, ctx) => {
          await count(nameOf(r, '?'));
          return create(r, ctx);
        };
      }
      if (h.modify) {
        const modify = h.modify.bind(h);
        const get = h.get?.bind(h);
        out.modify = async (id, changes, ctx) => {
          await count(nameOf(await get?.(id, ctx, {}), id));
          return modify(id, changes, ctx);
        };
      }
      if (h.replace) {
        const replace = h.replace.bind(h);
        out.replace = async (id, r, ctx) => {
          await count(nameOf(r, id));
          return replace(id, r, ctx);
        };
      }
      resources[type] = out;
    }
    return defineConnector({ ...inner, resources });
  };
  return { writes, failed, wrap };
}
