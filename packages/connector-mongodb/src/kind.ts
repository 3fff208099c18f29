/** One resource type as the connector serves it: its collection, schema context and views. */
import type { ResourceTypeDefinition, SchemaRegistry, ScimResource } from '@scimgw/core';
import type { PathResolver } from '@scimgw/core/filter';
import { type BooleanPaths, booleanPaths, withSchemaBooleans } from './booleans.js';
import type { MongoConfig } from './config.js';
import { fromStored, type StoreContext, type StoredDoc } from './documents.js';
import type { FilterSchema } from './filter.js';
import type { CollectionRole } from './indexes.js';
import { groupsOfUsers } from './memberships.js';
import type { Tenant } from './tenancy.js';

/** Everything the operations of one resource type share. */
export interface Kind {
  /** For messages: `User`, `Group` … */
  label: string;
  role: CollectionRole;
  registry: SchemaRegistry;
  rt: ResourceTypeDefinition;
  /** Filter translation context. */
  schema: FilterSchema;
  /** Storing context. */
  store: StoreContext;
  resolve: PathResolver;
  /** Where its boolean attributes are (read as booleans whatever was stored). */
  booleans: BooleanPaths;
  config: MongoConfig;
  /** The computed attribute of this type (`groups` of users), if any. */
  computed?: string;
}

/** Builds the {@link Kind} of a resource type. */
export function kindOf(
  label: string,
  role: CollectionRole,
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  config: MongoConfig,
  computed?: string,
): Kind {
  const set: ReadonlySet<string> = new Set(computed ? [computed] : []);
  return {
    label,
    role,
    registry,
    rt,
    schema: { registry, rt, computed: set },
    store: { registry, rt, computed: set },
    resolve: registry.resolver(rt),
    booleans: booleanPaths(registry, rt),
    config,
    ...(computed ? { computed } : {}),
  };
}

/** Stored documents → resources, with the computed attribute when wanted. */
export async function viewsOf(kind: Kind, tenant: Tenant, docs: StoredDoc[], withComputed: boolean): Promise<ScimResource[]> {
  const tenantField = tenant.field?.name;
  const out = docs.map((d) => withSchemaBooleans(fromStored(d, tenantField), kind.booleans));
  if (withComputed && kind.computed === 'groups' && out.length > 0) {
    const ids = out.map((r) => r.id).filter((id): id is string => typeof id === 'string');
    const groups = await groupsOfUsers(tenant, ids, kind.config.connection.timeouts.operationMS);
    for (const r of out) {
      const g = typeof r.id === 'string' ? groups.get(r.id) : undefined;
      if (g) r.groups = g;
    }
  }
  return out;
}
