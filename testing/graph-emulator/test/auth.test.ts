/** Bearer token validation on Graph, per-route application permissions, token endpoint errors, and no secret in any log line. */
import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LogEntry, startGraphEmulator } from '../src/index.js';
import { type TestTenant, requestToken, startTenant } from './helpers.js';

let t: TestTenant;
const logs: LogEntry[] = [];
const reader = { clientId: randomUUID(), secret: `reader-${randomUUID()}` };
const none = { clientId: randomUUID(), secret: `none-${randomUUID()}` };

beforeAll(async () => {
  t = await startTenant({
    log: (entry) => logs.push(entry),
    apps: [
      { clientId: reader.clientId, secret: reader.secret, permissions: ['User.Read.All', 'GroupMember.Read.All'] },
      { clientId: none.clientId, secret: none.secret },
    ],
  });
});
afterAll(() => t.graph.close());

async function as(token: string, method: string, path: string, body?: unknown) {
  const response = await t.graph.fetch(`${t.graph.graphUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, headers: response.headers, json: (await response.json().catch(() => undefined)) as any };
}

describe('permissions', () => {
  test('read permissions read, but writing is 403 Authorization_RequestDenied', async () => {
    const token = await t.tokenFor(reader.clientId, reader.secret);
    expect((await as(token, 'GET', '/users')).status).toBe(200);
    expect((await as(token, 'GET', '/groups')).status).toBe(200);
    const group = t.graph.state.addGroup();
    const [user] = t.graph.state.addUsers(1);
    const denied = await as(token, 'POST', `/groups/${group}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user}`,
    });
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect((await as(token, 'GET', '/roleManagement/directory/roleAssignments')).status).toBe(403);
    expect((await as(token, 'GET', '/identityGovernance/entitlementManagement/accessPackages')).status).toBe(403);
    expect((await as(token, 'POST', '/directoryObjects/getByIds', { ids: [user] })).status).toBe(403);
  });

  test('GroupMember.ReadWrite.All may add members by PATCH members@odata.bind but not change other properties', async () => {
    const app = { clientId: randomUUID(), secret: 'x-secret-value-1' };
    const g = await startGraphEmulator({ apps: [{ ...app, permissions: ['GroupMember.ReadWrite.All'] }] });
    try {
      const token = (
        await requestToken(g, {
          grant_type: 'client_credentials',
          client_id: app.clientId,
          client_secret: app.secret,
          scope: g.scope,
        })
      ).json.access_token;
      const group = g.state.addGroup();
      const [user] = g.state.addUsers(1);
      const patch = (body: unknown) =>
        g.fetch(`${g.graphUrl}/groups/${group}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await patch({ 'members@odata.bind': [`https://graph.microsoft.com/v1.0/directoryObjects/${user}`] })).status).toBe(
        204,
      );
      expect((await patch({ description: 'x' })).status).toBe(403);
    } finally {
      await g.close();
    }
  });

  test('a token without roles is refused as Graph refuses it', async () => {
    const token = await t.tokenFor(none.clientId, none.secret);
    const r = await as(token, 'GET', '/users');
    expect(r.status).toBe(401);
    expect(r.json.error.message).toBe('Either scp or roles claim need to be present in the token.');
  });

  test('permission changes apply to new tokens only', async () => {
    const before = await t.tokenFor(reader.clientId, reader.secret);
    t.graph.apps.setPermissions(reader.clientId, ['User.ReadWrite.All', 'GroupMember.Read.All']);
    const after = await t.tokenFor(reader.clientId, reader.secret);
    const body = {
      displayName: 'P',
      accountEnabled: true,
      mailNickname: 'p',
      userPrincipalName: `p@${t.graph.domains[0]}`,
      passwordProfile: { password: 'P4ssw0rd!x' },
    };
    expect((await as(before, 'POST', '/users', body)).status).toBe(403);
    expect((await as(after, 'POST', '/users', body)).status).toBe(201);
    expect(() => t.graph.apps.setPermissions(reader.clientId, ['User.ReadWriteAll'])).toThrow(
      /Unknown Graph application permission/,
    );
  });
});

