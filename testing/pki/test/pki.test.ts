import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../src/index.js';

const pki = makeTestPki();
afterAll(() => pki.cleanup());

/** A TLS handshake against an HTTPS server that asks for a client certificate. */
async function handshake(opts: { ca?: string; cert?: string; key?: string; serverCert?: string; serverKey?: string }) {
  const server = createServer(
    {
      key: opts.serverKey ?? pki.serverKey,
      cert: opts.serverCert ?? pki.serverCert,
      ca: pki.caCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => res.end(String((req.socket as import('node:tls').TLSSocket).authorized)),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const socket = connect({ host: '127.0.0.1', port, ca: opts.ca, cert: opts.cert, key: opts.key, servername: undefined });
    const result = await new Promise<string>((resolve) => {
      socket.once('secureConnect', () => resolve('ok'));
      socket.on('error', (e) => resolve(e.message));
    });
    socket.destroy();
    return result;
  } finally {
    server.close();
  }
}

describe('makeTestPki', () => {
  it('gives a server certificate the CA vouches for, on 127.0.0.1', async () => {
    expect(await handshake({ ca: pki.caCert })).toBe('ok');
  });
  it('gives an untrusted certificate that fails against the CA', async () => {
    expect(await handshake({ ca: pki.caCert, serverCert: pki.otherCert, serverKey: pki.otherKey })).toMatch(
      /self.signed|unable to verify/i,
    );
  });
  it('gives PEM texts and files', () => {
    for (const pem of [pki.caCert, pki.serverCert, pki.clientCert, pki.otherCert])
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(pki.serverKey).toMatch(/PRIVATE KEY/);
    expect(pki.dir).toBeTruthy();
  });
});
