/**
 * Federated credentials: the gateway itself serves the OpenID configuration and JWKS that the
 * identity provider reads, without authentication, from the connector's `publicRoutes`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway('connector-generic', {
    entity: {
      undefined: {
        connection: {
          baseUrls: ['http://127.0.0.1:9/scim'],
          auth: {
            type: 'oauthJwtBearer',
            options: {
              tokenUrl: 'http://127.0.0.1:9/token',
              fedCred: { issuer: 'https://gateway.example.com/fed', subject: 'app-object-id' },
            },
          },
        },
      },
    },
  });
});
afterAll(() => gw.stop());

describe('federated credential documents', () => {
  it('are served without authentication at the issuer paths', async () => {
    const jwks = await fetch(`${gw.base}/fed/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    const body = (await jwks.json()) as { keys: { kty: string; kid?: string; d?: unknown }[] };
    expect(body.keys.length).toBeGreaterThan(0);
    expect(body.keys[0]?.kty).toBe('RSA');
    expect(body.keys.some((k) => 'd' in k)).toBe(false); // never a private key
    const oidc = await fetch(`${gw.base}/fed/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(((await oidc.json()) as { jwks_uri: string }).jwks_uri).toBe('https://gateway.example.com/fed/.well-known/jwks.json');
  });

  it('do not open anything else without authentication', async () => {
    expect((await fetch(`${gw.base}/Users`)).status).toBe(401);
    expect((await fetch(`${gw.base}/fed/.well-known/other`)).status).toBe(404);
  });
});
