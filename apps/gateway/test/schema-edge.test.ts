/**
 * Issue 19 at the HTTP edge: requests node:http refuses (request line or headers too large) get a
 * SCIM error body and a log line; bodies that are not UTF-8 get 400; attributes no schema defines
 * are left out with one warning per name (or refused, by configuration).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

function raw(base: string, path: string, headers: Record<string, string>, body?: Buffer) {
  const u = new URL(base);
  return new Promise<{ status: number; type: string | undefined; body: any }>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: body ? 'POST' : 'GET', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('oversize requests and bytes that are not UTF-8', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startGateway();
  });
  afterAll(() => t.stop());
  const auth = () => ({ authorization: `Basic ${Buffer.from('gwadmin:password').toString('base64')}` });

  it('a 95 KB filter in the URL → 414 with a SCIM error body, logged', async () => {
    const filter = encodeURIComponent(`userName eq "${'x'.repeat(95_000)}"`);
    const r = await raw(t.base, `/Users?filter=${filter}`, auth());
    expect(r.status).toBe(414);
    expect(r.type).toMatch(/application\/scim\+json/);
    expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '414' });
    expect(r.body.detail).toMatch(/\.search/);
    expect(t.logs()).toMatch(/request refused before routing: 414 \(HPE_HEADER_OVERFLOW\)/);
  });

  it('headers past the limit → 431 with a SCIM error body, logged', async () => {
    const r = await raw(t.base, '/Users', { ...auth(), 'x-big': 'y'.repeat(40_000) });
    expect(r.status).toBe(431);
    expect(r.body).toMatchObject({ status: '431' });
    expect(t.logs()).toMatch(/request refused before routing: 431/);
  });

  it('the gateway still answers afterwards', async () => {
    expect((await t.call('GET', '/Users?count=1')).status).toBe(200);
  });

  it('a body that is not UTF-8 → 400 invalidSyntax, nothing stored', async () => {
    const body = Buffer.concat([Buffer.from('{"userName":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const r = await raw(
      t.base,
      '/Users',
      { ...auth(), 'content-type': 'application/scim+json', 'content-length': String(body.length) },
      body,
    );
    expect(r.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const q = await t.call('GET', `/Users?filter=${encodeURIComponent('userName sw "bad"')}`);
    expect(q.body.totalResults).toBe(0);
  });
});

describe('scim.unknownAttributes', () => {
  it('"ignore" (default): never stored, one warning per attribute name', async () => {
    const t = await startGateway();
    try {
      for (const userName of ['unk1', 'unk2']) {
        const r = await t.call('POST', '/Users', { userName, bogusCore: 1 });
        expect(r.status).toBe(201);
        expect(r.body.bogusCore).toBeUndefined();
      }
      const got = await t.call('GET', `/Users?filter=${encodeURIComponent('userName eq "unk1"')}`);
      expect(got.body.Resources[0].bogusCore).toBeUndefined();
      expect(t.logs().match(/attribute not defined by the served schemas/g)).toHaveLength(1);
      expect(t.logs()).toContain('bogusCore');
    } finally {
      await t.stop();
    }
  });

  it('"reject": 400 on POST and PATCH', async () => {
    const t = await startGateway({ scim: { unknownAttributes: 'reject' } });
    try {
      const r = await t.call('POST', '/Users', { userName: 'unk', bogusCore: 1 });
      expect(r.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
      const u = await t.call('POST', '/Users', { userName: 'unk' });
      const p = await t.call('PATCH', `/Users/${u.body.id}`, { Operations: [{ op: 'add', path: 'bogusCore', value: 1 }] });
      expect(p.body).toMatchObject({ status: '400', scimType: 'invalidPath' });
    } finally {
      await t.stop();
    }
  });
});
