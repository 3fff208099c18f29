import { X509Certificate } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ASSERTION_TYPE_JWT,
  certificateThumbprints,
  createHelperRest,
  encodeSamlAssertion,
  GRANT_TYPE_JWT_BEARER,
  GRANT_TYPE_SAML2_BEARER,
  type HelperRest,
  type OpenIdConfiguration,
  RestConfigError,
} from '../src/index.js';
import { json, makePki, type Pki, startServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const helpers: HelperRest[] = [];
let pki: Pki;
let api: TestServer;

beforeAll(async () => {
  pki = makePki();
  api = await startServer((req, res) => json(res, 200, { authorization: req.headers.authorization ?? null }));
  servers.push(api);
});
afterAll(async () => {
  await Promise.all(helpers.map((h) => h.close()));
  await Promise.all(servers.map((s) => s.close()));
});

function hexToB64url(fp: string): string {
  return Buffer.from(fp.replace(/:/g, ''), 'hex').toString('base64url');
}

describe('certificate thumbprints', () => {
  it('match the certificate fingerprints computed by node:crypto', () => {
    const x = new X509Certificate(pki.clientCert);
    const t = certificateThumbprints(pki.clientCert);
    expect(t.x5t).toBe(hexToB64url(x.fingerprint));
    expect(t['x5t#S256']).toBe(hexToB64url(x.fingerprint256));
  });
});

describe('oauthJwtBearer with a certificate (Entra client assertion)', () => {
  let idp: TestServer;
  const seen: { header: Record<string, unknown>; payload: Record<string, unknown>; form: URLSearchParams; url: string }[] = [];
  beforeAll(async () => {
    const publicKey = await importX509(pki.clientCert, 'RS256');
    idp = await startServer(async (req, res, body) => {
      const form = new URLSearchParams(body);
      const assertion = form.get('client_assertion') ?? form.get('assertion') ?? '';
      try {
        const { payload } = await jwtVerify(assertion, publicKey, { algorithms: ['RS256'] });
        seen.push({ header: decodeProtectedHeader(assertion) as Record<string, unknown>, payload, form, url: req.url ?? '' });
        json(res, 200, { access_token: `cert-token-${seen.length}`, token_type: 'Bearer', expires_in: 3600 });
      } catch (e) {
        json(res, 401, { error: 'invalid_client', error_description: String(e) });
      }
    });
    servers.push(idp);
  });

  it('signs an RS256 assertion with x5t headers and the Entra claims', async () => {
    const h = createHelperRest({
      certsDir: pki.dir,
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [api.url],
              auth: {
                type: 'oauthJwtBearer',
                options: {
                  azureTenantId: 'tenant-1',
                  authorityHost: idp.url,
                  clientId: 'app-id',
                  tls: { key: 'client.key', cert: 'client.pem' },
                },
              },
            },
          },
        },
      },
    });
    helpers.push(h);
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/users');
    expect(r.body.authorization).toBe('Bearer cert-token-1');
    const s = seen.at(-1)!;
    expect(s.url).toBe('/tenant-1/oauth2/v2.0/token');
    expect(s.form.get('grant_type')).toBe('client_credentials');
    expect(s.form.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE_JWT);
    expect(s.form.get('client_id')).toBe('app-id');
    expect(s.form.get('scope')).toBe(`${new URL(api.url).origin}/.default`);
    expect(s.header.alg).toBe('RS256');
    expect(s.header['x5t#S256']).toBe(hexToB64url(new X509Certificate(pki.clientCert).fingerprint256));
    expect(s.header.x5t).toBe(hexToB64url(new X509Certificate(pki.clientCert).fingerprint));
    expect(s.payload.iss).toBe('app-id');
    expect(s.payload.sub).toBe('app-id');
    expect(s.payload.aud).toBe(`${idp.url}/tenant-1/oauth2/v2.0/token`);
    expect(typeof s.payload.jti).toBe('string');
    expect((s.payload.exp as number) - (s.payload.iat as number)).toBeLessThanOrEqual(600);
  });

  it('seed alias: type "oauth" with azureTenantId and a certificate uses the assertion flow', async () => {
    const h = createHelperRest({
      certsDir: pki.dir,
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [api.url],
              auth: {
                type: 'oauth',
                options: {
                  azureTenantId: 't2',
                  authorityHost: idp.url,
                  clientId: 'app-2',
                  tls: { key: 'client.key', cert: 'client.pem' },
                },
              } as never,
            },
          },
        },
      },
    });
    helpers.push(h);
    await h.doRequest(undefined, 'GET', '/users');
    expect(seen.at(-1)!.form.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE_JWT);
  });

  it('JWT authorization grant with jwtPayload', async () => {
    const h = createHelperRest({
      certsDir: pki.dir,
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [api.url],
              auth: {
                type: 'oauthJwtBearer',
                options: {
                  tokenUrl: `${idp.url}/token`,
                  tls: { key: `${pki.dir}/client.key` },
                  jwtPayload: { iss: 'svc@example', sub: 'admin@example', aud: 'https://idp', scope: 'mail.send' },
                },
              },
            },
          },
        },
      },
    });
    helpers.push(h);
    await h.doRequest(undefined, 'GET', '/users');
    const s = seen.at(-1)!;
    expect(s.form.get('grant_type')).toBe(GRANT_TYPE_JWT_BEARER);
    expect(s.payload).toMatchObject({ iss: 'svc@example', sub: 'admin@example', aud: 'https://idp', scope: 'mail.send' });
  });

  it('fails at startup when the key file is missing', () => {
    expect(() =>
      createHelperRest({
        certsDir: pki.dir,
        endpoint: {
          entity: {
            undefined: {
              connection: {
                auth: {
                  type: 'oauthJwtBearer',
                  options: { tokenUrl: 'http://127.0.0.1:1/t', clientId: 'a', tls: { key: 'missing.key', cert: 'client.pem' } },
                },
              },
            },
          },
        },
      }),
    ).toThrow(RestConfigError);
  });
});

