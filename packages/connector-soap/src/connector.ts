/** The SOAP connector value: configuration checked, services loaded, one handler per resource type. */
import { join } from 'node:path';
import {
  type Connector,
  type ConnectorFactoryContext,
  type ConfigIssue,
  defineConnector,
  type Logger,
  type ResourceHandler,
  SchemaRegistry,
} from '@scimgw/core';
import { callerCredentialTenants, createHelperRest, type EndpointConfig, type HelperRest } from '@scimgw/helper-rest';
import { connectorSchemas, createMapper, type MapConfig, type Mapper } from '@scimgw/mapper';
import { arrayWrapping } from './arrays.js';
import { configSchema, type SoapConfig, type SoapConfigInput, type WsSecurityConfig } from './config.js';
import { resourceHandler } from './resources.js';
import { retryPolicy } from './retry.js';
import { maskingLogger, SecretMask } from './secrets.js';
import { buildWsSecurity } from './security.js';
import { SoapServices, type TenantTransport } from './services.js';

/** The configuration is not usable; `issues` say where and why. */
export class SoapConfigError extends Error {
  override name = 'SoapConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(`connector-soap configuration: ${issues.map((i) => `${['endpoint', ...i.path].join('.')}: ${i.message}`).join('; ')}`);
  }
}

/** Options of {@link createSoapConnector}. */
export interface SoapConnectorOptions {
  /** The `endpoint` section (validated here; defaults filled in). */
  config: SoapConfigInput | SoapConfig;
  /** Directory relative WSDL paths resolve against. Default: the working directory. */
  baseDir?: string;
  /** Directory of relative TLS and key file names. Default `<baseDir>/config/certs`. */
  certsDir?: string;
  /** Every line passes a secret mask first. */
  logger?: Logger;
  /** The host's schemas; the mapping's generated schemas are added. */
  registry?: SchemaRegistry;
  /** A REST client to send through instead of one built from `config.entity` (tests, instrumentation). */
  rest?: HelperRest;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SECRET_KEY = /pass(word|phrase)|secret|token/i;
/** Keys that name a kind of secret rather than hold one (`passwordType`, `tokenUrl`). */
const DESCRIPTIVE_KEY = /(type|url|uri|file)$/i;

/** Registers every secret-looking value of the configuration. */
function registerConfigSecrets(value: unknown, secrets: SecretMask, depth = 0): void {
  if (depth > 10 || typeof value !== 'object' || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && SECRET_KEY.test(k) && !DESCRIPTIVE_KEY.test(k)) secrets.add(v);
    else registerConfigSecrets(v, secrets, depth + 1);
  }
  const o = value as Record<string, unknown>;
  if (typeof o.username === 'string' && typeof o.password === 'string') secrets.add(`${o.username}:${o.password}`);
}

function issueOf(e: unknown, fallback: (string | number)[]): ConfigIssue {
  const path = (e as { path?: unknown }).path;
  const at = typeof path === 'string' ? path.replace(/^endpoint\./, '').split('.') : fallback;
  const message = (e as Error).message ?? String(e);
  return { path: at, message: typeof path === 'string' ? message.replace(`${path}: `, '') : message };
}

/**
 * Creates the SOAP connector: SCIM on one side, SOAP services on the other, operations and
 * attributes mapped by configuration. WSDL files are loaded and the configured operations checked
 * now, so a misspelt operation stops the start.
 *
 * @throws SoapConfigError listing every problem with its path
 * @example
 * const connector = await createSoapConnector({ config: json.endpoint, baseDir: '/opt/scimgw' });
 */
