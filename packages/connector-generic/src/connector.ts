import {
  type Connector,
  type ConnectorFactoryContext,
  defineConnector,
  type Logger,
  type ResourceCapabilities,
  type ResourceHandler,
  SchemaRegistry,
} from '@scimgw/core';
import type { FilterOperator } from '@scimgw/core/filter';
import { callerCredentialTenants, createHelperRest, type HelperRest } from '@scimgw/helper-rest';
import { connectorSchemas, type Mapper } from '@scimgw/mapper';
import { DEFAULT_MAP, type GenericConfig, parseVersion, supportFor, type TargetScimVersion } from './config.js';
import { compileMappers } from './mappers.js';
import { collectionOperations } from './resources.js';

/** Options of {@link createGenericConnector}. */
export interface GenericConnectorOptions {
  /** The `endpoint` section. */
  config: GenericConfig;
  /** Directory of relative TLS file names. Default `<cwd>/config/certs`. */
  certsDir?: string;
  logger?: Logger;
  /** The host's schemas (custom schemas included); the mapping's generated schemas are added. */
  registry?: SchemaRegistry;
  /** A REST client to use instead of building one from `config.entity` (tests, instrumentation). */
  rest?: HelperRest;
}

const ALL_OPS: FilterOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];

/** The connector answers everything itself: what the target cannot do is finished locally. */
const CAPABILITIES = (mapper: Mapper): ResourceCapabilities => ({
  filter: { operators: ALL_OPS, attributes: mapper.scimPaths(), logical: ['and', 'or', 'not'], valuePath: true },
  sort: true,
  paging: { index: true },
});

function entityKey(tenant: string | undefined): string {
  return tenant === undefined || tenant === '' ? 'undefined' : tenant;
}

/**
 * Creates the generic connector: SCIM clients on one side, a SCIM 2.0 or 1.1
 * service on the other, attributes mapped by `config.map`.
 *
 * @throws Error for an invalid `scimVersion`; `MapperConfigError` for an invalid `map`;
 *   `RestConfigError` for an invalid connection
 * @example
 * const connector = createGenericConnector({ config: {
 *   entity: { undefined: { connection: { baseUrls: ['http://localhost:8880'], auth: { type: 'basic', options: { username: 'gwadmin', password: 'password' } } } } },
 * } });
 */
export function createGenericConnector(options: GenericConnectorOptions): Connector {
  const config: GenericConfig = options.config ?? {};
  const defaultVersion = parseVersion(config.scimVersion, 'endpoint.scimVersion') ?? '2.0';
  const versions = new Map<string, TargetScimVersion>();
  for (const [key, entity] of Object.entries(config.entity ?? {})) {
    versions.set(key, parseVersion(entity?.scimVersion, `endpoint.entity.${key}.scimVersion`) ?? defaultVersion);
  }
  // Only the tenants whose target is signed in to with the caller's credentials check them.
  const passThrough = callerCredentialTenants(config.entity);
  const versionFor = (tenant: string | undefined) => versions.get(entityKey(tenant)) ?? defaultVersion;
  // What a target supports depends only on its version: computed once per version, not per request.
  const supports = { '1.1': supportFor('1.1', config.targetSupport), '2.0': supportFor('2.0', config.targetSupport) };
  const support = (tenant: string | undefined) => supports[versionFor(tenant)];
  const map = config.map ?? DEFAULT_MAP;
  const rest =
    options.rest ??
    createHelperRest({
      endpoint: config,
      ...(options.certsDir ? { certsDir: options.certsDir } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });

  const mappers: Mapper[] = [];
  const resources: Record<string, ResourceHandler> = {};
  const base = options.registry ?? new SchemaRegistry();
  let registry: SchemaRegistry | undefined;
  /** Resolvers against the served registry, which exists once every mapper is compiled. */
  const resolverFor = (rt: string) => () => {
    const def = (registry as SchemaRegistry).resourceType(rt);
    return def ? (registry as SchemaRegistry).resolver(def) : () => undefined;
  };
  const paths = { User: config.paths?.users ?? '/Users', Group: config.paths?.groups ?? '/Groups' };
  for (const [rt, mapper] of compileMappers(map, base)) {
    mappers.push(mapper);
    const { replace, ...operations } = collectionOperations({
      rest,
      mapper,
      resourceType: rt,
      path: paths[rt],
      versionFor,
      supportFor: support,
      pageSize: config.pageSize ?? 200,
      resolver: resolverFor(rt),
    });
    // Without `replace`, the core serves a client's PUT by reading the resource and sending the
    // difference to `modify`: one PATCH to the target.
    resources[rt] = {
      capabilities: CAPABILITIES(mapper),
      ...operations,
      ...(supports['2.0'].put ? { replace } : {}),
    };
  }
  registry = base.extend(connectorSchemas(mappers));

  const connector: Connector = defineConnector({
    name: 'connector-generic',
    coreVersion: '^1.0.0',
    registry,
    resources,
    passThroughAuth: passThrough,
    // Federated credentials: the identity provider fetches our OpenID configuration and JWKS.
    host: { publicRoutes: () => rest.federatedRoutes() },
    async close() {
      if (!options.rest) await rest.close();
    },
  });
  return connector;
}

/** Package entry for the gateway: builds the connector from the `endpoint` section. */
export function createConnector(context: ConnectorFactoryContext<GenericConfig>): Connector {
  return createGenericConnector({
    config: context.config ?? {},
    certsDir: context.certsDir,
    logger: context.log,
    registry: context.registry,
  });
}
