import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listen, loadTls, readBody, sendJson, type GatewayConfig } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('listen', () => {
  it('lets an in-flight request finish on graceful close, then refuses new ones', async () => {
    let release: () => void = () => {};
    const srv = await listen(
      (req, res) => {
        if (req.url === '/slow') {
          release = () => sendJson(res, 200, { 'content-type': 'application/json' }, { done: true });
        } else sendJson(res, 200, {}, 'fast');
      },
      { port: 0, localhostOnly: true },
    );
    const slow = fetch(`http://127.0.0.1:${srv.port}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.inFlight()).toBe(1);
    const closing = srv.close(5000);
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await slow).toEqual({ done: true });
    await closing;
    await expect(fetch(`http://127.0.0.1:${srv.port}/x`)).rejects.toThrow();
  });

  it('sendJson declares the byte length of a body with non-ASCII text, and sends it intact', async () => {
    const body = { displayName: 'Zoë 😀 Ærø', n: 1 };
    const srv = await listen((_req, res) => sendJson(res, 200, { 'content-type': 'application/scim+json' }, body), {
      port: 0,
      localhostOnly: true,
    });
    const r = await fetch(`http://127.0.0.1:${srv.port}/`);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(Number(r.headers.get('content-length'))).toBe(bytes.length);
    expect(bytes.length).toBe(Buffer.byteLength(JSON.stringify(body)));
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(body);
    await srv.close();
  });

  it('rejects a body over the limit with 413', async () => {
    const srv = await listen(
      (req, res) => {
        readBody(req, 10).then(
          (t) => sendJson(res, 200, {}, t),
          (e: { status: number }) => sendJson(res, e.status, {}, 'too big'),
        );
      },
      { port: 0, localhostOnly: true },
    );
    const big = await fetch(`http://127.0.0.1:${srv.port}/`, { method: 'POST', body: 'x'.repeat(100) });
    expect(big.status).toBe(413);
    const ok = await fetch(`http://127.0.0.1:${srv.port}/`, { method: 'POST', body: 'small' });
    expect(await ok.text()).toBe('small');
    await srv.close();
  });

  it('serves HTTPS with PEM key/cert/CA from the certs directory', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-nodes',
        '-newkey',
        'rsa:2048',
        '-sha256',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const g = { certificate: { key: 'key.pem', cert: 'cert.pem', ca: ['cert.pem'] } } as unknown as GatewayConfig;
    const tls = loadTls(g, dir);
    expect(tls?.ca?.length).toBe(1);
    const srv = await listen((_req, res) => sendJson(res, 200, {}, 'secure'), { port: 0, localhostOnly: true, tls });
    expect(srv.url.startsWith('https://')).toBe(true);
    const text = await new Promise<string>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port: srv.port, ca: tls?.cert, servername: 'localhost' }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      })
        .on('error', reject)
        .end();
    });
    expect(text).toBe('secure');
    await srv.close();
    expect(() => loadTls({ certificate: { key: 'missing.pem', cert: 'cert.pem' } } as unknown as GatewayConfig, dir)).toThrow(
      /scimgateway\.certificate\.key: cannot read/,
    );
    expect(loadTls({ certificate: { key: null, cert: null } } as unknown as GatewayConfig, dir)).toBeUndefined();
  });

  it('serves HTTPS from a PFX bundle with a password', async () => {
    execFileSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-inkey',
        join(dir, 'key.pem'),
        '-in',
        join(dir, 'cert.pem'),
        '-out',
        join(dir, 'bundle.pfx'),
        '-passout',
        'pass:pfx-secret',
      ],
      { stdio: 'ignore' },
    );
    const tls = loadTls({ pfx: { bundle: 'bundle.pfx', password: 'pfx-secret' } } as unknown as GatewayConfig, dir);
    expect(tls?.pfx?.length).toBeGreaterThan(0);
    const srv = await listen((_req, res) => sendJson(res, 200, {}, 'pfx'), { port: 0, localhostOnly: true, tls });
    const text = await new Promise<string>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port: srv.port, rejectUnauthorized: false }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      })
        .on('error', reject)
        .end();
    });
    expect(text).toBe('pfx');
    await srv.close();
  });

  it('refuses TLS material OpenSSL would refuse at listen, naming the config path, not the port (runs after the two above)', () => {
    execFileSync(
      'openssl',
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'other.key')],
      {
        stdio: 'ignore',
      },
    );
    writeFileSync(join(dir, 'not-pem.key'), 'this is not a key\n');
    const load = (g: unknown) => () => loadTls(g as GatewayConfig, dir);
    expect(load({ certificate: { key: 'other.key', cert: 'cert.pem' } })).toThrow(
      /scimgateway\.certificate: the key does not belong to the certificate/,
    );
    expect(load({ certificate: { key: 'not-pem.key', cert: 'cert.pem' } })).toThrow(
      /scimgateway\.certificate: a file is not a PEM/,
    );
    const wrong = load({ pfx: { bundle: 'bundle.pfx', password: 'not-the-password' } });
    expect(wrong).toThrow(/scimgateway\.pfx: the password does not open it/);
    expect(wrong).not.toThrow(/not-the-password/);
    // The control: the matching pair still loads.
    expect(load({ certificate: { key: 'key.pem', cert: 'cert.pem' } })()).toMatchObject({ key: expect.any(Buffer) });
  });
});
