/**
 * `startGraphEmulator`: one emulated tenant served over HTTPS (Graph v1.0 and the identity
 * platform) — and plain HTTP for Graph — per enabled national cloud.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Agent } from 'node:https';
import { CLOUDS, type CloudName, allCloudHosts } from './clouds.js';
import { CallLog } from './graph/calls.js';
import { Faults } from './graph/faults.js';
import { Router } from './graph/router.js';
import { GraphService, type LogEntry } from './graph/service.js';
import type { Caller } from './graph/types.js';
import { verifyAccessToken } from './identity/access-token.js';
import { type App, type AppRegistration, checkPermissions, registerApp } from './identity/apps.js';
import { ReplayGuard } from './identity/assertion.js';
import { type FederationOptions, IssuerKeys } from './identity/federation.js';
import { createSigningKey } from './identity/keys.js';
import { instanceDiscovery, openIdConfiguration } from './identity/metadata.js';
import { IdentityService } from './identity/service.js';
import type { AccessPackageSeed, EntitlementTiming } from './model/entitlement.js';
import type { SkuSeed } from './model/licenses.js';
import type { RoleDefinitionSeed } from './model/role-definitions.js';
import { Tenant } from './model/tenant.js';
import { type EmulatorFetch, type MsalNetworkModule, emulatorAgent, emulatorFetch, msalNetworkClient } from './net/client.js';
import { type Listener, listenHttp, listenHttps } from './net/listener.js';
import { type TlsMaterial, testTls } from './net/tls.js';
import { ROUTES } from './routes/index.js';
import { EmulatorState } from './state.js';

/** Options of {@link startGraphEmulator}. */
export interface GraphEmulatorOptions {
  /** Tenant id (GUID); random by default. */
  readonly tenantId?: string;
  /** Verified domains; the first is the initial domain. Default `<random>.onmicrosoft.com`. */
  readonly domains?: readonly string[];
  /** App registrations that may get tokens. */
  readonly apps?: readonly AppRegistration[];
  /** Subscribed SKUs. */
  readonly skus?: readonly SkuSeed[];
  /** Extra role definitions besides the built-in ones. */
  readonly roles?: readonly RoleDefinitionSeed[];
  /** Access packages of entitlement management. */
  readonly accessPackages?: readonly AccessPackageSeed[];
  /** When assignment requests become delivering / delivered. */
  readonly entitlementTiming?: EntitlementTiming;
  /** Clouds to serve, each on its own port; default `['global']`. The first is the default cloud. */
  readonly clouds?: readonly CloudName[];
  /** Also serve Graph over plain HTTP; default true. */
  readonly http?: boolean;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Own TLS material instead of a generated test CA. */
  readonly tls?: TlsMaterial;
  /** More host names for the certificate. */
  readonly extraHostnames?: readonly string[];
  /** Lifetime of issued access tokens; default 3599 seconds. */
  readonly tokenLifetimeSeconds?: number;
  /** How federated issuers are reached. */
  readonly federation?: FederationOptions;
  /** `$batch` response order; default `scrambled` (not the request order). */
  readonly batchResponseOrder?: 'request' | 'scrambled';
  /** Seed for ratio-based fault injection; default 1. */
  readonly seed?: number;
  /** Clock; default `Date.now`. */
  readonly now?: () => number;
  /** Receives one entry per request; entries never contain credentials, tokens or bodies. */
  readonly log?: (entry: LogEntry) => void;
}

/** Endpoints of one cloud. */
export interface CloudEndpoints {
  /** `host:port` for msal-node's `knownAuthorities`. */
  readonly authorityHost: string;
  /** `https://127.0.0.1:<port>/<tenantId>` for msal-node's `authority`. */
  readonly authority: string;
  /** `https://127.0.0.1:<port>/v1.0`. */
  readonly graphUrl: string;
  /** `http://127.0.0.1:<port>/v1.0`, when plain HTTP is on. */
  readonly graphHttpUrl: string | undefined;
  /** The Graph resource tokens must be issued for, e.g. `https://graph.microsoft.us`. */
  readonly graphResource: string;
  /** `<graphResource>/.default`. */
  readonly scope: string;
  /** msal-node `auth.authorityMetadata` for {@link authority}: with it MSAL fetches no OpenID metadata. */
  readonly authorityMetadata: string;
  /** msal-node `auth.cloudDiscoveryMetadata` for {@link authority}: with it MSAL makes no instance discovery call. */
  readonly cloudDiscoveryMetadata: string;
  /** The cloud's real host names, reachable through {@link GraphEmulator.fetch} / `agent` / `networkClient`. */
  readonly loginHosts: readonly string[];
  readonly graphHosts: readonly string[];
}

/** A running emulator. */
export interface GraphEmulator extends CloudEndpoints {
  readonly tenantId: string;
  readonly domains: readonly string[];
  /** The test CA (PEM) that signed the listeners' certificate. */
  readonly caPem: string;
  /** Endpoints of every enabled cloud. */
  readonly clouds: Readonly<Partial<Record<CloudName, CloudEndpoints>>>;
  /** HTTPS agent trusting the CA and sending real cloud host names to the emulator. */
  readonly agent: Agent;
  /** `fetch` over {@link agent}. */
  readonly fetch: EmulatorFetch;
  /** An msal-node `system.networkClient` over {@link fetch}. */
  readonly networkClient: MsalNetworkModule;
  readonly state: EmulatorState;
  readonly faults: Faults;
  readonly calls: CallLog;
  readonly apps: {
    /** Replaces an app's permissions; tokens issued before keep their roles. */
    setPermissions(clientId: string, permissions: readonly string[]): void;
    /** Directory object id of an app's service principal. */
    servicePrincipalId(clientId: string): string;
  };
  close(): Promise<void>;
}

