import { describe, expect, it } from 'vitest';
import { connectionSection, createHelperRest, entraTokenUrl, GRAPH_BASE_URL, RestConfigError } from '../src/index.js';
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
    expect(() => resolve({ baseUrls: ['https://api'], deadline: 0 })).toThrow(
      /^endpoint\.entity\.t\.connection\.deadline: must be greater than 0, got number 0$/,
    );
    expect(() => resolve({ baseUrls: ['https://api'], timeout: '5s' as unknown as number })).toThrow(
      /connection\.timeout: expected number, got the string "5s"/,
    );
    expect(() => resolve({ baseUrls: ['https://api'], retry: { idempotentWrites: ['GET'] } })).toThrow(
      /connection\.retry\.idempotentWrites\[0\]: must be POST, PUT, PATCH or DELETE, got the string "GET"/,
    );
    expect(resolve({ baseUrls: ['https://api'] }).maxResponseBytes).toBeUndefined();
    expect(resolve({ baseUrls: ['https://api'], maxResponseBytes: 1_000_000 }).maxResponseBytes).toBe(1_000_000);
    for (const bad of [0, -5, 1.5, '10mb']) {
      expect(() => resolve({ baseUrls: ['https://api'], maxResponseBytes: bad as number })).toThrow(
        /^endpoint\.entity\.t\.connection\.maxResponseBytes: /,
      );
    }
    expect(resolve({ baseUrls: ['https://api'], retry: { idempotentWrites: ['put', 'Delete'] } }).retry.idempotentWrites).toEqual(
      ['PUT', 'DELETE'],
    );
  });

  it('uses fedCred.subject as client id (seed behaviour)', () => {
    const c = resolve({
      auth: { type: 'oauthJwtBearer', options: { azureTenantId: 'x', fedCred: { issuer: 'https://gw', subject: 'obj-id' } } },
    });
    expect((c.auth.options as Record<string, unknown>).clientId).toBe('obj-id');
  });

  /** What a bad connection is reported as: the path below `endpoint.entity.t.connection` and the message. */
  const bad: [string, Record<string, unknown>, string][] = [
    ['unknown auth type', { auth: { type: 'kerberos' } }, 'auth.type: Invalid discriminator value'],
    ['basic without password', { auth: { type: 'basic', options: { username: 'u' } } }, 'auth.options.password: is required'],
    ['bearer without token', { auth: { type: 'bearer', options: {} } }, 'auth.options.token: is required (or tokenUrl'],
    [
      'oauth without token URL',
      { auth: { type: 'oauth', options: { clientId: 'a', clientSecret: 'b' } } },
      'auth.options.tokenUrl: is required (or azureTenantId)',
    ],
    [
      'oauth without secret',
      { auth: { type: 'oauth', options: { tokenUrl: 'https://x', clientId: 'a' } } },
      'auth.options.clientSecret: is required',
    ],
    [
      'jwt without key',
      { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', clientId: 'a' } } },
      'auth.options.tls.key: is required (or options.fedCred)',
    ],
    [
      'jwt with a key but no certificate',
      { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', clientId: 'a', tls: { key: 'k.pem' } } } },
      'auth.options.tls.cert: is required (or options.jwtPayload)',
    ],
    [
      'fedCred without subject',
      { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', fedCred: { issuer: 'https://gw' } } } },
      'auth.options.fedCred.subject: is required',
    ],
    [
      'fedCred with an issuer that is no URL',
      { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', fedCred: { issuer: 'gw', subject: 's' } } } },
      'auth.options.fedCred.issuer: must be a valid url',
    ],
    [
      'saml without assertion',
      { auth: { type: 'oauthSamlBearer', options: { tokenUrl: 'https://x' } } },
      'auth.options.samlPayload.userId: is required to build the assertion (or options.assertion)',
    ],
    [
      'saml to build without a signing key',
      { auth: { type: 'oauthSamlBearer', options: { tokenUrl: 'https://x', samlPayload: { clientId: 'k', userId: 'u' } } } },
      'auth.options.tls.key: is required to sign the assertion (or options.assertion)',
    ],
    [
      'saml to build without an issuer',
      {
        auth: {
          type: 'oauthSamlBearer',
          options: { tokenUrl: 'https://x', samlPayload: { userId: 'u' }, tls: { key: 'k.pem' } },
        },
      },
      'auth.options.samlPayload.issuer: is required to build the assertion (or clientId)',
    ],
    [
      'a misspelt auth option',
      { auth: { type: 'oauth', options: { tokenUrl: 'https://x', clientId: 'a', clientSecrt: 'b' } } },
      'auth.options.clientSecrt: unknown key (did you mean "clientSecret"?)',
    ],
    ['a misspelt connection key', { baseUrl: ['https://x'] }, 'baseUrl: unknown key (did you mean "baseUrls"?)'],
    ['bad base URL', { baseUrls: ['not a url'] }, 'baseUrls[0]: must be an http:// or https:// URL'],
    ['ftp base URL', { baseUrls: ['ftp://x'] }, 'baseUrls[0]: must be an http:// or https:// URL'],
    ['baseUrls as text', { baseUrls: 'https://x' }, 'baseUrls: expected array'],
    ['bad proxy', { proxy: { host: 'socks5://p:1' } }, 'proxy.host: protocol socks5: is not supported'],
    [
      'cert without key',
      { options: { tls: { cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' } } },
      'options.tls.key: cert and key must be configured together',
    ],
    ['a header that is no text', { options: { headers: { 'x-n': 1 } } }, 'options.headers.x-n: expected string, got number 1'],
    ['a status that is none', { retry: { statuses: [42] } }, 'retry.statuses[0]: must be at least 100'],
  ];
  it.each(bad)('rejects %s at startup, naming the path', (_name, conn, message) => {
    expect(() => resolve(conn)).toThrow(RestConfigError);
    expect(() => resolve(conn)).toThrow(`endpoint.entity.t.connection.${message}`);
  });

  it('reports every problem at once, and what the file may write the schema takes too', () => {
    try {
      resolve({ baseUrls: ['ftp://x'], deadline: -1, auth: { type: 'basic', options: { username: '' } } });
      expect.unreachable();
    } catch (e) {
      const parts = (e as Error).message.split('\n').map((p) => p.replace(/:.*/s, ''));
      expect(parts.sort()).toEqual(
        [
          'endpoint.entity.t.connection.baseUrls[0]',
          'endpoint.entity.t.connection.deadline',
          'endpoint.entity.t.connection.auth.options.username',
          'endpoint.entity.t.connection.auth.options.password',
        ].sort(),
      );
    }
    for (const [, conn] of bad) expect(connectionSection.validate(conn).ok).toBe(false);
  });

  it('takes a SAML assertion function from code, but only text from a configuration file', () => {
    const assertion = async () => '<saml2:Assertion/>';
    const conn = {
      baseUrls: ['https://api'],
      auth: { type: 'oauthSamlBearer' as const, options: { tokenUrl: 'https://x', assertion } },
    };
    expect((resolve(conn).auth.options as Record<string, unknown>).assertion).toBe(assertion);
    const r = connectionSection.validate(conn);
    expect(r.ok ? [] : [...new Set(r.issues.map((i) => i.path.join('.')))]).toEqual(['auth.options.assertion']);
    expect(r.ok ? '' : r.issues[0]?.message).toBe('expected string');
    expect(
      connectionSection.validate({ ...conn, auth: { ...conn.auth, options: { tokenUrl: 'https://x', assertion: 'PHNhbWw+' } } })
        .ok,
    ).toBe(true);
  });

  it('keeps the seed forms: null settings, empty base URLs, the oauth certificate alias', () => {
    const c = resolve({
      baseUrls: ['', 'https://api'],
      proxy: { host: null, username: null, password: null },
      options: { headers: null, tls: null },
      timeout: null,
      retry: null,
      auth: { type: 'oauth', options: { azureTenantId: 'x', clientId: 'a', tls: { key: 'k.pem', cert: 'c.pem' } } },
    });
    expect(c.baseUrls).toEqual(['https://api']);
    expect(c.proxy).toBeUndefined();
    expect(c.auth.type).toBe('oauthJwtBearer');
    expect(resolve({ auth: null }).auth).toEqual({ type: 'none' });
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
    // A secret of the wrong type is named, never repeated.
    const wrong = () =>
      resolve({
        auth: { type: 'basic', options: { username: 'u', password: 8675309 } },
        proxy: { host: 'http://p:3128', password: 4815162342 },
      });
    expect(wrong).toThrow(/auth\.options\.password: expected string/);
    expect(wrong).toThrow(/proxy\.password: expected string/);
    expect(wrong).not.toThrow(/8675309|4815162342/);
  });

  it('ignores entities without a connection', () => {
    const h = createHelperRest({ endpoint: { entity: { a: { other: 1 }, b: null } } });
    return expect(h.doRequest('a', 'GET', '/x')).rejects.toBeInstanceOf(RestConfigError);
  });
});
