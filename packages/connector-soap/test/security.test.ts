/**
 * Transport and message security against the example server: HTTP Basic, WS-Security
 * UsernameToken (text and digest, checked by the server), X.509 signatures (verified by the server
 * with xml-crypto), TLS with a custom CA, client certificates, and a forward proxy with credentials.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createScimHandler } from '@scimgw/core/handler';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_WSDL } from '../examples/server.mjs';
import { makePki, type Pki, startProxy, type TestProxy } from '../../helper-rest/test/helpers.js';
import { connectorFor, type ExampleServer, exampleEndpoint, merge, startExampleServer } from './helpers.js';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});

/** Lists users through a connector for `endpoint` and returns the SCIM status. */
async function listStatus(endpoint: Record<string, unknown>, certsDir?: string): Promise<{ status: number; detail?: string }> {
  const { connector } = await connectorFor(endpoint, certsDir);
  try {
    const res = await createScimHandler({ connector }).handle({ method: 'GET', url: '/Users' });
    return { status: res.status, detail: (res.body as { detail?: string }).detail };
  } finally {
    await connector.close?.();
  }
}

/** The example endpoint with its WSDL from the file (so it is not fetched through the connection under test). */
const endpointFor = (origin: string, patch: Record<string, unknown> = {}) =>
  merge(exampleEndpoint('document', origin), merge({ services: { directory: { wsdl: 'wsdl/directory-document.wsdl' } } }, patch));

