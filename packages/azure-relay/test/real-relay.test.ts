/**
 * Opt-in: the same listener against a real Azure Relay Hybrid Connection, when one is named in the
 * environment (never on the project's machines, which cannot reach Azure):
 *
 *   AZURE_RELAY_CONNECTION_URL=https://<namespace>.servicebus.windows.net/<hybrid-connection>
 *   AZURE_RELAY_KEY_RULE=<shared access policy with Listen and Send>  AZURE_RELAY_KEY=<its key>
 *
 * It runs the emulator suite's first cases: a request reaches the handler with the Hybrid
 * Connection path taken off and the relay URL as origin, a large body arrives whole, and a wrong key
 * is refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestOrigin } from '@scimgw/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHyco } from '../src/hyco.js';
import { type RelayListener, startRelayListener } from '../src/index.js';
import { recordingLogger, until, waitFor } from './helpers.js';

const url = process.env.AZURE_RELAY_CONNECTION_URL;
const keyRule = process.env.AZURE_RELAY_KEY_RULE ?? 'RootManageSharedAccessKey';
const key = process.env.AZURE_RELAY_KEY;

function echo(req: IncomingMessage, res: ServerResponse): void {
  let length = 0;
  req.on('data', (c: Buffer) => (length += c.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, origin: requestOrigin(req.headers, false, false), length }));
  });
}

describe.skipIf(!url || !key)('a real Azure Relay Hybrid Connection (AZURE_RELAY_CONNECTION_URL)', () => {
  let listener: RelayListener;
  const log = recordingLogger();
  const send = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { ServiceBusAuthorization: loadHyco().hyco.createRelayToken(url as string, keyRule, key as string) },
    });

  beforeAll(async () => {
    listener = startRelayListener({ config: { enabled: true, connectionUrl: url, keyRule, apiKey: key }, handler: echo, log });
    await waitFor(listener, 'listening');
  }, 60_000);
  afterAll(async () => {
    await listener?.close();
  });

  it('reaches the handler with the Hybrid Connection path taken off and the relay URL as origin', async () => {
    const r = await send('/Users?filter=x');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ method: 'GET', url: '/Users?filter=x', origin: url });
  });

  it('carries a large body whole', async () => {
    const r = await send('/Users', { method: 'POST', body: 'a'.repeat(200_000) });
    expect(((await r.json()) as { length: number }).length).toBe(200_000);
  });

  it('refuses a wrong key', async () => {
    const wrong = startRelayListener({
      config: { enabled: true, connectionUrl: url, keyRule, apiKey: Buffer.from('not-the-key').toString('base64') },
      handler: echo,
      log: recordingLogger(),
    });
    try {
      await until(() => wrong.status().lastError !== undefined);
      expect(wrong.status().state).not.toBe('listening');
    } finally {
      await wrong.close();
    }
  }, 60_000);
});