export async function createSoapConnector(options: SoapConnectorOptions): Promise<Connector> {
  const checked = configSchema.validate(options.config);
  if (!checked.ok) throw new SoapConfigError(checked.issues);
  const config = checked.value;
  const baseDir = options.baseDir ?? process.cwd();
  const certsDir = options.certsDir ?? join(baseDir, 'config', 'certs');
  const secrets = new SecretMask();
  registerConfigSecrets(config, secrets);
  const log = maskingLogger(options.logger ?? SILENT, secrets);
  const issues: ConfigIssue[] = [];

  // Tenants: the helper-rest connection of each, and its WS-Security.
  const entities = Object.keys(config.entity).length > 0 ? config.entity : { undefined: {} };
  const restEndpoint: EndpointConfig = { entity: {} };
  const tenants = new Map<string, TenantTransport>();
  const seedToken: WsSecurityConfig | undefined =
    config.username !== undefined
      ? {
          usernameToken: {
            username: config.username,
            password: config.password ?? '',
            passwordType: 'PasswordText',
            timestamp: false,
            created: true,
          },
        }
      : undefined;
  for (const [key, entity] of Object.entries(entities)) {
    const baseUrls = entity?.connection?.baseUrls ?? (config.baseServiceEndpoint ? [config.baseServiceEndpoint] : []);
    // The transport stops reading at maxResponseBytes (a tenant's connection may set its own), so a
    // response too long is never held in memory whole before it is refused.
    (restEndpoint.entity as Record<string, unknown>)[key] = {
      connection: { maxResponseBytes: config.maxResponseBytes, ...(entity?.connection ?? {}), baseUrls },
    };
    try {
      const security = buildWsSecurity(entity?.wsSecurity ?? config.wsSecurity ?? seedToken, certsDir, secrets);
      tenants.set(key, {
        hasBaseUrls: baseUrls.length > 0,
        security,
        retry: retryPolicy(entity?.connection?.retry),
        callerCredentials: entity?.connection?.auth?.type === 'passThrough',
      });
    } catch (e) {
      issues.push({ path: ['entity', key, 'wsSecurity'], message: (e as Error).message });
    }
  }
  let rest: HelperRest | undefined = options.rest;
  if (!rest) {
    try {
      rest = createHelperRest({ endpoint: restEndpoint, certsDir, logger: log });
    } catch (e) {
      issues.push({ path: ['entity'], message: (e as Error).message });
    }
  }

  // Mapping and operations, per resource type.
  const base = options.registry ?? new SchemaRegistry();
  const mappers = new Map<'User' | 'Group', Mapper>();
  for (const rt of ['User', 'Group'] as const) {
    const key = rt === 'User' ? 'user' : 'group';
    if (!config.operations[key]) continue;
    if (!config.map[key]) {
      issues.push({ path: ['map', key], message: `operations.${key} needs a mapping (map.${key})` });
      continue;
    }
    try {
      const mapper = createMapper(config.map as MapConfig, { resourceType: rt, configPath: 'endpoint.map', registry: base });
      if (!mapper.attributes.some((a) => a.targets.some((t) => t.path === 'id'))) {
        issues.push({ path: ['map', key], message: 'map the element that holds the id (e.g. "id": { "mapTo": "id" })' });
      }
      mappers.set(rt, mapper);
    } catch (e) {
      issues.push(issueOf(e, ['map', key]));
    }
  }
  const services = new SoapServices({
    config,
    baseDir,
    rest: rest as HelperRest,
    secrets,
    log,
    tenant: (key) => tenants.get(key),
  });
  if (issues.length === 0) {
    const ops: { where: string; service: string; method: string }[] = [];
    for (const [key, group] of Object.entries(config.operations)) {
      for (const [kind, op] of Object.entries(group ?? {})) {
        if (op) ops.push({ where: `operations.${key}.${kind}`, service: op.service, method: op.method });
      }
    }
    for (const [where, message] of await services.check(ops)) issues.push({ path: where.split('.'), message });
  }

  let registry: SchemaRegistry | undefined;
  const resources: Record<string, ResourceHandler> = {};
  for (const [rt, mapper] of mappers) {
    const key = rt === 'User' ? 'user' : 'group';
    try {
      const arrays = arrayWrapping(config.map[key], mapper, `map.${key}`);
      resources[rt] = resourceHandler({
        arrays,
        resourceType: rt,
        ops: config.operations[key] ?? {},
        mapper,
        services,
        secrets,
        registry: () => registry as SchemaRegistry,
        where: `operations.${key}`,
        log,
      });
    } catch (e) {
      issues.push(issueOf(e, ['operations', key]));
    }
  }
  if (issues.length > 0) {
    if (!options.rest) await rest?.close();
    throw new SoapConfigError(issues);
  }
  registry = base.extend(connectorSchemas([...mappers.values()]));
  return defineConnector({
    name: 'connector-soap',
    coreVersion: '^1.0.0',
    registry,
    resources,
    // Only the tenants whose services are signed in to with the caller's credentials check them.
    passThroughAuth: callerCredentialTenants(entities),
    async close() {
      if (!options.rest) await rest?.close();
    },
  });
}

/**
 * Package entry for the gateway: the connector for the `endpoint` section. Relative WSDL paths
 * resolve against the base directory; TLS and key files live in `<baseDir>/config/certs`.
 */
export function createConnector(context: ConnectorFactoryContext<SoapConfig>): Promise<Connector> {
  return createSoapConnector({
    config: context.config,
    baseDir: context.baseDir,
    certsDir: context.certsDir,
    logger: context.log,
    registry: context.registry,
  });
}
