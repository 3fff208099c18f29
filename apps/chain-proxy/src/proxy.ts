/**
 * One chain proxy: a configuration file → authenticator, logger, pipeline, listener. The file is
 * the gateway's (`scimgateway` section, the same keys and checks); `chainingBaseUrl` is required
 * and the sections only a gateway with a connector uses are refused.
 */
import { resolve } from 'node:path';
import { createAuthenticator } from '@scimgw/auth';
import { type RelayListener, startRelayListener } from '@scimgw/azure-relay';
import { parseChainingBaseUrl } from '@scimgw/chain';
import type { Logger } from '@scimgw/core';
import { createGatewayLogger, type EmailConfig, type GatewayLogger } from '@scimgw/logger-stream';
import {
  ConfigError,
  ConfigErrors,
  configSeed,
  type LoadedConfig,
  type LoadOptions,
  listen,
  loadConfig,
  loadTls,
  parseSize,
  type RunningServer,
  type TlsMaterial,
} from '@scimgw/server';
import { createProxyPipeline } from './pipeline.js';

/** A configuration that passed every check the proxy makes before it starts. */
export interface ProxyConfig extends LoadedConfig {
  /** `scimgateway.chainingBaseUrl`, parsed. */
  chainingBaseUrl: string;
  /** Certificate and key (HTTPS), read; undefined for HTTP. */
  tls?: TlsMaterial | undefined;
}

/** Adapts a pino logger to the small logger the authenticator takes. */
function plainLogger(p: GatewayLogger['logger']): Logger {
  return {
    debug: (msg, data) => p.debug(data ?? {}, msg),
    info: (msg, data) => p.info(data ?? {}, msg),
    warn: (msg, data) => p.warn(data ?? {}, msg),
    error: (msg, data) => p.error(data ?? {}, msg),
  };
}

/**
 * Loads and checks a chain proxy's configuration file: the gateway's checks on the file, then
 * `chainingBaseUrl` (required), TLS files and the authenticator (at least one method).
 *
 * @throws ConfigErrors naming every problem with its config path
 */
export async function prepareProxyConfig(file: string, options: LoadOptions = {}): Promise<ProxyConfig> {
  return checkProxyConfig(loadConfig(file, options));
}

/** The proxy's checks on a loaded configuration (see {@link prepareProxyConfig}). */
export async function checkProxyConfig(cfg: LoadedConfig): Promise<ProxyConfig> {
  const problems: ConfigError[] = [];
  const problem = (path: string, text: string) => problems.push(new ConfigError(path, text, cfg.file));
  const g = cfg.gateway;
  let chainingBaseUrl: string | undefined;
  try {
    chainingBaseUrl = parseChainingBaseUrl(g.chainingBaseUrl);
    if (chainingBaseUrl === undefined)
      problem('scimgateway.chainingBaseUrl', 'required: the chain proxy forwards every SCIM request to this gateway');
  } catch (e) {
    const m = /^([\w.]+): (.*)$/s.exec((e as Error).message);
    problem(m?.[1] ?? 'scimgateway.chainingBaseUrl', m?.[2] ?? (e as Error).message);
  }
  // Sections that need a connector behind them belong to the gateway the proxy forwards to.
  if (g.mcp.enabled)
    problem('scimgateway.mcp.enabled', 'the chain proxy has no MCP server: enable it on the gateway that has the connector');
  if (g.stream?.publisher?.enabled || g.stream?.subscriber?.enabled)
    problem(
      'scimgateway.stream',
      'the chain proxy forwards SCIM requests and applies nothing itself: publish and subscribe on the gateway that has the connector',
    );
  if (Object.keys(cfg.endpoint).length > 0)
    problem('endpoint', 'the chain proxy has no connector: move this section to the gateway it forwards to');
  let tls: TlsMaterial | undefined;
  try {
    tls = loadTls(g, cfg.certsDir);
  } catch (e) {
    if (e instanceof ConfigError) problem(e.path, e.problem);
    else throw e;
  }
  try {
    const auth = await createAuthenticator({
      auth: g.auth,
      ipAllowList: g.ipAllowList ?? [],
      trustedProxies: g.trustedProxies ?? [],
      certsDir: cfg.certsDir,
      tokenSigningSeed: 'check',
    });
    if (!auth.enabled)
      problem(
        'scimgateway.auth',
        'no authentication method is configured; configure basic, bearerToken, bearerJwt, bearerOAuth or passThrough',
      );
  } catch (e) {
    // Its messages start with the path below `scimgateway` (`auth.basic[0].password: …`).
    problem('', `scimgateway.${(e as Error).message}`);
  }
  if (problems.length) throw new ConfigErrors(problems);
  return { ...cfg, chainingBaseUrl: chainingBaseUrl as string, tls };
}

