/**
 * Publish-only mode: a gateway with a publisher and no connector. It stores nothing: a write is
 * successful once JetStream has acknowledged its message (the publisher decorator wraps this
 * connector like any other), creates get a fresh UUID, and reads find nothing (an empty list, a
 * 404), because the resources live where the subscribers apply them.
 */
import { randomUUID } from 'node:crypto';
import { type Connector, CORE_VERSION, defineConnector, type ResourceHandler, type SchemaRegistry } from '@scimgw/core';
import { applyChanges } from '@scimgw/core/patch';

/** Resource types a client may write (read-only types stay read-only). */
const READ_ONLY = new Set(['Role', 'Entitlement']);

/**
 * A connector that keeps nothing, for publish-only gateways.
 *
 * @example
 * const connector = withStreamPublisher(createPublishOnlyConnector(registry), publisher);
 */
export function createPublishOnlyConnector(registry: SchemaRegistry): Connector {
  const resources: Record<string, ResourceHandler> = {};
  for (const rt of registry.resourceTypes()) {
    if (READ_ONLY.has(rt.id)) continue;
    resources[rt.id] = {
      async query() {
        return { resources: [], totalResults: 0 };
      },
      async get() {
        return undefined;
      },
      async create(resource) {
        const now = new Date().toISOString();
        return { ...resource, id: randomUUID(), meta: { resourceType: rt.id, created: now, lastModified: now } };
      },
      async replace(id, resource) {
        return { ...resource, id, meta: { resourceType: rt.id, lastModified: new Date().toISOString() } };
      },
      async modify(id, changes) {
        // The response can only show what this request set: nothing else is known here.
        const partial = applyChanges({ id, schemas: [rt.schema] }, changes, { registry, resourceType: rt }).resource;
        return { ...partial, id, meta: { resourceType: rt.id, lastModified: new Date().toISOString() } };
      },
      async delete() {},
    };
  }
  return defineConnector({ name: 'stream-publish-only', coreVersion: `^${CORE_VERSION}`, registry, resources });
}