describe('federated credentials', () => {
  let gateway: TestServer;
  let idp: TestServer;
  let fedHelper: HelperRest;
  const verified: { sub: unknown; clientId: string | null; name: unknown }[] = [];

  beforeAll(async () => {
    // The gateway serves whatever routes the helper hands out, as the real gateway will.
    gateway = await startServer(async (req, res) => {
      const route = fedHelper.federatedRoutes().find((r) => r.path === req.url);
      if (!route) return json(res, 404, {});
      json(res, 200, await route.document());
    });
    servers.push(gateway);
    // Fake Entra: discovers the issuer's JWKS over HTTP and verifies the assertion.
    idp = await startServer(async (_req, res, body) => {
      const form = new URLSearchParams(body);
      const assertion = form.get('client_assertion') ?? '';
      try {
        const unverified = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as { iss: string };
        const meta = (await (await fetch(`${unverified.iss}/.well-known/openid-configuration`)).json()) as OpenIdConfiguration;
        const jwks = createRemoteJWKSet(new URL(meta.jwks_uri));
        const { payload } = await jwtVerify(assertion, jwks, { issuer: gateway.url, audience: 'api://AzureADTokenExchange' });
        verified.push({ sub: payload.sub, clientId: form.get('client_id'), name: payload.name });
        json(res, 200, { access_token: `fed-token-${verified.length}`, expires_in: 3600 });
      } catch (e) {
        json(res, 401, { error: 'invalid_client', error_description: String(e) });
      }
    });
    servers.push(idp);
    fedHelper = createHelperRest({
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [api.url],
              auth: {
                type: 'oauthJwtBearer',
                options: {
                  azureTenantId: 'tid',
                  authorityHost: idp.url,
                  fedCred: { issuer: gateway.url, subject: 'app-object-id', name: 'plugin-entra-id' },
                },
              },
            },
          },
          plain: { connection: { baseUrls: [api.url] } },
        },
      },
    });
    helpers.push(fedHelper);
  });

  it('gets a token with an assertion the IdP verifies against the gateway-served JWKS', async () => {
    const r = await fedHelper.doRequest<{ authorization: string }>(undefined, 'GET', '/users');
    expect(r.body.authorization).toBe('Bearer fed-token-1');
    expect(verified[0]).toEqual({ sub: 'app-object-id', clientId: 'app-object-id', name: 'plugin-entra-id' });
  });

  it('exposes JWKS, OpenID configuration, routes and assertions per tenant', async () => {
    const jwks = await fedHelper.federatedJwks(undefined);
    expect(jwks?.keys).toHaveLength(1);
    const key = jwks!.keys[0]!;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(key.d).toBeUndefined();
    expect(key.p).toBeUndefined();
    const again = await fedHelper.federatedJwks(undefined);
    expect(again?.keys[0]?.kid).toBe(key.kid);
    const meta = await fedHelper.federatedOpenIdConfiguration(undefined);
    expect(meta).toMatchObject({ issuer: gateway.url, jwks_uri: `${gateway.url}/.well-known/jwks.json` });
    expect(
      fedHelper
        .federatedRoutes()
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/.well-known/jwks.json', '/.well-known/openid-configuration']);
    const assertion = await fedHelper.federatedAssertion(undefined);
    expect(decodeProtectedHeader(assertion!).kid).toBe(key.kid);
    expect(await fedHelper.federatedJwks('plain')).toBeUndefined();
    expect(await fedHelper.federatedAssertion('plain')).toBeUndefined();
  });

  it('a configured fedCred.key gives every replica the same JWKS', async () => {
    const endpoint = {
      entity: {
        undefined: {
          connection: {
            auth: {
              type: 'oauthJwtBearer' as const,
              options: { azureTenantId: 't', fedCred: { issuer: 'https://gw.example.com/scim', subject: 's', key: 'other.key' } },
            },
          },
        },
      },
    };
    const a = createHelperRest({ certsDir: pki.dir, endpoint });
    const b = createHelperRest({ certsDir: pki.dir, endpoint });
    helpers.push(a, b);
    const ja = await a.federatedJwks(undefined);
    const jb = await b.federatedJwks(undefined);
    expect(ja?.keys[0]?.kid).toBeDefined();
    expect(ja).toEqual(jb);
    expect(a.federatedRoutes().map((r) => r.path)).toContain('/scim/.well-known/jwks.json');
  });
});

