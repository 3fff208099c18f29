/** The Entra ID connector value: tenants, tokens, the Graph client and the resource handlers. */
import { join } from 'node:path';
import {
  type Connector,
  type ConnectorFactoryContext,
  defineConnector,
  type Logger,
  type ResourceHandler,
  SchemaRegistry,
} from '@scimgw/core';
import type { PathResolver } from '@scimgw/core/filter';
import { createHelperRest, type EndpointConfig, type HelperRest } from '@scimgw/helper-rest';
import { connectorSchemas, createMapper, type MapConfig } from '@scimgw/mapper';
import { createTokenSource } from './auth/tokens.js';
import { CLOUDS, GRAPH_VERSION } from './clouds.js';
import { type EntraIdConfig, type EntraIdConfigInput, type EntraIdEntityConfig, parseConfig } from './config.js';
import type { BatchDeps } from './graph/batch.js';
import { GraphClient, type GraphTenant } from './graph/client.js';
import { FreshObjects } from './graph/fresh.js';
import { DEFAULT_MAP, ENTERPRISE, RELATION_PREFIX } from './mapping.js';
import { groupHandler } from './resources/groups.js';
import { groupsRelation, type UserRelation } from './resources/relations.js';
import { userHandler } from './resources/users.js';
import { governanceResources } from './resources/governance.js';

/** Options of {@link createEntraIdConnector}. */
export interface EntraIdConnectorOptions {
  /** The `endpoint` section (validated here; defaults filled). */
  config: EntraIdConfigInput | EntraIdConfig;
  /** Directory of certificate and key files named in the configuration. Default `<cwd>/config/certs`. */
  certsDir?: string;
  logger?: Logger;
  /** The host's schemas (custom schemas included); the mapping's schemas are added. */
  registry?: SchemaRegistry;
  /** Replacement `fetch` for every outbound call (Graph and the identity platform): tests, instrumentation. */
  fetch?: typeof fetch;
  /** Source of retry jitter (tests). */
  random?: () => number;
}

const NO_LOG: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function graphBaseUrl(entity: EntraIdEntityConfig): string {
  const configured = entity.connection.baseUrls?.[0];
  return (configured ?? `${CLOUDS[entity.cloud].graphOrigin}/${GRAPH_VERSION}`).replace(/\/+$/, '');
}

/** The helper-rest configuration: the same connection for Graph and for token requests, without auth of its own. */
function restEndpoint(config: EntraIdConfig): EndpointConfig {
  const entity: NonNullable<EndpointConfig['entity']> = {};
  for (const [key, e] of Object.entries(config.entity)) {
    const c = e.connection;
    entity[key] = {
      connection: {
        baseUrls: [graphBaseUrl(e)],
        auth: { type: 'none' },
        ...(c.proxy ? { proxy: c.proxy } : {}),
        ...(c.options ? { options: c.options } : {}),
        ...(c.timeout ? { timeout: c.timeout } : {}),
      },
    };
  }
  return { entity };
}

/** A helper-rest instance that only signs federated assertions and serves the issuer documents. */
function federationEndpoint(config: EntraIdConfig): EndpointConfig | undefined {
  const entity: NonNullable<EndpointConfig['entity']> = {};
  for (const [key, e] of Object.entries(config.entity)) {
    const auth = e.connection.auth;
    if (auth.type !== 'oauthJwtBearer' || !auth.options.fedCred) continue;
    const fed = auth.options.fedCred;
    entity[key] = {
      connection: {
        // Never called: the assertion goes to msal-node, which sends the token request.
        baseUrls: ['https://federation.invalid'],
        auth: {
          type: 'oauthJwtBearer',
          options: {
            tokenUrl: 'https://federation.invalid/token',
            clientId: auth.options.clientId ?? fed.subject,
            fedCred: {
              issuer: fed.issuer,
              subject: fed.subject,
              ...(fed.name ? { name: fed.name } : {}),
              ...(fed.audience ? { audience: fed.audience } : {}),
              ...(fed.key ? { key: fed.key } : {}),
            },
          },
        },
      },
    };
  }
  return Object.keys(entity).length ? { entity } : undefined;
}

/**
 * Adds the relationship attributes (`members`, `groups`, `manager`, roles, entitlements) to a
 * mapping under reserved keys, so they are part of the served schema; the handlers write them
 * through their own Graph relationships and drop the reserved keys from property bodies.
 */
function withRelations(section: MapConfig['user'], relations: Record<string, Record<string, unknown>>): MapConfig['user'] {
  const out: Record<string, unknown> = { ...(section ?? {}) };
  const mapped = new Set(
    Object.values(out).flatMap((e) =>
      e && typeof e === 'object' && typeof (e as { mapTo?: unknown }).mapTo === 'string'
        ? String((e as { mapTo: string }).mapTo)
            .split(',')
            .map((t) => t.trim().toLowerCase())
        : [],
    ),
  );
  for (const [name, entry] of Object.entries(relations)) {
    if (!mapped.has(String(entry.mapTo).toLowerCase())) out[`${RELATION_PREFIX}${name}`] = entry;
  }
  return out as MapConfig['user'];
}

