/** One gateway instance: a configuration file → connector, auth, logging, SCIM handler, listener. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { warnOncePerName } from './unknown-attributes.js';
import { resolve } from 'node:path';
import { type Connector, CORE_VERSION, defineConnector, SchemaRegistry, URN } from '@scimgw/core';
import { createScimHandler, type ScimHandlerOptions, type SchemaDocument } from '@scimgw/core/handler';
import { createAuthenticator } from '@scimgw/auth';
import { type RelayListener, startRelayListener } from '@scimgw/azure-relay';
import { createGatewayLogger, type EmailConfig, type GatewayLogger } from '@scimgw/logger-stream';
import { configSeed, listen, type LoadedConfig, parseSize, type RunningServer } from '@scimgw/server';
import type { GatewayStream } from '@scimgw/stream';
import { connectorLogger } from './connector-logger.js';
import { parseChainingBaseUrl } from '@scimgw/chain';
import type { McpHost } from './mcp.js';
import { checkBuiltConnector } from './pass-through-check.js';
import { createPipeline, type PipelineDeps } from './pipeline.js';
import { recorderFor } from './recorder/from-config.js';
import { type PreparedConfig, prepareLoaded } from './prepare.js';
import { tenantLabel } from './telemetry/labels.js';
import { meterConnector } from './telemetry/metered-connector.js';
import type { GatewayMetrics } from './telemetry/metrics.js';
import type { PipelineTelemetry } from './telemetry/request.js';
import { GatewayTracing } from './telemetry/tracing.js';

/** A started instance. */
export interface GatewayInstance {
  name: string;
  url: string;
  port: number;
  connector: Connector;
  log: GatewayLogger;
  /** The SCIM Stream of this instance, when it publishes or subscribes. */
  stream?: GatewayStream | undefined;
  /** The instance's Prometheus metrics (`scimgateway.metrics.enabled`), served at `/metrics`. */
  metrics?: GatewayMetrics | undefined;
  /**
   * Graceful stop: ends the live `/logger` streams (they never finish on their own), finishes
   * in-flight requests for at most `timeoutMs` (default `kubernetes.shutdownTimeout` seconds),
   * then flushes the connector and the logs.
   */
  close(timeoutMs?: number): Promise<void>;
}

/** Options of {@link startInstance}. */
export interface InstanceOptions {
  /** Override the configured port (0 = any free port; used by tests). */
  port?: number;
  /** Use an already-created connector instead of loading the package. */
  connector?: Connector;
  /** Log output stream for the console sink (tests). */
  stdout?: NodeJS.WritableStream;
  /**
   * Called at the start of every request (the CLI's heap compaction counts activity with it and
   * watches for the end of requests with large bodies).
   */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
  /** `scimgw start --record FILE`: record traffic to this file (see `scimgateway.recorder`). */
  record?: string;
}

/**
 * The configured connector package; for a gateway without one (see `loadConfig`), the publish-only
 * connector when it publishes (stores nothing; the stream is the result), else an empty one: every
 * SCIM request goes on to the next gateway.
 */
async function createConnector(
  cfg: PreparedConfig,
  log: GatewayLogger,
  registry: SchemaRegistry,
  stream: GatewayStream | undefined,
): Promise<Connector> {
  if (cfg.connector === null || !cfg.factory) {
    if (stream?.publishes) return (await import('@scimgw/stream')).createPublishOnlyConnector(registry);
    return defineConnector({ name: 'chaining-only', coreVersion: `^${CORE_VERSION}`, resources: {} });
  }
  return cfg.factory({
    config: cfg.endpoint,
    baseDir: cfg.baseDir,
    tenants: cfg.tenants,
    certsDir: cfg.certsDir,
    registry,
    log: connectorLogger(log.logger.child({ connector: cfg.connector })),
  });
}

/**
 * The schemas this host serves before the connector adds its own: the built-in ones, the custom
 * schemas of `scim.customSchemas`, and with `scim.groupMemberOfUser` a writable `groups` on User
 * (membership is then changed through the user).
 */