describe('bearer tokens', () => {
  test('missing, malformed, forged, foreign-tenant and expired tokens are 401 InvalidAuthenticationToken', async () => {
    const noHeader = await t.graph.fetch(`${t.graph.graphUrl}/users`);
    expect(noHeader.status).toBe(401);
    expect(((await noHeader.json()) as any).error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Access token is empty.',
    });
    expect(noHeader.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await as('not-a-jwt', 'GET', '/users')).json.error.message).toBe(
      'CompactToken parsing failed with error code: 80049217',
    );
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ roles: ['Directory.ReadWrite.All'], tid: t.graph.tenantId, appid: t.clientId })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setAudience('https://graph.microsoft.com')
      .setIssuer(`https://sts.windows.net/${t.graph.tenantId}/`)
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await as(forged, 'GET', '/users')).status).toBe(401);
    const other = await startTenant();
    try {
      expect((await as(other.token, 'GET', '/users')).status).toBe(401);
    } finally {
      await other.graph.close();
    }
    let now = Date.now();
    const clocked = await startTenant({ now: () => now, tokenLifetimeSeconds: 60 });
    try {
      expect((await clocked.call('GET', '/users')).status).toBe(200);
      now += 61_000 + 300_000;
      const expired = await clocked.call('GET', '/users');
      expect(expired.status).toBe(401);
      expect(expired.json.error.message).toBe('Lifetime validation failed, the token is expired.');
    } finally {
      await clocked.graph.close();
    }
  });
});

describe('token endpoint', () => {
  test('grant, tenant, scope and credential errors in the identity platform shape', async () => {
    const base = { client_id: t.clientId, client_secret: t.secret, scope: t.graph.scope };
    const grant = await requestToken(t.graph, { ...base, grant_type: 'password' });
    expect(grant).toMatchObject({ status: 400, json: { error: 'unsupported_grant_type', error_codes: [70003] } });
    expect(grant.json.error_description).toMatch(/^AADSTS70003: .*\r\nTrace ID: .*\r\nCorrelation ID: .*\r\nTimestamp: /s);
    const tenant = await requestToken(
      t.graph,
      { ...base, grant_type: 'client_credentials' },
      `https://${t.graph.authorityHost}/${randomUUID()}`,
    );
    expect(tenant.json.error_codes).toEqual([90002]);
    const byDomain = await requestToken(
      t.graph,
      { ...base, grant_type: 'client_credentials' },
      `https://${t.graph.authorityHost}/${t.graph.domains[0]}`,
    );
    expect(byDomain.status).toBe(200);
    const missing = await requestToken(t.graph, {
      grant_type: 'client_credentials',
      client_id: t.clientId,
      client_secret: t.secret,
    });
    expect(missing.json.error_codes).toEqual([900144]);
    const both = await requestToken(t.graph, {
      ...base,
      grant_type: 'client_credentials',
      client_assertion: 'a.b.c',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    expect(both.status).toBe(400);
    const basic = await t.graph.fetch(`${t.graph.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${t.clientId}:${t.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: t.graph.scope }).toString(),
    });
    expect(basic.status).toBe(200);
  });

  test('client text echoed in an error is cut short', async () => {
    const huge = 'x'.repeat(100_000);
    const r = await requestToken(t.graph, {
      grant_type: 'client_credentials',
      client_id: huge,
      client_secret: 'y',
      scope: t.graph.scope,
    });
    expect(r.json.error_codes).toEqual([700016]);
    expect(r.json.error_description.length).toBeLessThan(1000);
    const g = await t.call('GET', `/users/${'z'.repeat(5000)}`);
    expect(g.status).toBe(404);
    expect(g.json.error.message.length).toBeLessThan(300);
  });

  test('OpenID metadata and keys are published per tenant', async () => {
    const config = (await (await t.graph.fetch(`${t.graph.authority}/v2.0/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(config.issuer).toBe(`https://${t.graph.authorityHost}/${t.graph.tenantId}/v2.0`);
    expect(config.token_endpoint).toBe(`${t.graph.authority}/oauth2/v2.0/token`);
    const keys = (await (await t.graph.fetch(config.jwks_uri as string)).json()) as { keys: Array<Record<string, string>> };
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig' });
    const global = (await (
      await t.graph.fetch(`https://login.microsoftonline.com/${t.graph.tenantId}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(global.issuer).toBe(`https://login.microsoftonline.com/${t.graph.tenantId}/v2.0`);
  });
});

describe('logs', () => {
  test('no secret, assertion or access token ever appears in a log entry or an error body', async () => {
    const bad = await requestToken(t.graph, {
      grant_type: 'client_credentials',
      client_id: t.clientId,
      client_secret: `${t.secret}-wrong`,
      scope: t.graph.scope,
    });
    expect(JSON.stringify(bad.json)).not.toContain(t.secret);
    const token = await t.tokenFor(t.clientId, t.secret);
    await t.call('GET', '/users?$filter=bogus eq 1');
    const text = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(5);
    for (const secret of [t.secret, reader.secret, none.secret, token, t.token]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(logs.some((l) => l.kind === 'token' && l.code === 'AADSTS7000215')).toBe(true);
  });
});
