/**
 * End to end through a real gateway (`@scimgw/testing-kit`): IdP traffic over HTTP into the
 * Graph emulator, with a federated credential whose issuer documents the gateway itself serves
 * without authentication from the connector's public routes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { type GraphEmulator, startGraphEmulator } from '@scimgw/testing-graph-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idpTraffic, type ReplayStep as Step, runReplay } from '@scimgw/core/testkit';
import { createEntraIdConnector, type EntraIdConfigInput } from '../src/index.js';
import { ALL_PERMISSIONS, emulatorFetch } from './helpers.js';

let graph: GraphEmulator;
let gateway: TestGateway;
let front: Server;
let issuer: string;
const fedApp = { clientId: randomUUID(), subject: 'scimgw-e2e' };

beforeAll(async () => {
  // The issuer URL goes into the configuration before the gateway has a port: a forwarder on a
  // known port stands for the gateway's public address.
  let target = '';
  front = createServer((req, res) => {
    fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET' })
      .then(async (r) =>
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' }).end(await r.text()),
      )
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(front.address() as AddressInfo).port}/fed`;
  graph = await startGraphEmulator({
    domains: ['contoso.onmicrosoft.com', 'contoso.com'],
    federation: { allowHttpIssuers: true, cacheSeconds: 0 },
    apps: [{ clientId: fedApp.clientId, federated: { issuer, subject: fedApp.subject }, permissions: ALL_PERMISSIONS }],
  });
  const endpoint: EntraIdConfigInput = {
    entity: {
      undefined: {
        userPrincipalNameDomain: 'contoso.onmicrosoft.com',
        connection: {
          auth: {
            type: 'oauthJwtBearer',
            options: { azureTenantId: graph.tenantId, clientId: fedApp.clientId, fedCred: { issuer, subject: fedApp.subject } },
          },
        },
      },
    },
  };
  gateway = await startTestGateway({
    name: 'connector-entra-id',
    endpoint: endpoint as unknown as Record<string, unknown>,
    // The package's own factory, with the emulator's transport instead of the internet.
    connector: (cfg) =>
      createEntraIdConnector({ config: cfg.endpoint as EntraIdConfigInput, certsDir: cfg.certsDir, fetch: emulatorFetch(graph) }),
  });
  target = gateway.base;
});

afterAll(async () => {
  await gateway?.stop();
  await graph?.close();
  await new Promise<void>((resolve) => front?.close(() => resolve()));
});

describe('through a real gateway', () => {
  it('serves the issuer documents without authentication', async () => {
    const oidc = await fetch(`${gateway.base}/fed/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(((await oidc.json()) as { issuer: string }).issuer).toBe(issuer);
    const jwks = (await (await fetch(`${gateway.base}/fed/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect((await fetch(`${gateway.base}/Users`)).status).toBe(401);
  });

  it('replays Entra ID provisioning into Graph with a federated credential', async () => {
    const steps: Step[] = idpTraffic.entraNoFlag.map((s) =>
      s.name === 'null clears an attribute' ? { ...s, status: 400, check: undefined } : s,
    );
    const vars = await runReplay((req) => gateway.call(req.method, req.url, req.body, req.headers), steps);
    expect(graph.calls.tokenRequests().map((t) => t.method)).toContain('federated');
    expect(graph.state.members(vars.group as string)).toEqual([vars.user2]);
    expect(gateway.logs()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