export function hostRegistry(custom: SchemaDocument | undefined, groupMemberOfUser: boolean): SchemaRegistry {
  const base = new SchemaRegistry();
  const user = base.schema(URN.User);
  const schemas = [...(custom?.schemas ?? [])];
  if (groupMemberOfUser && user) {
    schemas.unshift({
      ...user,
      attributes: user.attributes.map((a) =>
        a.name === 'groups'
          ? {
              ...a,
              mutability: 'readWrite' as const,
              subAttributes: a.subAttributes?.map((sub) => ({ ...sub, mutability: 'readWrite' as const })),
            }
          : a,
      ),
    });
  }
  return base.extend({ schemas, extensions: custom?.extensions ?? {} });
}

/**
 * The metrics and tracer `scimgateway.metrics` and `scimgateway.tracing` ask for; undefined when
 * both are off, and then nothing is measured. `prom-client` is loaded only here, when metrics are on:
 * an instance without them does not pay for it (about 1–4 MiB of resident memory).
 */
async function instanceTelemetry(
  cfg: PreparedConfig,
  tenants: ReadonlySet<string>,
  stream: GatewayStream | undefined,
): Promise<PipelineTelemetry | undefined> {
  const g = cfg.gateway;
  if (!g.metrics.enabled && !g.tracing.enabled) return undefined;
  const metrics = g.metrics.enabled
    ? new (await import('./telemetry/metrics.js')).GatewayMetrics({ gateway: cfg.name, processMetrics: g.metrics.processMetrics })
    : undefined;
  if (metrics && stream?.subscribes)
    metrics.streamLagFrom(() =>
      (stream.status().subscriber ?? []).map((s) => ({ tenant: s.tenant === 'undefined' ? '' : s.tenant, lag: s.lag })),
    );
  return { metrics, tracing: g.tracing.enabled ? new GatewayTracing(cfg.name) : undefined, tenants };
}

/** An instance's parts before it listens: what `start` serves over HTTP and `scimgw mcp` over stdio. */
export interface InstanceParts {
  cfg: PreparedConfig;
  log: GatewayLogger;
  connector: Connector;
  /** The request pipeline's dependencies (the core handler, the authenticator …). */
  deps: PipelineDeps;
  /** The MCP server, built for `scimgateway.mcp.enabled` or when asked for (`withMcp`). */
  mcp: McpHost | undefined;
  /** The SCIM Stream of this instance, when it publishes or subscribes. */
  stream: GatewayStream | undefined;
  /** Marks the instance ready (`/readyz`). */
  setReady(ready: boolean): void;
  /**
   * Stops the stream (the subscriber finishes what it is applying first), then flushes and closes
   * the connector and the logs (not a listener: the caller owns that).
   */
  close(timeoutMs?: number): Promise<void>;
}

/** Options of {@link buildInstance}. */
export interface BuildOptions extends Omit<InstanceOptions, 'port' | 'onRequest'> {
  /** Build the MCP server even when `scimgateway.mcp.enabled` is false (stdio). */
  withMcp?: boolean;
  /**
   * Run the SCIM Stream subscriber when the configuration enables it (default true). `scimgw mcp`
   * says false: a durable consumer is the gateway's, and a second process on it would break the
   * order per resource.
   */
  subscribe?: boolean;
}

