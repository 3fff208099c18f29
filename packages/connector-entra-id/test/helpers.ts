/**
 * Test plumbing: a Microsoft Graph emulator with an app registration, a `fetch` that reaches it
 * under the real cloud host names, and connector configurations as a user would write them.
 */
import { randomUUID } from 'node:crypto';
import type { Connector } from '@scimgw/core';
import { testContext } from '@scimgw/core/testkit';
import { type GraphEmulator, type GraphEmulatorOptions, startGraphEmulator } from '@scimgw/testing-graph-emulator';
import { createEntraIdConnector, type EntraIdConfigInput } from '../src/index.js';

/** Every permission the connector's operations need (least privileged ones). */
export const ALL_PERMISSIONS = [
  'User.ReadWrite.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'RoleManagement.ReadWrite.Directory',
  'RoleEligibilitySchedule.ReadWrite.Directory',
  'EntitlementManagement.ReadWrite.All',
  'LicenseAssignment.Read.All',
];

/** An app registration with a client secret. */
export interface SecretApp {
  clientId: string;
  secret: string;
}

/** Starts an emulator with a secret app holding {@link ALL_PERMISSIONS}. */
export async function startGraph(
  options: GraphEmulatorOptions = {},
  permissions: string[] = ALL_PERMISSIONS,
): Promise<{ graph: GraphEmulator; app: SecretApp }> {
  const app = { clientId: randomUUID(), secret: `S3cr3t~${randomUUID()}` };
  const graph = await startGraphEmulator({
    domains: ['contoso.onmicrosoft.com', 'contoso.com', 'example.com'],
    ...options,
    apps: [{ clientId: app.clientId, secret: app.secret, permissions }, ...(options.apps ?? [])],
  });
  return { graph, app };
}

/**
 * A WHATWG `fetch` for the connector's helper-rest transport: the emulator's client (which trusts
 * its CA and maps login.microsoftonline.com, graph.microsoft.com … to it) with `Headers` and
 * form bodies flattened to what that client takes.
 */
export function emulatorFetch(graph: GraphEmulator): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    return graph.fetch(url, { method: init.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  }) as typeof fetch;
}

/** The endpoint section for a client-secret app (global cloud, real host names). */
export function secretConfig(graph: GraphEmulator, app: SecretApp, extra: Partial<EntraIdConfigInput> = {}): EntraIdConfigInput {
  return {
    entity: {
      undefined: {
        connection: {
          auth: { type: 'oauth', options: { azureTenantId: graph.tenantId, clientId: app.clientId, clientSecret: app.secret } },
        },
        userPrincipalNameDomain: 'contoso.onmicrosoft.com',
      },
    },
    retry: { baseDelayMs: 5, deadlineMs: 20_000 },
    replication: { delayMs: 10, windowMs: 20_000 },
    ...extra,
  };
}

/** A connector on the emulator, with the test context whose logs a test can grep. */
export function connectorFor(
  graph: GraphEmulator,
  config: EntraIdConfigInput,
  random?: () => number,
): { connector: Connector; ctx: ReturnType<typeof testContext> } {
  const ctx = testContext(config);
  const connector = createEntraIdConnector({
    config,
    logger: ctx.log,
    registry: ctx.registry,
    fetch: emulatorFetch(graph),
    ...(random ? { random } : {}),
  });
  return { connector, ctx };
}
