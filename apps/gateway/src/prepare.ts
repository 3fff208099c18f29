/**
 * Everything a configuration must pass before an instance starts, run by `start` and
 * `check-config` alike: the file (JSON, secrets, the `scimgateway` section), the chaining URL, the
 * connector package (installed, compatible with this core, exporting `createConnector`) and the
 * `endpoint` section, checked by the connector's own `configSchema`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAuthenticator } from '@scimgw/auth';
import { formatConfigPath, parseJsonText } from '@scimgw/config';
import { type ConnectorConfigSchema, type ConnectorFactory, CORE_VERSION } from '@scimgw/core';
import { coreSatisfies, parseSchemaDocument, type SchemaDocument } from '@scimgw/core/handler';
import {
  ConfigError,
  ConfigErrors,
  type LoadedConfig,
  loadConfig,
  loadTls,
  registerConfigSections,
  type TlsMaterial,
  validateWithEnvText,
} from '@scimgw/server';
import { readStreamFiles, StreamFileError, type StreamFiles, streamConfigSchema } from '@scimgw/stream/config';
import { mcpConfigSchema } from '@scimgw/mcp/config';
import { parseChainingBaseUrl } from '@scimgw/chain';
import { type ConnectorModule, loadConnectorModule } from './connector-loader.js';
import { passThroughNeedsConnector, passThroughRefusal } from './pass-through-check.js';

// The gateway ships MCP and SCIM Stream: their sections are validated with their own schemas, also
// inside a single executable that bundled them.
registerConfigSections({ mcp: mcpConfigSchema, stream: streamConfigSchema });

/** A configuration that passed every check, with what starting it needs. */
export interface PreparedConfig extends LoadedConfig {
  /** Marks a configuration that went through {@link prepareLoaded}. */
  prepared: true;
  /** The connector package's factory; absent for a gateway that only chains. */
  factory?: ConnectorFactory | undefined;
  /** `scimgateway.chainingBaseUrl`, parsed. */
  chainingBaseUrl?: string | undefined;
  /** `scimgateway.scim.customSchemas`, read and checked. */
  customSchemas?: SchemaDocument | undefined;
  /** Certificate and key, read (HTTPS); undefined for HTTP. */
  tls?: TlsMaterial | undefined;
  /** Files of `scimgateway.stream` (NATS TLS, signing keys), read; undefined without a stream. */
  streamFiles?: StreamFiles | undefined;
  /**
   * With `auth.passThrough` on and no chaining: whether the connector package says, from its
   * section, that its connector checks passed-through credentials (`undefined`: it says nothing,
   * and only `start` can tell). Absent otherwise.
   */
  passThroughDeclared?: boolean | undefined;
}

/** Options of {@link prepareConfig}. */
export interface PrepareOptions {
  /** Encrypt clear-text secrets in the file (start does; check-config does not). */
  encryptInPlace?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where connector packages are looked up besides the gateway's own dependencies. */
  cwd?: string;
}

/** Checks one configuration file. Throws {@link ConfigErrors} naming every problem. */
export async function prepareConfig(file: string, options: PrepareOptions = {}): Promise<PreparedConfig> {
  const cfg = loadConfig(file, {
    ...(options.encryptInPlace === undefined ? {} : { encryptInPlace: options.encryptInPlace }),
    ...(options.env ? { env: options.env } : {}),
  });
  return prepareLoaded(cfg, options);
}