/** Builds one instance from a loaded configuration, without listening. */
export async function buildInstance(loaded: LoadedConfig | PreparedConfig, opts: BuildOptions = {}): Promise<InstanceParts> {
  // The same checks check-config runs, unless the caller already ran them (the CLI does).
  const cfg: PreparedConfig =
    'prepared' in loaded ? loaded : await prepareLoaded(loaded, { withoutConnector: opts.connector !== undefined });
  const g = cfg.gateway;
  const log = createGatewayLogger({
    name: cfg.name,
    log: {
      ...g.log,
      // A relative log directory is relative to the base directory, like every other path.
      logDirectory: g.log.logDirectory ? resolve(cfg.baseDir, g.log.logDirectory) : undefined,
      customMasking: g.log.customMasking ?? [],
    },
    // The logger validates the e-mail options itself and names the config path on error.
    ...(g.email ? { email: g.email as unknown as EmailConfig } : {}),
    baseDir: cfg.baseDir,
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
  });
  for (const w of cfg.warnings) log.logger.warn(w);
  const auth = await createAuthenticator({
    auth: g.auth as Parameters<typeof createAuthenticator>[0]['auth'],
    ipAllowList: g.ipAllowList ?? [],
    trustedProxies: g.trustedProxies ?? [],
    // `false` turns the failed-login limit off; `true`, `null` or absent keep the defaults.
    ...(g.rateLimit === false
      ? { rateLimit: false as const }
      : typeof g.rateLimit === 'object' && g.rateLimit
        ? { rateLimit: g.rateLimit }
        : {}),
    certsDir: cfg.certsDir,
    logger: connectorLogger(log.logger),
    tokenSigningSeed: `${configSeed()}:${cfg.name}`,
  });

  const chainingBaseUrl = cfg.chainingBaseUrl ?? parseChainingBaseUrl(g.chainingBaseUrl);
  const registry = hostRegistry(cfg.customSchemas, g.scim.groupMemberOfUser);
  // @scimgw/stream (NATS clients) and @scimgw/mcp (the MCP SDK) are loaded only by instances that
  // use them: together they are over 10 MiB of resident memory in a process that never needs them.
  const stream =
    g.stream && (g.stream.publisher?.enabled || g.stream.subscriber?.enabled)
      ? new (await import('@scimgw/stream')).GatewayStream({
          config: g.stream,
          name: cfg.name,
          files: cfg.streamFiles ?? {},
          log: connectorLogger(log.logger.child({ component: 'stream' })),
        })
      : undefined;
  const tenants = new Set(cfg.tenants);
  const telemetry = await instanceTelemetry(cfg, tenants, stream);
  const created = opts.connector ?? (await createConnector(cfg, log, registry, stream));
  try {
    // Nothing would check a passed-through credential: every request would be served unchecked.
    const partly = checkBuiltConnector(cfg, created, chainingBaseUrl);
    if (partly) log.logger.warn(partly);
  } catch (e) {
    await created.close?.();
    throw e;
  }
  const metrics = telemetry?.metrics;
  created.host?.attach?.({
    mailer: log.mailer,
    ...(metrics
      ? { telemetry: { durableWrite: (w) => metrics.journalSync(tenantLabel(w.tenant, tenants), w.seconds, w.bytes) } }
      : {}),
  });
  // Timed and traced below the SCIM Stream publisher: a connector call is the connector's own time.
  const base = telemetry ? meterConnector(created, telemetry) : created;
  // The publisher sits in front of the connector's writes; what the subscriber applies goes to the
  // connector itself, so it is not published again.
  const connector = stream ? stream.wrap(base) : base;
  const handlerOptions = (c: Connector): ScimHandlerOptions => ({
    connector: c,
    registry: c.registry ?? registry,
    scimVersion: g.scim.version,
    skipMetaLocation: g.scim.skipMetaLocation,
    usePutSoftSync: g.scim.usePutSoftSync,
    groupPatchStatus: g.scim.groupPatchStatus === 200 ? (200 as const) : (204 as const),
    pagination: { defaultPageSize: g.scim.defaultPageSize, maxPageSize: g.scim.maxPageSize },
    bulk: { maxOperations: g.bulk.maxOperations, maxPayloadSize: g.bulk.maxPayloadSize },
    authenticationSchemes: auth.schemes(),
    onQuirk: (quirk, req) => log.logger.debug({ quirk, reqId: req.context?.requestId }, 'client dialect rule applied'),
    unknownAttributes: g.scim.unknownAttributes,
    onUnknownAttribute: warnOncePerName(log.logger),
  });
  const scimOptions = handlerOptions(connector);
  const scim = createScimHandler(scimOptions);
  const payloadLimit = parseSize(g.payloadSize);
  // A gateway that only chains has no resources to offer tools for: MCP is served where the connector runs.
  const mcp =
    (g.mcp.enabled || opts.withMcp) && cfg.connector !== null
      ? (await import('./mcp.js')).createMcpHost({
          config: g.mcp,
          connector,
          scimOptions,
          registry: scim.registry,
          log,
          maxArgumentBytes: payloadLimit,
        })
      : undefined;
  // The subscriber applies the stream to the undecorated connector, so nothing it applies is published again.
  stream?.start(stream.subscribes && opts.subscribe !== false ? createScimHandler(handlerOptions(base)) : undefined);
  let ready = false;
  // Where the connector runs: a chaining gateway forwards, and records nothing.
  const recorder = chainingBaseUrl === undefined ? recorderFor(cfg, log, opts.record) : undefined;
  const deps: PipelineDeps = {
    scim,
    connector,
    auth,
    log,
    tenants,
    scimVersion: g.scim.version,
    payloadLimit,
    bulkPayloadLimit: g.bulk.maxPayloadSize,
    passThroughEnabled: g.auth.passThrough?.enabled === true,
    trustForwarded: (g.trustedProxies ?? []).length > 0,
    encrypted: cfg.tls !== undefined,
    isReady: () => ready && (stream?.ready() ?? true),
    ...(stream ? { readiness: () => ({ stream: stream.status() }) } : {}),
    publicRoutes: new Map((connector.host?.publicRoutes?.() ?? []).map((r) => [r.path, r])),
    chainingBaseUrl,
    mcp,
    telemetry,
    recorder,
  };
  return {
    cfg,
    log,
    connector,
    deps,
    mcp,
    stream,
    setReady: (r) => {
      ready = r;
    },
    async close(timeoutMs?: number) {
      await stream?.close(timeoutMs);
      await connector.close?.();
      await recorder?.close();
      log.logger.info(`${cfg.name} stopped`);
      await log.close();
    },
  };
}