describe('oauthSamlBearer', () => {
  let idp: TestServer;
  const forms: URLSearchParams[] = [];
  beforeAll(async () => {
    idp = await startServer((_req, res, body) => {
      const form = new URLSearchParams(body);
      forms.push(form);
      if (form.get('grant_type') !== GRANT_TYPE_SAML2_BEARER) return json(res, 400, { error: 'unsupported_grant_type' });
      const xml = Buffer.from(form.get('assertion') ?? '', 'base64url').toString('utf8');
      if (!xml.startsWith('<saml2:Assertion')) return json(res, 400, { error: 'invalid_grant' });
      json(res, 200, { access_token: `saml-token-${forms.length}`, expires_in: 600 });
    });
    servers.push(idp);
  });

  const xml = '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1">…signed…</saml2:Assertion>';

  it('sends a pre-built assertion base64url encoded, with SuccessFactors company_id', async () => {
    const h = createHelperRest({
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [api.url],
              auth: {
                type: 'oauthSamlBearer',
                options: {
                  tokenUrl: `${idp.url}/oauth/token`,
                  assertion: xml,
                  samlPayload: { clientId: 'sf-client', companyId: 'ACME' },
                },
              },
            },
          },
        },
      },
    });
    helpers.push(h);
    const r = await h.doRequest<{ authorization: string }>(undefined, 'GET', '/x');
    expect(r.body.authorization).toMatch(/^Bearer saml-token-/);
    const f = forms.at(-1)!;
    expect(f.get('assertion')).toBe(Buffer.from(xml).toString('base64url'));
    expect(f.get('assertion')).not.toMatch(/[+/=]/);
    expect(f.get('client_id')).toBe('sf-client');
    expect(f.get('company_id')).toBe('ACME');
  });

  it('calls an assertion function per token request with the tenant', async () => {
    const calls: (string | undefined)[] = [];
    const h = createHelperRest({
      endpoint: {
        entity: {
          'tenant-x': {
            connection: {
              baseUrls: [api.url],
              auth: {
                type: 'oauthSamlBearer',
                options: {
                  tokenUrl: `${idp.url}/oauth/token`,
                  assertion: async (tenant) => {
                    calls.push(tenant);
                    return Buffer.from(xml).toString('base64');
                  },
                },
              },
            },
          },
        },
      },
    });
    helpers.push(h);
    await h.doRequest('tenant-x', 'GET', '/x');
    await h.doRequest('tenant-x', 'GET', '/x');
    expect(calls).toEqual(['tenant-x']);
  });

  it('normalizes base64 to base64url', () => {
    expect(encodeSamlAssertion('ab+/cd==')).toBe('ab-_cd');
    expect(encodeSamlAssertion('  <a/>  ')).toBe(Buffer.from('<a/>').toString('base64url'));
  });
});
