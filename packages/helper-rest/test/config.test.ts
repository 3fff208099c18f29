import { describe, expect, it } from 'vitest';
import { createHelperRest, entraTokenUrl, GRAPH_BASE_URL, RestConfigError } from '../src/index.js';
import { resolveConnection, tenantKey } from '../src/config.js';
import { SecretRegistry } from '../src/mask.js';

const resolve = (conn: Record<string, unknown>) => resolveConnection('t', conn, '/nonexistent', new SecretRegistry());

describe('connection config', () => {
  it('maps the default tenant to the "undefined" key', () => {
    expect(tenantKey(undefined)).toBe('undefined');
    expect(tenantKey('')).toBe('undefined');
    expect(tenantKey('client-a')).toBe('client-a');
  });

  it('fills Entra defaults: Graph base URL, token URL and scope', () => {
    const c = resolve({ auth: { type: 'oauth', options: { azureTenantId: 'contoso', clientId: 'a', clientSecret: 'b' } } });
    expect(c.baseUrls).toEqual([GRAPH_BASE_URL]);
    const o = c.auth.options as Record<string, unknown>;
    expect(o.tokenUrl).toBe('https://login.microsoftonline.com/contoso/oauth2/v2.0/token');
    expect(o.scope).toBe('https://graph.microsoft.com/.default');
    expect(entraTokenUrl('t', 'https://login.microsoftonline.us/')).toBe('https://login.microsoftonline.us/t/oauth2/v2.0/token');
  });

  it('keeps an explicit scope and applies defaults for timeout and retry', () => {
    const c = resolve({
      baseUrls: ['https://api'],
      auth: { type: 'oauth', options: { tokenUrl: 'https://idp/t', clientId: 'a', clientSecret: 'b', scope: 's' } },
    });
    expect((c.auth.options as Record<string, unknown>).scope).toBe('s');
    expect(c.timeout).toBeUndefined();
    expect(c.deadline).toBe(25_000);
    expect(c.retry.attempts).toBe(3);
    expect(c.retry.idempotentWrites).toEqual([]);
  });

  it('reads deadline, timeout and idempotent writes, and rejects bad values with their config path', () => {
    const c = resolve({ baseUrls: ['https://api'], deadline: 5000, timeout: 1000, retry: { idempotentWrites: ['PATCH'] } });
    expect([c.deadline, c.timeout, c.retry.idempotentWrites]).toEqual([5000, 1000, ['PATCH']]);
    expect(() => resolve({ baseUrls: ['https://api'], deadline: 0 })).toThrow(/connection: deadline must be a positive number/);
    expect(() => resolve({ baseUrls: ['https://api'], timeout: '5s' as unknown as number })).toThrow(/timeout must be/);
    expect(() => resolve({ baseUrls: ['https://api'], retry: { idempotentWrites: ['GET'] } })).toThrow(
      /connection: retry.idempotentWrites lists "GET"/,
    );
  });

  it('uses fedCred.subject as client id (seed behaviour)', () => {
    const c = resolve({
      auth: { type: 'oauthJwtBearer', options: { azureTenantId: 'x', fedCred: { issuer: 'https://gw', subject: 'obj-id' } } },
    });
    expect((c.auth.options as Record<string, unknown>).clientId).toBe('obj-id');
  });

  const bad: [string, Record<string, unknown>][] = [
    ['unknown auth type', { auth: { type: 'kerberos' } }],
    ['basic without password', { auth: { type: 'basic', options: { username: 'u' } } }],
    ['bearer without token', { auth: { type: 'bearer', options: {} } }],
    ['oauth without token URL', { auth: { type: 'oauth', options: { clientId: 'a', clientSecret: 'b' } } }],
    ['oauth without secret', { auth: { type: 'oauth', options: { tokenUrl: 'https://x', clientId: 'a' } } }],
    ['jwt without key', { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', clientId: 'a' } } }],
    [
      'fedCred without subject',
      { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', fedCred: { issuer: 'https://gw' } } } },
    ],
    ['saml without assertion', { auth: { type: 'oauthSamlBearer', options: { tokenUrl: 'https://x' } } }],
    ['bad base URL', { baseUrls: ['not a url'] }],
    ['ftp base URL', { baseUrls: ['ftp://x'] }],
    ['bad proxy', { proxy: { host: 'socks5://p:1' } }],
    ['cert without key', { options: { tls: { cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' } } }],
  ];
  it.each(bad)('rejects %s at startup', (_name, conn) => {
    expect(() => resolve(conn)).toThrow(RestConfigError);
  });

  it('error messages name the config path but not secrets', () => {
    try {
      createHelperRest({
        endpoint: {
          entity: {
            'client-b': { connection: { auth: { type: 'oauth', options: { clientId: 'a', clientSecret: 'super-secret-x' } } } },
          },
        },
      });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('endpoint.entity.client-b.connection');
      expect((e as Error).message).not.toContain('super-secret-x');
    }
  });

  it('ignores entities without a connection', () => {
    const h = createHelperRest({ endpoint: { entity: { a: { other: 1 }, b: null } } });
    return expect(h.doRequest('a', 'GET', '/x')).rejects.toBeInstanceOf(RestConfigError);
  });
});
