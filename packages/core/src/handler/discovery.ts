/** Discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas. */
import type { Connector } from '../contract/types.js';
import { NotFoundError } from '../errors.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { URN } from '../schema/urns.js';
import { listResponse } from './shape.js';
import type { ScimHandlerOptions } from './types.js';

/** Everything discovery needs to tell the truth about the configuration. */
export interface DiscoveryContext {
  registry: SchemaRegistry;
  connector: Connector;
  options: ScimHandlerOptions;
  /** Base URL for `meta.location`, or undefined when locations are skipped. */
  base: string | undefined;
}

/** `/ServiceProviderConfig`. */
export function serviceProviderConfig(d: DiscoveryContext): Record<string, unknown> {
  const o = d.options;
  const bulkOps = o.bulk?.maxOperations ?? 0;
  const user = d.connector.resources.User;
  const maxPageSize = o.pagination?.maxPageSize ?? 1000;
  const body: Record<string, unknown> = {
    schemas: [URN.ServiceProviderConfig],
    patch: {
      supported: Object.values(d.connector.resources).some((r) => r && ('modify' in r || ('replace' in r && 'get' in r))),
    },
    bulk: {
      supported: bulkOps > 0,
      maxOperations: bulkOps,
      maxPayloadSize: bulkOps > 0 ? (o.bulk?.maxPayloadSize ?? 1_048_576) : 0,
    },
    filter: { supported: true, maxResults: maxPageSize },
    changePassword: { supported: Boolean(user && ('modify' in user || 'replace' in user)) },
    sort: { supported: true },
    etag: { supported: true },
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: o.pagination?.defaultPageSize ?? 100,
      maxPageSize,
      cursorTimeout: 3600,
    },
    authenticationSchemes: o.authenticationSchemes ?? [],
    meta: {
      resourceType: 'ServiceProviderConfig',
      ...(d.base ? { location: `${d.base}/ServiceProviderConfig` } : {}),
    },
  };
  if (o.documentationUri) body.documentationUri = o.documentationUri;
  return body;
}

function resourceTypeBody(d: DiscoveryContext, rt: ReturnType<SchemaRegistry['resourceTypes']>[number]): Record<string, unknown> {
  return {
    schemas: [URN.ResourceType],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    ...(rt.description ? { description: rt.description } : {}),
    schema: rt.schema,
    schemaExtensions: rt.schemaExtensions,
    meta: { resourceType: 'ResourceType', ...(d.base ? { location: `${d.base}/ResourceTypes/${rt.id}` } : {}) },
  };
}

/** `/ResourceTypes` or `/ResourceTypes/{id}`. */
export function resourceTypes(d: DiscoveryContext, id?: string): Record<string, unknown> {
  const all = d.registry.resourceTypes();
  if (id !== undefined) {
    const rt = all.find((t) => t.id.toLowerCase() === id.toLowerCase() || t.name.toLowerCase() === id.toLowerCase());
    if (!rt) throw new NotFoundError(`Resource type "${id}" not found`);
    return resourceTypeBody(d, rt);
  }
  const list = all.map((rt) => resourceTypeBody(d, rt));
  return listResponse(list, list.length, 1);
}

function schemaBody(d: DiscoveryContext, s: ReturnType<SchemaRegistry['schemas']>[number]): Record<string, unknown> {
  return {
    schemas: [URN.Schema],
    id: s.id,
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    attributes: s.attributes,
    ...Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith('x-'))),
    meta: { resourceType: 'Schema', ...(d.base ? { location: `${d.base}/Schemas/${s.id}` } : {}) },
  };
}

/** `/Schemas` or `/Schemas/{urn}`. */
export function schemas(d: DiscoveryContext, id?: string): Record<string, unknown> {
  const all = d.registry.schemas();
  if (id !== undefined) {
    const s = all.find((x) => x.id.toLowerCase() === id.toLowerCase());
    if (!s) throw new NotFoundError(`Schema "${id}" not found`);
    return schemaBody(d, s);
  }
  const list = all.map((s) => schemaBody(d, s));
  return listResponse(list, list.length, 1);
}