/** Options of {@link startChainProxy}. */
export interface ChainProxyOptions {
  /** Override the configured port (0 = any free port). */
  port?: number;
  /** Log output stream for the console sink (tests). */
  stdout?: NodeJS.WritableStream;
}

/** A started chain proxy. */
export interface ChainProxy {
  name: string;
  url: string;
  port: number;
  log: GatewayLogger;
  /** Graceful stop: finish in-flight requests, then close the logs. */
  close(timeoutMs?: number): Promise<void>;
}

/** Starts a chain proxy from a checked configuration (or a loaded one, checked here). */
export async function startChainProxy(loaded: LoadedConfig | ProxyConfig, opts: ChainProxyOptions = {}): Promise<ChainProxy> {
  const cfg =
    'chainingBaseUrl' in loaded && typeof loaded.chainingBaseUrl === 'string'
      ? (loaded as ProxyConfig)
      : await checkProxyConfig(loaded);
  const g = cfg.gateway;
  const log = createGatewayLogger({
    name: cfg.name,
    log: {
      ...g.log,
      logDirectory: g.log.logDirectory ? resolve(cfg.baseDir, g.log.logDirectory) : undefined,
      customMasking: g.log.customMasking ?? [],
    },
    ...(g.email ? { email: g.email as unknown as EmailConfig } : {}),
    baseDir: cfg.baseDir,
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
  });
  for (const w of cfg.warnings) log.logger.warn(w);
  const auth = await createAuthenticator({
    auth: g.auth as Parameters<typeof createAuthenticator>[0]['auth'],
    ipAllowList: g.ipAllowList ?? [],
    trustedProxies: g.trustedProxies ?? [],
    ...(g.rateLimit === false
      ? { rateLimit: false as const }
      : typeof g.rateLimit === 'object' && g.rateLimit
        ? { rateLimit: g.rateLimit }
        : {}),
    certsDir: cfg.certsDir,
    logger: plainLogger(log.logger),
    tokenSigningSeed: `${configSeed()}:${cfg.name}`,
  });
  let ready = false;
  let relay: RelayListener | undefined;
  const pipeline = createProxyPipeline({
    chainingBaseUrl: cfg.chainingBaseUrl,
    auth,
    log,
    scimVersion: g.scim.version,
    payloadLimit: parseSize(g.payloadSize),
    bulkPayloadLimit: g.bulk.maxPayloadSize,
    trustForwarded: (g.trustedProxies ?? []).length > 0,
    encrypted: cfg.tls !== undefined,
    isReady: () => ready,
    readiness: () => (relay ? { azureRelay: relay.status() } : {}),
  });
  // Requests through Azure Relay take the same pipeline as the port's; /readyz shows the relay.
  if (g.azureRelay?.enabled) {
    try {
      relay = startRelayListener({ config: g.azureRelay, handler: pipeline, log: plainLogger(log.logger) });
    } catch (e) {
      await log.close();
      throw new Error(`${cfg.file}: ${(e as Error).message}`);
    }
  }
  let server: RunningServer;
  try {
    server = await listen(pipeline, {
      port: opts.port ?? g.port,
      localhostOnly: g.localhostonly,
      tls: cfg.tls,
      idleTimeoutSeconds: g.idleTimeout,
    });
  } catch (e) {
    await relay?.close();
    await log.close();
    throw new Error(`${cfg.file}: cannot listen on port ${opts.port ?? g.port}: ${(e as Error).message}`);
  }
  ready = true;
  log.logger.info(
    { port: server.port, url: server.url, tls: cfg.tls !== undefined, chainingBaseUrl: cfg.chainingBaseUrl },
    `${cfg.name} (chain proxy) listening on ${server.url}, forwarding to ${cfg.chainingBaseUrl}`,
  );
  return {
    name: cfg.name,
    url: server.url,
    port: server.port,
    log,
    async close(timeoutMs?: number) {
      ready = false;
      await relay?.close();
      await server.close(timeoutMs);
      log.logger.info(`${cfg.name} stopped`);
      await log.close();
    },
  };
}
