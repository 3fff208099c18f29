/**
 * @azure/msal-node 7.2.3's ConfidentialClientApplication against the emulator: the three
 * client credentials (secret, certificate, federated assertion), their failures, and the
 * national-cloud host names — with nothing leaving the machine (networkClient maps hosts).
 */
import { randomUUID } from 'node:crypto';
import { AzureCloudInstance, ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GraphEmulator, startGraphEmulator } from '../src/index.js';
import { type ClientCertificate, clientCertificate, pkcs8, startIssuer } from './pki.js';

let graph: GraphEmulator;
let issuer: Awaited<ReturnType<typeof startIssuer>>;
let cert: ClientCertificate;
let otherCert: ClientCertificate;
const secretApp = { clientId: randomUUID(), secret: `secret-${randomUUID()}` };
const certApp = { clientId: randomUUID() };
const fedApp = { clientId: randomUUID(), subject: 'system:serviceaccount:scim:gateway' };

beforeAll(async () => {
  [issuer, cert, otherCert] = await Promise.all([
    startIssuer(),
    clientCertificate('registered'),
    clientCertificate('not-registered'),
  ]);
  graph = await startGraphEmulator({
    clouds: ['global', 'usgov', 'china'],
    federation: { ca: issuer.caPem },
    apps: [
      { clientId: secretApp.clientId, secret: secretApp.secret, permissions: ['User.Read.All'] },
      { clientId: certApp.clientId, certificatePem: cert.certPem, permissions: ['User.Read.All'] },
      {
        clientId: fedApp.clientId,
        federated: { issuer: issuer.issuer, subject: fedApp.subject },
        permissions: ['User.Read.All'],
      },
    ],
  });
});

afterAll(async () => {
  await graph?.close();
  await issuer?.close();
});

function app(auth: Configuration['auth'], knownAuthority = true): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { authority: graph.authority, ...(knownAuthority ? { knownAuthorities: [graph.authorityHost] } : {}), ...auth },
    system: { networkClient: graph.networkClient },
  });
}

async function graphStatus(token: string, url = `${graph.graphUrl}/users`): Promise<number> {
  const response = await graph.fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

describe('client secret', () => {
  test('acquires a token Graph accepts, with the app permissions as roles', async () => {
    const result = await app({ clientId: secretApp.clientId, clientSecret: secretApp.secret }).acquireTokenByClientCredential({
      scopes: [graph.scope],
    });
    expect(result?.accessToken).toBeTruthy();
    const claims = JSON.parse(Buffer.from((result?.accessToken ?? '').split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      tid: graph.tenantId,
      appid: secretApp.clientId,
      roles: ['User.Read.All'],
      idtyp: 'app',
    });
    expect(await graphStatus(result?.accessToken ?? '')).toBe(200);
    expect(graph.calls.tokenRequests().at(-1)).toMatchObject({ clientId: secretApp.clientId, method: 'secret', status: 200 });
  });

  test('a wrong secret is AADSTS7000215 invalid_client', async () => {
    const failing = app({ clientId: secretApp.clientId, clientSecret: 'wrong-secret' }).acquireTokenByClientCredential({
      scopes: [graph.scope],
    });
    await expect(failing).rejects.toMatchObject({ errorCode: 'invalid_client' });
    await expect(failing).rejects.toThrow(/AADSTS7000215/);
  });

  test('an unknown client id is AADSTS700016', async () => {
    const failing = app({ clientId: randomUUID(), clientSecret: 'x' }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    await expect(failing).rejects.toThrow(/AADSTS700016/);
  });

  test('a scope without /.default is refused', async () => {
    const failing = app({ clientId: secretApp.clientId, clientSecret: secretApp.secret }).acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/User.Read.All'],
    });
    await expect(failing).rejects.toThrow(/AADSTS1002012/);
  });

  test('works without knownAuthorities: MSAL asks instance discovery, which the emulator answers', async () => {
    const result = await app(
      { clientId: secretApp.clientId, clientSecret: secretApp.secret },
      false,
    ).acquireTokenByClientCredential({
      scopes: [graph.scope],
    });
    expect(await graphStatus(result?.accessToken ?? '')).toBe(200);
  });
});

test('with authorityMetadata and cloudDiscoveryMetadata MSAL sends only the token request', async () => {
  const urls: string[] = [];
  const recording = {
    sendGetRequestAsync: <T>(url: string, options?: { headers?: Record<string, string>; body?: string }) => {
      urls.push(`GET ${url}`);
      return graph.networkClient.sendGetRequestAsync<T>(url, options);
    },
    sendPostRequestAsync: <T>(url: string, options?: { headers?: Record<string, string>; body?: string }) => {
      urls.push(`POST ${url.split('?')[0]}`);
      return graph.networkClient.sendPostRequestAsync<T>(url, options);
    },
  };
  const client = new ConfidentialClientApplication({
    auth: {
      clientId: secretApp.clientId,
      clientSecret: secretApp.secret,
      authority: graph.authority,
      authorityMetadata: graph.authorityMetadata,
      cloudDiscoveryMetadata: graph.cloudDiscoveryMetadata,
    },
    system: { networkClient: recording },
  });
  const result = await client.acquireTokenByClientCredential({ scopes: [graph.scope] });
  expect(await graphStatus(result?.accessToken ?? '')).toBe(200);
  expect(urls).toEqual([`POST ${graph.authority}/oauth2/v2.0/token`]);
});

