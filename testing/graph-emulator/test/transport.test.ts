/** Transport: the test CA, HTTPS trust, plain HTTP for Graph, identity endpoints on HTTPS only, body limits. */
import { request } from 'node:https';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
beforeAll(async () => {
  t = await startTenant();
});
afterAll(() => t.graph.close());

function httpsGet(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...(ca ? { ca } : {}), headers: { authorization: `Bearer ${t.token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS needs the emulator CA; with it node:https reaches Graph', async () => {
  expect(t.graph.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
  await expect(httpsGet(`${t.graph.graphUrl}/users`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  expect(await httpsGet(`${t.graph.graphUrl}/users`, t.graph.caPem)).toBe(200);
  await expect(fetch(`${t.graph.graphUrl}/users`)).rejects.toThrow();
});

test('plain HTTP serves Graph (global fetch works) but not the identity platform', async () => {
  const url = t.graph.graphHttpUrl as string;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
  const users = await fetch(`${url}/users?$top=1`, { headers: { authorization: `Bearer ${t.token}` } });
  expect(users.status).toBe(200);
  const body = (await users.json()) as { '@odata.context': string };
  expect(body['@odata.context']).toBe(`${url}/$metadata#users`);
  const token = await fetch(`${url.replace('/v1.0', '')}/${t.graph.tenantId}/oauth2/v2.0/token`, { method: 'POST' });
  expect(token.status).toBe(404);
});

test('beta is not emulated; bodies over 4 MiB are refused', async () => {
  const beta = await fetch(`${(t.graph.graphHttpUrl as string).replace('/v1.0', '/beta')}/users`, {
    headers: { authorization: `Bearer ${t.token}` },
  });
  expect(beta.status).toBe(400);
  const big = await fetch(`${t.graph.graphHttpUrl}/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: 'x'.repeat(4 * 1024 * 1024) }),
  }).catch((error: unknown) => error);
  if (big instanceof Response) expect(big.status).toBe(413);
  else expect(big).toBeInstanceOf(Error);
});

test('request-id on every answer; client-request-id is echoed', async () => {
  const r = await t.call('GET', '/users?$top=1', undefined, { 'client-request-id': 'abc-123' });
  expect(r.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.headers.get('client-request-id')).toBe('abc-123');
  const e = await t.call('GET', '/users/nope', undefined, { 'client-request-id': 'abc-124' });
  expect(e.json.error.innerError['client-request-id']).toBe('abc-124');
  expect(e.json.error.innerError['request-id']).toBe(e.headers.get('request-id'));
});