function randomDomain(): string {
  return `emu${randomBytes(4).toString('hex')}.onmicrosoft.com`;
}

/**
 * Starts an emulator.
 * @example
 * const graph = await startGraphEmulator({ apps: [{ clientId, secret, permissions: ['User.ReadWrite.All'] }] });
 * // msal-node: new ConfidentialClientApplication({ auth: { clientId, clientSecret: secret,
 * //   authority: graph.authority, knownAuthorities: [graph.authorityHost] },
 * //   system: { networkClient: graph.networkClient } })
 */
export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const now = options.now ?? Date.now;
  const tenantId = (options.tenantId ?? randomUUID()).toLowerCase();
  const domains = options.domains && options.domains.length > 0 ? options.domains.map((d) => d.toLowerCase()) : [randomDomain()];
  const log = options.log ?? (() => {});
  const tenant = new Tenant({
    tenantId,
    domains,
    skus: options.skus ?? [],
    roles: options.roles ?? [],
    accessPackages: options.accessPackages ?? [],
    entitlementTiming: options.entitlementTiming ?? {},
    now,
  });
  const apps = new Map<string, App>();
  for (const registration of options.apps ?? []) {
    const app = registerApp(registration);
    apps.set(app.clientId, app);
    tenant.directory.insert(
      'servicePrincipal',
      app.servicePrincipalId,
      Object.assign(Object.create(null), {
        accountEnabled: true,
        appDisplayName: app.displayName,
        appId: app.clientId,
        appOwnerOrganizationId: tenantId,
        displayName: app.displayName,
        servicePrincipalNames: [app.clientId],
        servicePrincipalType: 'Application',
        tags: [],
      }),
    );
  }
  const key = await createSigningKey();
  const calls = new CallLog();
  const faults = new Faults(tenant.replication, options.seed ?? 1);
  const graph = new GraphService({
    tenant,
    router: new Router(ROUTES),
    faults,
    calls,
    secret: randomBytes(32),
    now,
    log,
    batchOrder: options.batchResponseOrder ?? 'scrambled',
  });
  const identity = new IdentityService({
    tenantId,
    domains: tenant.domains,
    apps,
    key,
    replay: new ReplayGuard(),
    issuers: new IssuerKeys(options.federation ?? {}),
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    calls,
    log,
    now,
  });
  const host = options.host ?? '127.0.0.1';
  const tls =
    options.tls ?? (await testTls(['127.0.0.1', '::1', 'localhost', ...allCloudHosts(), ...(options.extraHostnames ?? [])]));
  const cloudNames = options.clouds && options.clouds.length > 0 ? [...new Set(options.clouds)] : (['global'] as CloudName[]);
  const listeners: Listener[] = [];
  const endpoints: Partial<Record<CloudName, CloudEndpoints>> = {};
  const hostMap = new Map<string, number>();
  try {
    for (const name of cloudNames) {
      const cloud = CLOUDS[name];
      const authenticate = (authorization: string | undefined, requestHost: string): Promise<Caller> => {
        const hostname = requestHost.replace(/:\d+$/, '').toLowerCase();
        const known = cloud.graphHosts.find((g) => g.host === hostname);
        const audiences = known ? [known.resource] : cloud.graphHosts.map((g) => g.resource);
        return verifyAccessToken(authorization, { key, tenantId, audiences, stsHost: cloud.stsHost, now: now() });
      };
      const deps = { cloud, graph, identity, authenticate };
      const https = await listenHttps(deps, tls, host);
      listeners.push(https);
      const plain = options.http === false ? undefined : await listenHttp({ ...deps, identity: undefined }, host);
      if (plain) listeners.push(plain);
      for (const h of [...cloud.loginHosts, ...cloud.graphHosts.map((g) => g.host)]) hostMap.set(h, https.port);
      const authorityHost = `${host}:${https.port}`;
      const resource = cloud.graphHosts[0]?.resource as string;
      endpoints[name] = {
        authorityHost,
        authority: `https://${authorityHost}/${tenantId}`,
        graphUrl: `https://${authorityHost}/v1.0`,
        graphHttpUrl: plain ? `http://${host}:${plain.port}/v1.0` : undefined,
        graphResource: resource,
        scope: `${resource}/.default`,
        authorityMetadata: JSON.stringify(openIdConfiguration(cloud, authorityHost, tenantId)),
        cloudDiscoveryMetadata: JSON.stringify(instanceDiscovery(authorityHost)),
        loginHosts: cloud.loginHosts,
        graphHosts: cloud.graphHosts.map((g) => g.host),
      };
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    throw error;
  }
  const agent = emulatorAgent(tls.caPem, hostMap);
  const fetch = emulatorFetch(agent);
  const primary = endpoints[cloudNames[0] as CloudName] as CloudEndpoints;
  return {
    ...primary,
    tenantId,
    domains,
    caPem: tls.caPem,
    clouds: endpoints,
    agent,
    fetch,
    networkClient: msalNetworkClient(fetch),
    state: new EmulatorState(tenant),
    faults,
    calls,
    apps: {
      setPermissions(clientId, permissions) {
        const app = apps.get(clientId.toLowerCase());
        if (!app) throw new Error(`no app ${clientId}`);
        checkPermissions(permissions);
        app.permissions = [...permissions];
      },
      servicePrincipalId(clientId) {
        const app = apps.get(clientId.toLowerCase());
        if (!app) throw new Error(`no app ${clientId}`);
        return app.servicePrincipalId;
      },
    },
    async close() {
      agent.destroy();
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