/** The checks after the file itself: chaining URL, connector package, `endpoint` section. */
export async function prepareLoaded(
  cfg: LoadedConfig,
  options: Pick<PrepareOptions, 'cwd'> & {
    /** The caller brings its own connector: skip the package. */ withoutConnector?: boolean;
  } = {},
): Promise<PreparedConfig> {
  const problem = (path: string, text: string) => new ConfigErrors([new ConfigError(path, text, cfg.file)]);
  let chainingBaseUrl: string | undefined;
  try {
    chainingBaseUrl = parseChainingBaseUrl(cfg.gateway.chainingBaseUrl);
  } catch (e) {
    const m = /^([\w.]+): (.*)$/s.exec((e as Error).message);
    throw problem(m?.[1] ?? 'scimgateway.chainingBaseUrl', m?.[2] ?? (e as Error).message);
  }
  const host = {
    prepared: true as const,
    chainingBaseUrl,
    customSchemas: readCustomSchemas(cfg),
    tls: readTls(cfg),
    streamFiles: readStream(cfg),
  };
  await checkAuth(cfg);
  if (cfg.connector === null || options.withoutConnector) return { ...cfg, ...host };

  let mod: ConnectorModule;
  try {
    mod = await loadConnectorModule(cfg.connector, options.cwd);
  } catch (e) {
    throw problem('connector', (e as Error).message);
  }
  const range = coreRangeOf(mod.packageJson);
  if (range !== undefined && !coreSatisfies(range)) {
    throw problem('connector', `${cfg.connector} is written for @scimgw/core ${range}, but this gateway has ${CORE_VERSION}`);
  }
  if (typeof mod.exports.createConnector !== 'function') {
    throw problem('connector', `${cfg.connector} does not export createConnector(context): it is not a scimgw connector package`);
  }
  const schema = mod.exports.configSchema as ConnectorConfigSchema | undefined;
  let endpoint = cfg.endpoint;
  const needsConnector = passThroughNeedsConnector(cfg, chainingBaseUrl);
  let passThroughDeclared: boolean | undefined;
  const warnings = [...cfg.warnings];
  if (schema && typeof schema.validate === 'function') {
    const checked = validateWithEnvText(cfg.endpoint, cfg.envText, 'endpoint', (v) => schema.validate(v));
    if (!checked.ok) {
      throw new ConfigErrors(
        checked.issues.map((i) => new ConfigError(formatConfigPath(i.path, 'endpoint'), i.message, cfg.file)),
      );
    }
    endpoint = checked.value as Record<string, unknown>;
    // The package may say before anything starts whether its connector would check a credential
    // passed through; start checks again with the built connector, tenant by tenant.
    if (needsConnector) {
      const declared = declaredPassThrough(schema, checked.value);
      if (declared === false) throw passThroughRefusal(cfg.connector, cfg.file);
      passThroughDeclared = declared;
    }
  } else {
    warnings.push(
      `${cfg.file}: ${cfg.connector} exports no configSchema, so its endpoint section is not checked before it starts`,
    );
  }
  return {
    ...cfg,
    ...host,
    endpoint,
    warnings,
    factory: mod.exports.createConnector as ConnectorFactory,
    ...(needsConnector ? { passThroughDeclared } : {}),
  };
}