describe('HTTP Basic and WS-Security UsernameToken', () => {
  let server: ExampleServer;
  /** Another origin a WSDL imports a schema from; it records the Authorization headers it sees. */
  let other: Server;
  const otherAuth: (string | undefined)[] = [];
  beforeAll(async () => {
    other = createServer((req, res) => {
      otherAuth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:extra"><xsd:element name="extra" type="xsd:string"/></xsd:schema>',
      );
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const importing = readFileSync(DOCUMENT_WSDL, 'utf8').replace(
      '<xsd:complexType name="PersonName">',
      `<xsd:import namespace="urn:extra" schemaLocation="http://127.0.0.1:${(other.address() as AddressInfo).port}/extra.xsd"/><xsd:complexType name="PersonName">`,
    );
    server = await startExampleServer({
      port: 0,
      basicAuth: { username: 'http-user', password: 'http-Secret-1' },
      usernameToken: { username: 'ws-user', password: 'ws-Secret&<"2>' },
      onRequest: (req, res) => {
        if (req.path !== '/soap/importing') return false;
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(importing);
        return true;
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((r) => other?.close(r));
  });

  const connection = { auth: { type: 'basic', options: { username: 'http-user', password: 'http-Secret-1' } } };

  it.each(['PasswordText', 'PasswordDigest'])('a %s UsernameToken and Basic credentials are accepted', async (passwordType) => {
    const r = await listStatus(
      endpointFor(server.origin, {
        entity: { undefined: { connection } },
        wsSecurity: { usernameToken: { username: 'ws-user', password: 'ws-Secret&<"2>', passwordType } },
      }),
    );
    expect(r.status).toBe(200);
  });

  it('the seed shorthand (endpoint.username/password) is a PasswordText UsernameToken', async () => {
    const r = await listStatus(
      endpointFor(server.origin, { entity: { undefined: { connection } }, username: 'ws-user', password: 'ws-Secret&<"2>' }),
    );
    expect(r.status).toBe(200);
  });

  it.each(['PasswordText', 'PasswordDigest'])('a wrong %s password → 502 naming the service', async (passwordType) => {
    const r = await listStatus(
      endpointFor(server.origin, {
        entity: { undefined: { connection } },
        wsSecurity: { usernameToken: { username: 'ws-user', password: 'wrong', passwordType } },
      }),
    );
    expect(r.status).toBe(502);
    expect(r.detail).toBe(
      'SOAP service "directory" (searchUsers) rejected the gateway\'s credentials: Invalid username or password',
    );
  });

  it('missing Basic credentials → 502', async () => {
    const r = await listStatus(
      endpointFor(server.origin, { wsSecurity: { usernameToken: { username: 'ws-user', password: 'ws-Secret&<"2>' } } }),
    );
    expect(r.status).toBe(502);
    expect(r.detail).toMatch(/rejected the gateway's credentials: HTTP 401/);
  });

  it('sends credentials for a fetched WSDL to its own origin, never to the hosts it imports from', async () => {
    const r = await listStatus(
      merge(exampleEndpoint('document', server.origin), {
        services: { directory: { wsdl: `${server.origin}/soap/importing?wsdl` } },
        entity: { undefined: { connection } },
        wsSecurity: { usernameToken: { username: 'ws-user', password: 'ws-Secret&<"2>' } },
      }),
    );
    expect(r.status).toBe(200);
    expect(otherAuth).toEqual([undefined]);
  });

  it('a tenant’s own wsSecurity wins over the endpoint’s', async () => {
    const r = await listStatus(
      endpointFor(server.origin, {
        wsSecurity: { usernameToken: { username: 'ws-user', password: 'wrong' } },
        entity: { undefined: { connection, wsSecurity: { usernameToken: { username: 'ws-user', password: 'ws-Secret&<"2>' } } } },
      }),
    );
    expect(r.status).toBe(200);
  });
});

describe('WS-Security X.509 signatures', () => {
  let server: ExampleServer;
  const verdicts: { valid: boolean; bodySigned: boolean; withToken: boolean }[] = [];
  let lastBody = '';

  /** Verifies the request's signature with the trusted client certificate, as a service would. */
  function verify(xml: string, trusted: string): { valid: boolean; bodySigned: boolean; withToken: boolean } {
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const signature = doc.getElementsByTagNameNS(DSIG, 'Signature')[0];
    if (!signature) return { valid: false, bodySigned: false, withToken: false };
    const sig = new SignedXml({ publicCert: trusted, idMode: 'wssecurity' });
    sig.loadSignature(signature as unknown as Node);
    let valid = false;
    try {
      valid = sig.checkSignature(xml);
    } catch {
      valid = false;
    }
    const body = doc.getElementsByTagNameNS('http://schemas.xmlsoap.org/soap/envelope/', 'Body')[0];
    // soap marks the Body with an `Id` (wsu:Id in some versions); the reference must point at it.
    const bodyId = body?.getAttributeNS(WSU, 'Id') || body?.getAttribute('Id');
    const refs = sig.getReferences().map((r) => r.uri);
    return { valid, bodySigned: !!bodyId && refs.includes(`#${bodyId}`), withToken: xml.includes('<wsse:UsernameToken') };
  }

  beforeAll(async () => {
    server = await startExampleServer({
      port: 0,
      onRequest: (req, res) => {
        if (!req.body.includes('Envelope')) return false;
        lastBody = req.body;
        const v = verify(req.body, pki.clientCert);
        verdicts.push(v);
        if (v.valid && v.bodySigned) return false;
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end(
          '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>wsse:FailedCheck</faultcode><faultstring>The signature or decryption was invalid</faultstring></soap:Fault></soap:Body></soap:Envelope>',
        );
        return true;
      },
    });
  });
  afterAll(() => server?.close());

  it('signs the Body with the configured key; the service verifies it against the certificate', async () => {
    verdicts.length = 0;
    const r = await listStatus(
      endpointFor(server.origin, { wsSecurity: { x509: { key: 'client.key', cert: 'client.pem' } } }),
      pki.dir,
    );
    expect(r.status).toBe(200);
    expect(verdicts).toEqual([{ valid: true, bodySigned: true, withToken: false }]);
    // The signature covers the Body: one changed element and it no longer verifies.
    expect(lastBody).toMatch(/<count>\d+<\/count>/);
    expect(verify(lastBody.replace(/<count>(\d+)<\/count>/, '<count>9$1</count>'), pki.clientCert).valid).toBe(false);
  });

  it('signs together with a UsernameToken', async () => {
    verdicts.length = 0;
    const r = await listStatus(
      endpointFor(server.origin, {
        wsSecurity: {
          x509: { key: join(pki.dir, 'client.key'), cert: join(pki.dir, 'client.pem') },
          usernameToken: { username: 'u', password: 'p-secret' },
        },
      }),
    );
    expect(r.status).toBe(200);
    expect(verdicts).toEqual([{ valid: true, bodySigned: true, withToken: true }]);
  });

  it('a signature by another key fails the check → 502 (credentials)', async () => {
    verdicts.length = 0;
    const r = await listStatus(endpointFor(server.origin, { wsSecurity: { x509: { key: pki.otherKey, cert: pki.otherCert } } }));
    expect(r.status).toBe(502);
    expect(r.detail).toMatch(/rejected the gateway's credentials: The signature or decryption was invalid/);
    expect(verdicts[0]?.valid).toBe(false);
  });
});

describe('TLS: custom CA, client certificates, and a proxy', () => {
  let server: ExampleServer;
  let proxy: TestProxy;
  beforeAll(async () => {
    server = await startExampleServer({
      port: 0,
      tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true },
    });
    proxy = await startProxy('proxy-user', 'proxy-Secret-3');
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
  });

  const tls = { ca: 'ca.pem', cert: 'client.pem', key: 'client.key' };

  it('trusts the service through the configured CA and presents the client certificate', async () => {
    const r = await listStatus(
      endpointFor(server.origin, { entity: { undefined: { connection: { options: { tls } } } } }),
      pki.dir,
    );
    expect(r.status).toBe(200);
  });

  it('without the CA the service is not trusted; without a client certificate it refuses us', async () => {
    const untrusted = await listStatus(
      endpointFor(server.origin, {
        entity: { undefined: { connection: { options: { tls: { cert: 'client.pem', key: 'client.key' } } } } },
      }),
      pki.dir,
    );
    expect(untrusted.status).toBe(503);
    expect(untrusted.detail).toMatch(/failed TLS verification/);
    const anonymous = await listStatus(
      endpointFor(server.origin, {
        entity: { undefined: { connection: { options: { tls: { ca: 'ca.pem' } }, retry: { attempts: 1 } } } },
      }),
      pki.dir,
    );
    expect(anonymous.status).toBe(503);
  });

  it('goes through a forward proxy with credentials', async () => {
    const before = proxy.forwarded.length;
    const r = await listStatus(
      endpointFor(server.origin, {
        entity: {
          undefined: {
            connection: { options: { tls }, proxy: { host: proxy.url, username: 'proxy-user', password: 'proxy-Secret-3' } },
          },
        },
      }),
      pki.dir,
    );
    expect(r.status).toBe(200);
    expect(proxy.forwarded.length).toBeGreaterThan(before);
    const refused = await listStatus(
      endpointFor(server.origin, {
        entity: {
          undefined: { connection: { options: { tls }, proxy: { host: proxy.url, username: 'proxy-user', password: 'wrong' } } },
        },
      }),
      pki.dir,
    );
    expect(refused.status).toBe(503);
    expect(refused.detail).toMatch(/proxy authentication failed/);
  });
});
