/**
 * A gateway listening through Azure Relay: a SCIM client → the relay emulator
 * (@scimgw/testing-relay-emulator, written from Microsoft's Hybrid Connections protocol
 * documentation; not Azure) → hyco-https in the gateway → the same pipeline as its port.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RelayEmulator, startRelayEmulator, trustEmulatorCa } from '@scimgw/testing-relay-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCaller, startTestGateway, TEST_BASIC_AUTH, type TestCall, type TestGateway } from '../src/testing.js';
import { httpReplayHandle, IDP_REPLAYS, runReplay } from './idp-http-replay.js';

const KEY = 'Z2F0ZXdheS1yZWxheS1rZXk=';
let relay: RelayEmulator;
let untrust: () => void;
let gw: TestGateway;
let viaRelay: TestCall;

const relayConfig = (apiKey = KEY) => ({
  enabled: true,
  connectionUrl: `https://${relay.address}/scim`,
  keyRule: 'RootManageSharedAccessKey',
  apiKey,
});

/** The gateway's `/readyz` body (from its own port). */
async function readyz(t: TestGateway): Promise<{ status: string; azureRelay: Record<string, unknown> }> {
  return (await fetch(`${t.base}/readyz`)).json() as never;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

beforeAll(async () => {
  relay = await startRelayEmulator({
    connections: [{ path: 'scim', keys: [{ name: 'RootManageSharedAccessKey', key: KEY }], requiresClientAuthorization: false }],
  });
  untrust = trustEmulatorCa(relay);
  gw = await startTestGateway({
    scimgateway: { azureRelay: relayConfig() },
    endpoint: { persistence: false, exampleData: false },
  });
  await until(async () => (await readyz(gw)).azureRelay?.state === 'listening');
  viaRelay = httpCaller(relay.senderUrl('scim'));
});
afterAll(async () => {
  await gw?.stop();
  untrust?.();
  await relay?.close();
});

describe('every IdP replay through Azure Relay', () => {
  for (const [name, steps] of IDP_REPLAYS) {
    it(`${name}: answered through the relay as on the port`, async () => {
      // SailPoint's bursts: several requests at once over the relay's connections.
      await runReplay(httpReplayHandle(relay.senderUrl('scim')), steps);
    });
  }
});

describe('SCIM through Azure Relay', () => {
  it('creates, reads, patches, lists and deletes; locations name the relay URL', async () => {
    const created = await viaRelay('POST', '/Users', { userName: 'relayed.user', name: { givenName: 'R' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.meta.location).toBe(`https://${relay.address}/scim/Users/${id}`);
    expect((await gw.call('GET', `/Users/${id}`)).body.userName).toBe('relayed.user');
    const patched = await viaRelay('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'title', value: 'Relay' }] });
    expect(patched.body.title).toBe('Relay');
    const listed = await viaRelay('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "relayed.user"')}`);
    expect(listed.body.totalResults).toBe(1);
    expect((await viaRelay('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await gw.call('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('takes the same pipeline: authentication, unknown tenants, request ids and the log line', async () => {
    const noAuth = await viaRelay('GET', '/Users', undefined, { authorization: '' });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await viaRelay('GET', '/nosuchtenant/Users')).status).toBe(404);
    const r = await viaRelay('GET', '/ServiceProviderConfig', undefined, { 'x-request-id': 'via-relay-1' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('via-relay-1');
    expect(gw.logs()).toMatch(/"reqId":"via-relay-1"[^\n]*"path":"\/ServiceProviderConfig"/);
  });

  it('refuses a body over payloadSize with 413, as on the port', async () => {
    const r = await viaRelay('POST', '/Users', { userName: 'x', title: 'y'.repeat(1_100_000) });
    expect(r.status).toBe(413);
  });

  it('shows the relay in /readyz, and keeps the key encrypted in the file and out of the logs', async () => {
    const body = await readyz(gw);
    expect(body).toMatchObject({ status: 'ready', azureRelay: { state: 'listening', url: `https://${relay.address}/scim` } });
    const file = readFileSync(join(gw.dir, 'config', 'connector-loki.json'), 'utf8');
    expect(file).not.toContain(KEY);
    expect(JSON.parse(file).scimgateway.azureRelay.apiKey).toMatch(/^\S+$/);
    expect(gw.logs()).not.toContain(KEY);
    expect(gw.logs()).not.toContain(TEST_BASIC_AUTH.slice('Basic '.length));
  });

  it('recovers when the relay is dropped and restarted mid-run', async () => {
    const before = (await readyz(gw)).azureRelay.disconnects as number;
    const ok = await viaRelay('POST', '/Groups', { displayName: 'before the outage' });
    expect(ok.status).toBe(201);
    await relay.stop();
    await until(async () => (await readyz(gw)).azureRelay.state === 'reconnecting');
    // The port keeps serving while the relay is away.
    expect((await gw.call('GET', '/Groups')).status).toBe(200);
    await relay.restart();
    await until(async () => (await readyz(gw)).azureRelay.state === 'listening');
    const after = await viaRelay('GET', `/Groups/${ok.body.id}`);
    expect(after.status).toBe(200);
    expect(after.body.displayName).toBe('before the outage');
    expect((await readyz(gw)).azureRelay.disconnects).toBe(before + 1);
  });
});

describe('a wrong key', () => {
  it('is refused by the relay; the gateway still serves its port and says why in /readyz', async () => {
    const wrong = await startTestGateway({
      scimgateway: { azureRelay: relayConfig('d3Jvbmcta2V5') },
      endpoint: { persistence: false, exampleData: false },
    });
    try {
      await until(async () => (await readyz(wrong)).azureRelay?.lastError !== undefined);
      const body = await readyz(wrong);
      expect(body.azureRelay).toMatchObject({ state: 'connecting', connects: 0, lastError: expect.stringMatching(/401/) });
      expect((await wrong.call('GET', '/Users')).status).toBe(200);
      expect(wrong.logs()).toMatch(/azureRelay: cannot listen on .*401.*check keyRule, apiKey or token/);
      expect(wrong.logs()).not.toContain('d3Jvbmcta2V5');
    } finally {
      await wrong.stop();
    }
  });
});

describe('ipAllowList', () => {
  it('refuses relayed requests (the relay gives no client address) while the port still admits its clients', async () => {
    const listed = await startTestGateway({
      scimgateway: { azureRelay: relayConfig(), ipAllowList: ['127.0.0.1/32', '::1/128'] },
      endpoint: { persistence: false, exampleData: false },
    });
    try {
      await until(async () => (await readyz(listed)).azureRelay?.state === 'listening');
      expect((await listed.call('GET', '/Users')).status).toBe(200);
      // Two listeners on one Hybrid Connection: ask until this one answers (the relay picks at random).
      let status = 0;
      while (status !== 403) {
        const r = await viaRelay('GET', '/Users');
        expect([200, 403]).toContain(r.status);
        status = r.status;
      }
    } finally {
      await listed.stop();
    }
  });
});