/** `kubernetes.shutdownTimeout` (seconds, default 15) in milliseconds. */
export function shutdownTimeoutMs(gateway: PreparedConfig['gateway']): number {
  return (gateway.kubernetes?.shutdownTimeout ?? 15) * 1000;
}

/** Starts one instance from a loaded configuration. */
export async function startInstance(loaded: LoadedConfig | PreparedConfig, opts: InstanceOptions = {}): Promise<GatewayInstance> {
  const parts = await buildInstance(loaded, opts);
  const { cfg, log, connector, stream } = parts;
  const g = cfg.gateway;
  const tls = cfg.tls;
  const chainingBaseUrl = parts.deps.chainingBaseUrl;
  const pipeline = createPipeline(parts.deps);
  const onRequest = opts.onRequest;
  // node:http hands each request straight to the pipeline: no framework in between (a bare express
  // app answers 0.15–0.43 of a bare node:http server on Node; ARCHITECTURE.md, "Hosting").
  const listener: (req: IncomingMessage, res: ServerResponse) => void = onRequest
    ? (req, res) => {
        onRequest(req, res);
        pipeline(req, res);
      }
    : pipeline;
  // Requests through Azure Relay take the same pipeline as the port's; /readyz shows the relay.
  let relay: RelayListener | undefined;
  if (g.azureRelay?.enabled) {
    const handler: typeof pipeline = (req, res) => {
      onRequest?.(req, res);
      pipeline(req, res);
    };
    try {
      relay = startRelayListener({ config: g.azureRelay, handler, log: connectorLogger(log.logger) });
    } catch (e) {
      await parts.close();
      throw new Error(`${cfg.file}: ${(e as Error).message}`);
    }
    const before = parts.deps.readiness;
    parts.deps.readiness = () => ({ ...before?.(), azureRelay: relay?.status() });
  }
  let server: RunningServer;
  try {
    server = await listen(listener, {
      port: opts.port ?? g.port,
      localhostOnly: g.localhostonly,
      tls,
      idleTimeoutSeconds: g.idleTimeout,
      onClientError: (r) => log.logger.warn(r, `request refused before routing: ${r.status} (${r.code})`),
    });
  } catch (e) {
    await relay?.close();
    await stream?.close();
    await connector.close?.();
    throw new Error(`${cfg.file}: cannot listen on port ${opts.port ?? g.port}: ${(e as Error).message}`);
  }
  parts.setReady(true);
  log.logger.info(
    {
      port: server.port,
      url: server.url,
      connector: cfg.connector,
      tls: tls !== undefined,
      ...(chainingBaseUrl ? { chainingBaseUrl } : {}),
      ...(stream ? { stream: { publishes: stream.publishes, subscribes: stream.subscribes } } : {}),
    },
    `${cfg.name} listening on ${server.url}`,
  );
  return {
    name: cfg.name,
    url: server.url,
    port: server.port,
    connector,
    log,
    stream,
    metrics: parts.deps.telemetry?.metrics,
    async close(timeoutMs = shutdownTimeoutMs(g)) {
      parts.setReady(false);
      // A live stream is an in-flight request that never ends: without this, it would hold the
      // shutdown for the whole timeout.
      log.stream.close();
      await relay?.close();
      await server.close(timeoutMs);
      await parts.close(timeoutMs);
    },
  };
}