/**
 * Creates the connector: Microsoft Entra ID users, groups, directory roles, access packages and
 * licenses through Microsoft Graph.
 *
 * @throws Error for an invalid configuration, an unreadable certificate or an invalid mapping
 * @example
 * const connector = createEntraIdConnector({ config: {
 *   entity: { undefined: { connection: { auth: { type: 'oauth', options: {
 *     azureTenantId: '<tenant-id>', clientId: '<app-id>', clientSecret: '<secret>' } } } } },
 * } });
 */
export function createEntraIdConnector(options: EntraIdConnectorOptions): Connector {
  const config = parseConfig(options.config);
  const log = options.logger ?? NO_LOG;
  const certsDir = options.certsDir ?? join(process.cwd(), 'config', 'certs');
  const rest: HelperRest = createHelperRest({
    endpoint: restEndpoint(config),
    certsDir,
    logger: log,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const fedEndpoint = federationEndpoint(config);
  const federation = fedEndpoint ? createHelperRest({ endpoint: fedEndpoint, certsDir, logger: log }) : undefined;

  const tenants = new Map<string, GraphTenant>();
  for (const [key, entity] of Object.entries(config.entity)) {
    const auth = entity.connection.auth;
    const o = auth.options;
    const fed = auth.type === 'oauthJwtBearer' ? auth.options.fedCred : undefined;
    const clientId = o.clientId ?? fed?.subject;
    if (!clientId) throw new Error(`endpoint.entity.${key}.connection.auth.options.clientId is required`);
    const baseUrl = graphBaseUrl(entity);
    const tokens = createTokenSource(
      {
        key,
        azureTenantId: o.azureTenantId,
        clientId,
        authorityHost: o.authorityHost ?? CLOUDS[entity.cloud].authorityHost,
        scope: `${new URL(baseUrl).origin}/.default`,
        secret: auth.type === 'oauth' ? (auth.options.clientSecret ?? undefined) : undefined,
        certificate: !fed && o.tls && (o.tls.key || o.tls.pfx) ? o.tls : undefined,
        federatedAssertion: fed && federation ? async () => (await federation.federatedAssertion(key)) as string : undefined,
      },
      { rest, certsDir, log },
    );
    tenants.set(key, { key, baseUrl, tokens, upnDomain: entity.userPrincipalNameDomain ?? undefined });
  }

  const fresh = new FreshObjects(config.replication.windowMs);
  const graph = new GraphClient({
    rest,
    tenants,
    retry: config.retry,
    fresh,
    replicationDelayMs: config.replication.delayMs,
    log,
    ...(options.random ? { random: options.random } : {}),
  });
  const batch: BatchDeps = {
    graph,
    retry: config.retry,
    fresh,
    replicationDelayMs: config.replication.delayMs,
    ...(options.random ? { random: options.random } : {}),
  };

  const base = options.registry ?? new SchemaRegistry();
  const relationAttributes = ['groups', config.roles.attribute, config.accessPackages.attribute, config.licenses.attribute];
  const map: MapConfig = {
    user: withRelations((config.map?.user as MapConfig['user']) ?? DEFAULT_MAP.user, {
      manager: { mapTo: `${ENTERPRISE}:manager`, type: 'complexObject' },
      ...Object.fromEntries(
        [...new Set(relationAttributes.filter((a): a is string => !!a))].map((a) => [
          a,
          { mapTo: a, type: 'complexArray', ...(a === 'groups' ? { mutability: 'readOnly' } : {}) },
        ]),
      ),
    }),
    group: withRelations((config.map?.group as MapConfig['group']) ?? DEFAULT_MAP.group, {
      members: { mapTo: 'members', type: 'complexArray' },
    }),
  };
  const users = createMapper(map, { resourceType: 'User', registry: base, configPath: 'endpoint.map' });
  const groups = createMapper(map, { resourceType: 'Group', registry: base, configPath: 'endpoint.map' });
  const registry = base.extend(connectorSchemas([users, groups]));
  const resolverFor = (rt: string): (() => PathResolver) => {
    let cached: PathResolver | undefined;
    return () => {
      if (!cached) {
        const def = registry.resourceType(rt);
        cached = def ? registry.resolver(def) : () => undefined;
      }
      return cached;
    };
  };

  const governance = governanceResources({ graph, batch, config });
  const relations: UserRelation[] = [groupsRelation({ graph, batch }, config.users.transitiveGroups), ...governance.relations];
  const resources: Record<string, ResourceHandler> = {
    User: userHandler({ graph, mapper: users, config, fresh, relations, resolver: resolverFor('User'), log }),
    Group: groupHandler({ graph, batch, mapper: groups, config, fresh, resolver: resolverFor('Group') }),
    ...governance.resources,
  };

  return defineConnector({
    name: 'connector-entra-id',
    coreVersion: '^1.0.0',
    registry,
    resources,
    // Federated credentials: Entra fetches the gateway's OpenID configuration and JWKS.
    host: { publicRoutes: () => federation?.federatedRoutes() ?? [] },
    async close() {
      await Promise.allSettled([rest.close(), federation?.close()]);
    },
  });
}

/** Package entry for the gateway: builds the connector from the validated `endpoint` section. */
export function createConnector(context: ConnectorFactoryContext<EntraIdConfig>): Connector {
  return createEntraIdConnector({
    config: context.config,
    certsDir: context.certsDir,
    logger: context.log,
    registry: context.registry,
  });
}