describe('certificate', () => {
  test('SHA-256 thumbprint (PS256 assertion with x5t#S256)', async () => {
    const result = await app({
      clientId: certApp.clientId,
      clientCertificate: { thumbprintSha256: cert.sha256Hex, privateKey: pkcs8(cert.keyPem) },
    }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    expect(await graphStatus(result?.accessToken ?? '')).toBe(200);
    const claims = JSON.parse(Buffer.from((result?.accessToken ?? '').split('.')[1] ?? '', 'base64url').toString());
    expect(claims.appidacr).toBe('2');
  });

  test('SHA-1 thumbprint (RS256 assertion with x5t)', async () => {
    const result = await app({
      clientId: certApp.clientId,
      clientCertificate: { thumbprint: cert.sha1Hex, privateKey: pkcs8(cert.keyPem) },
    }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    expect(await graphStatus(result?.accessToken ?? '')).toBe(200);
  });

  test('a certificate that is not registered is AADSTS700027', async () => {
    const failing = app({
      clientId: certApp.clientId,
      clientCertificate: { thumbprintSha256: otherCert.sha256Hex, privateKey: pkcs8(otherCert.keyPem) },
    }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    await expect(failing).rejects.toThrow(/AADSTS700027/);
  });

  test("the registered thumbprint with another certificate's key fails signature validation", async () => {
    const failing = app({
      clientId: certApp.clientId,
      clientCertificate: { thumbprintSha256: cert.sha256Hex, privateKey: pkcs8(otherCert.keyPem) },
    }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    await expect(failing).rejects.toThrow(/AADSTS700027.*invalid signature/);
  });
});

describe('federated credential', () => {
  test('an assertion from the trusted issuer gets a token', async () => {
    const result = await app({
      clientId: fedApp.clientId,
      clientAssertion: () => issuer.sign({ sub: fedApp.subject }),
    }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    expect(await graphStatus(result?.accessToken ?? '')).toBe(200);
    expect(graph.calls.tokenRequests().at(-1)).toMatchObject({ method: 'federated', status: 200 });
  });

  test('an expired assertion is AADSTS700024', async () => {
    const old = Math.floor(Date.now() / 1000) - 7200;
    const failing = app({
      clientId: fedApp.clientId,
      clientAssertion: () => issuer.sign({ sub: fedApp.subject, iat: old, expiresIn: 600 }),
    }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    await expect(failing).rejects.toThrow(/AADSTS700024/);
  });

  test('a forged assertion (signed by another key under the same kid) fails signature validation', async () => {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const failing = app({
      clientId: fedApp.clientId,
      clientAssertion: () => issuer.sign({ sub: fedApp.subject }, privateKey),
    }).acquireTokenByClientCredential({ scopes: [graph.scope] });
    await expect(failing).rejects.toThrow(/AADSTS50013/);
  });

  test('another subject is AADSTS700213, another audience AADSTS700212', async () => {
    const wrongSubject = app({ clientId: fedApp.clientId, clientAssertion: () => issuer.sign({ sub: 'someone-else' }) });
    await expect(wrongSubject.acquireTokenByClientCredential({ scopes: [graph.scope] })).rejects.toThrow(/AADSTS700213/);
    const wrongAudience = app({
      clientId: fedApp.clientId,
      clientAssertion: () => issuer.sign({ sub: fedApp.subject, aud: 'api://other' }),
    });
    await expect(wrongAudience.acquireTokenByClientCredential({ scopes: [graph.scope] })).rejects.toThrow(/AADSTS700212/);
  });
});

describe('national clouds by their real host names', () => {
  test('US Gov: authority login.microsoftonline.us, Graph at graph.microsoft.us', async () => {
    const usgov = graph.clouds.usgov;
    expect(usgov?.scope).toBe('https://graph.microsoft.us/.default');
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: secretApp.clientId,
        clientSecret: secretApp.secret,
        authority: `https://login.microsoftonline.com/${graph.tenantId}`,
        // MSAL rewrites the host from the cloud instance: the request goes to login.microsoftonline.us.
        azureCloudOptions: { azureCloudInstance: AzureCloudInstance.AzureUsGovernment, tenant: graph.tenantId },
      },
      system: { networkClient: graph.networkClient },
    });
    const result = await client.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.us/.default'] });
    const token = result?.accessToken ?? '';
    expect(await graphStatus(token, 'https://graph.microsoft.us/v1.0/users')).toBe(200);
    // A US Gov token is not valid in the global cloud, nor for the DoD Graph host.
    expect(await graphStatus(token, 'https://graph.microsoft.com/v1.0/users')).toBe(401);
    expect(await graphStatus(token, 'https://dod-graph.microsoft.us/v1.0/users')).toBe(401);
  });

  test('China: authority login.chinacloudapi.cn, Graph at microsoftgraph.chinacloudapi.cn', async () => {
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: secretApp.clientId,
        clientSecret: secretApp.secret,
        authority: `https://login.chinacloudapi.cn/${graph.tenantId}`,
      },
      system: { networkClient: graph.networkClient },
    });
    const result = await client.acquireTokenByClientCredential({ scopes: ['https://microsoftgraph.chinacloudapi.cn/.default'] });
    expect(await graphStatus(result?.accessToken ?? '', 'https://microsoftgraph.chinacloudapi.cn/v1.0/users')).toBe(200);
    // The global Graph resource does not exist in the China cloud.
    const wrong = client.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'], skipCache: true });
    await expect(wrong).rejects.toThrow(/AADSTS500011/);
  });

  test('global by host name: login.microsoftonline.com and graph.microsoft.com', async () => {
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: secretApp.clientId,
        clientSecret: secretApp.secret,
        authority: `https://login.microsoftonline.com/${graph.domains[0]}`,
      },
      system: { networkClient: graph.networkClient },
    });
    const result = await client.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    expect(await graphStatus(result?.accessToken ?? '', 'https://graph.microsoft.com/v1.0/users')).toBe(200);
  });
});
