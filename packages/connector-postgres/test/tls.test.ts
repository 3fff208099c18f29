/**
 * TLS to PostgreSQL: the local server runs without TLS, so a proxy in front of it speaks the
 * PostgreSQL SSLRequest handshake (answers `S`, then TLS with a certificate from a throwaway CA)
 * and forwards the decrypted stream. It refuses clients that do not ask for TLS.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { makeTestPki, type TestPki } from '@scimgw/testing-pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestSchema, PG, type TestSchema } from './helpers/database.js';

const SSL_REQUEST = 80877103;
let pki: TestPki;
let dir: string;
let server: Server;
let port: number;
let tlsSessions = 0;
let db: TestSchema;

beforeAll(async () => {
  pki = makeTestPki();
  dir = pki.dir;
  const { serverKey: key, serverCert: cert } = pki;
  server = createServer((client: Socket) => {
    client.on('error', () => client.destroy());
    client.once('data', (first) => {
      if (first.length !== 8 || first.readInt32BE(4) !== SSL_REQUEST) {
        client.destroy(); // TLS only
        return;
      }
      client.write('S');
      const secure = new TLSSocket(client, { isServer: true, key, cert });
      secure.on('secure', () => tlsSessions++);
      const upstream = connect(PG.port, PG.host);
      const end = () => {
        secure.destroy();
        upstream.destroy();
      };
      secure.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      secure.pipe(upstream);
      upstream.pipe(secure);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  db = await createTestSchema('tls');
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await db.drop();
  pki.cleanup();
});

const connection = (tls: Record<string, unknown> | undefined) => ({
  ...db.connection,
  host: '127.0.0.1',
  port,
  ...(tls ? { tls } : {}),
});
const ctx = (tls: Record<string, unknown> | undefined) =>
  testContext(
    { connection: connection(tls), createTables: true, retry: { attempts: 1 }, pool: { connectionTimeoutMs: 3000 } },
    { baseDir: dir },
  );

describe('TLS to PostgreSQL', () => {
  it('verifies the server against the configured CA (a file relative to the base directory) and works over TLS', async () => {
    const before = tlsSessions;
    const connector = await createConnector(ctx({ ca: 'ca.pem', servername: 'localhost' }));
    try {
      const h = createScimHandler({ connector });
      const u = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'over.tls' }) });
      expect(u.status).toBe(201);
      const got = await h.handle({ method: 'GET', url: `/Users/${(u.body as { id: string }).id}` });
      expect((got.body as { userName: string }).userName).toBe('over.tls');
      expect(tlsSessions).toBeGreaterThan(before);
    } finally {
      await connector.close?.();
    }
  });

  it('refuses a server whose certificate another CA signed', async () => {
    await expect(createConnector(ctx({ ca: 'other.pem' }))).rejects.toThrow();
  });

  it('with rejectUnauthorized false connects without verifying (for test set-ups only)', async () => {
    const connector = await createConnector(ctx({ rejectUnauthorized: false }));
    await connector.close?.();
  });

  it('without TLS the TLS-only server is not reached', async () => {
    await expect(createConnector(ctx(undefined))).rejects.toThrow();
  });
});