/** A package's static pass-through declaration; `undefined` when it makes none (or it fails). */
function declaredPassThrough(schema: ConnectorConfigSchema, value: unknown): boolean | undefined {
  if (typeof schema.passThroughAuth !== 'function') return undefined;
  try {
    const declared = schema.passThroughAuth(value);
    return typeof declared === 'boolean' ? declared : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `scim.customSchemas` (a JSON file relative to the configuration folder). */
function readCustomSchemas(cfg: LoadedConfig): SchemaDocument | undefined {
  const file = cfg.gateway.scim.customSchemas;
  if (!file) return undefined;
  const path = resolve(cfg.configDir, file);
  let json: unknown;
  try {
    json = parseJsonText(readFileSync(path, 'utf8'), path);
  } catch (e) {
    throw new ConfigErrors([
      new ConfigError('scimgateway.scim.customSchemas', `cannot read ${path}: ${(e as Error).message}`, cfg.file),
    ]);
  }
  try {
    return withVendorKeys(json, parseSchemaDocument(json, 'scimgateway.scim.customSchemas'));
  } catch (e) {
    throw new ConfigErrors([new ConfigError('', `${(e as Error).message} (in ${path})`, cfg.file)]);
  }
}

/** Vendor keys (`x-…`, such as `x-agent-schema`) of a schema or attribute in a custom schemas file. */
function vendorKeys(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null) return {};
  return Object.fromEntries(Object.entries(raw).filter(([k]) => /^x-[\w-]+$/.test(k)));
}

/**
 * The parsed custom schemas with the vendor keys of the file put back on their schemas and
 * attributes (the schema parser keeps the standard characteristics only), so that `x-agent-schema`
 * hints of a custom schema reach `/Schemas` and the MCP tools as the mapper's do.
 */
function withVendorKeys(raw: unknown, parsed: SchemaDocument): SchemaDocument {
  const rawSchemas = (raw as { schemas?: unknown }).schemas;
  if (!Array.isArray(rawSchemas)) return parsed;
  const schemas = parsed.schemas.map((schema, i) => {
    const source = rawSchemas[i] as { attributes?: unknown[] } | undefined;
    const attributes = schema.attributes.map((a, j) => {
      const rawAttr = source?.attributes?.[j] as { subAttributes?: unknown[] } | undefined;
      const subAttributes = a.subAttributes?.map((sub, k) => ({ ...sub, ...vendorKeys(rawAttr?.subAttributes?.[k]) }));
      return { ...a, ...vendorKeys(rawAttr), ...(subAttributes ? { subAttributes } : {}) };
    });
    return { ...schema, ...vendorKeys(source), attributes };
  });
  return { ...parsed, schemas };
}

/** Reads the certificate and key files named in the configuration. */
function readTls(cfg: LoadedConfig): TlsMaterial | undefined {
  try {
    return loadTls(cfg.gateway, cfg.certsDir);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigErrors([new ConfigError(e.path, e.problem, cfg.file)]);
    throw e;
  }
}

/** Reads the files `scimgateway.stream` names (NATS CA and client certificate, signing keys). */
function readStream(cfg: LoadedConfig): StreamFiles | undefined {
  const stream = cfg.gateway.stream;
  if (!stream || !(stream.publisher?.enabled || stream.subscriber?.enabled)) return undefined;
  try {
    return readStreamFiles(stream, cfg.certsDir);
  } catch (e) {
    if (e instanceof StreamFileError)
      throw new ConfigErrors([new ConfigError(`scimgateway.stream.${e.path}`, e.problem, cfg.file)]);
    throw e;
  }
}

/**
 * Builds the authenticator as start does (keys read, options checked), and refuses a gateway
 * that would refuse every request because no method is configured.
 */
async function checkAuth(cfg: LoadedConfig): Promise<void> {
  const g = cfg.gateway;
  let enabled: boolean;
  try {
    enabled = (
      await createAuthenticator({
        auth: g.auth,
        ipAllowList: g.ipAllowList ?? [],
        trustedProxies: g.trustedProxies ?? [],
        certsDir: cfg.certsDir,
        tokenSigningSeed: 'check',
      })
    ).enabled;
  } catch (e) {
    // Its messages start with the path below `scimgateway` (`auth.basic[0].password: …`).
    throw new ConfigErrors([new ConfigError('', `scimgateway.${(e as Error).message}`, cfg.file)]);
  }
  if (!enabled) {
    throw new ConfigErrors([
      new ConfigError(
        'scimgateway.auth',
        'no authentication method is configured; configure basic, bearerToken, bearerJwt, bearerOAuth or passThrough',
        cfg.file,
      ),
    ]);
  }
}

/** The range of `@scimgw/core` a connector package declares (peer dependency first). */
function coreRangeOf(pkg: Record<string, unknown> | undefined): string | undefined {
  for (const field of ['peerDependencies', 'dependencies'] as const) {
    const deps = pkg?.[field] as Record<string, unknown> | undefined;
    const range = deps?.['@scimgw/core'];
    if (typeof range === 'string' && !range.startsWith('workspace:')) return range;
  }
  return undefined;
}

/**
 * Several configurations for one process: every one prepared, and no two on one port. Returns the
 * prepared configurations, or throws every problem found at once.
 */
export async function prepareAll(files: readonly string[], options: PrepareOptions = {}): Promise<PreparedConfig[]> {
  const prepared: PreparedConfig[] = [];
  const errors: ConfigError[] = [];
  for (const f of files) {
    try {
      prepared.push(await prepareConfig(f, options));
    } catch (e) {
      if (e instanceof ConfigErrors) errors.push(...e.errors);
      else errors.push(new ConfigError('', (e as Error).message, f));
    }
  }
  const byPort = new Map<number, string>();
  for (const p of prepared) {
    const port = p.gateway.port;
    const other = byPort.get(port);
    if (port !== 0 && other !== undefined) {
      errors.push(new ConfigError('scimgateway.port', `${port} is also the port of ${other}`, p.file));
    }
    byPort.set(port, p.file);
  }
  if (errors.length) throw new ConfigErrors(errors);
  return prepared;
}
