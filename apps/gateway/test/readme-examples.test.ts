import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC, startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(() => t.stop());

describe('README quick start examples against a running gateway', () => {
  it('GET /ping needs no auth', async () => {
    const r = await fetch(`${t.base}/ping`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('hello');
  });

  it('GET /Users lists the example users', async () => {
    const r = await t.call('GET', '/Users');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/scim\+json/);
    expect(r.body.Resources.map((u: { userName: string }) => u.userName).sort()).toEqual(['bjensen', 'jsmith']);
  });

  it('GET /Groups lists the example groups', async () => {
    const r = await t.call('GET', '/Groups');
    expect(r.body.Resources.map((g: { displayName: string }) => g.displayName).sort()).toEqual(['Admins', 'Employees']);
  });

  it('GET /Users/bjensen and /Groups/Admins', async () => {
    const u = await t.call('GET', '/Users/bjensen');
    expect(u.status).toBe(200);
    expect(u.body.userName).toBe('bjensen');
    expect(u.body.meta.location).toBe(`${t.base.replace('127.0.0.1', '127.0.0.1')}/Users/bjensen`);
    expect(u.body.groups.map((g: { value: string }) => g.value).sort()).toEqual(['Admins', 'Employees']);
    const g = await t.call('GET', '/Groups/Admins');
    expect(g.body.members).toEqual([{ value: 'bjensen', display: 'Babs Jensen', type: 'User' }]);
  });

  it('filter userName eq', async () => {
    const r = await t.call('GET', `/Users?filter=${encodeURIComponent('userName eq "bjensen"')}`);
    expect(r.body.totalResults).toBe(1);
  });

  it('filter emails.value co with attributes, sortBy and sortOrder', async () => {
    const q = new URLSearchParams({
      filter: 'emails.value co "@example.com"',
      attributes: 'userName,name.familyName,emails',
      sortBy: 'name.familyName',
      sortOrder: 'descending',
    });
    const r = await t.call('GET', `/Users?${q}`);
    expect(r.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['jsmith', 'bjensen']);
    expect(Object.keys(r.body.Resources[0]).sort()).toEqual(['emails', 'id', 'name', 'schemas', 'userName']);
    expect(r.body.Resources[0].name).toEqual({ familyName: 'Smith' });
  });

  it('filter displayName eq with excludedAttributes=members', async () => {
    const r = await t.call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Admins"')}&excludedAttributes=members`);
    expect(r.body.totalResults).toBe(1);
    expect(r.body.Resources[0].members).toBeUndefined();
  });

  it('filter members.value eq with attributes=id,displayName,members.value', async () => {
    const r = await t.call(
      'GET',
      `/Groups?filter=${encodeURIComponent('members.value eq "bjensen"')}&attributes=id,displayName,members.value`,
    );
    expect(r.body.Resources.map((g: { id: string }) => g.id).sort()).toEqual(['Admins', 'Employees']);
    expect(r.body.Resources[0].members[0]).toEqual({ value: 'bjensen' });
  });

  it('curl-style unencoded spaces and quotes in the query work', async () => {
    // curl sends what the README shows after shell quoting: spaces as %20, quotes as-is
    const r = await fetch(`${t.base}/Users?filter=userName%20eq%20"jsmith"`, { headers: { authorization: BASIC } });
    expect(((await r.json()) as { totalResults: number }).totalResults).toBe(1);
  });

  it('creates, patches and deletes a user end to end', async () => {
    const c = await t.call('POST', '/Users', { userName: 'newbie', name: { givenName: 'N', familyName: 'B' } });
    expect(c.status).toBe(201);
    expect(c.headers.get('location')).toBe(`${t.base}/Users/${c.body.id}`);
    const p = await t.call('PATCH', `/Users/${c.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(p.status).toBe(200);
    expect(p.body.active).toBe(false);
    expect((await t.call('DELETE', `/Users/${c.body.id}`)).status).toBe(204);
  });
});

describe('bad input gets SCIM errors', () => {
  it('malformed JSON → 400 invalidSyntax', async () => {
    const r = await t.call('POST', '/Users', '{"userName": ');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      scimType: 'invalidSyntax',
      status: '400',
    });
  });

  it('unknown resource → 404', async () => {
    const r = await t.call('GET', '/Users/nobody');
    expect(r.status).toBe(404);
    expect(r.body.status).toBe('404');
    expect((await t.call('GET', '/Nothing/here')).status).toBe(404);
  });

  it('wrong credentials → 401 with WWW-Authenticate', async () => {
    const r = await fetch(`${t.base}/Users`, {
      headers: { authorization: `Basic ${Buffer.from('gwadmin:wrong').toString('base64')}` },
    });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(((await r.json()) as { status: string }).status).toBe('401');
    const none = await fetch(`${t.base}/Users`);
    expect(none.status).toBe(401);
  });

  it('unknown tenant → 404', async () => {
    const r = await t.call('GET', '/acme/Users');
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/acme/);
  });

  it('body over payloadSize → 413', async () => {
    const r = await t.call('POST', '/Users', { userName: 'big', title: 'x'.repeat(2 * 1024 * 1024) });
    expect(r.status).toBe(413);
  });

  it('answers with the request id it was given', async () => {
    const r = await t.call('GET', '/Users/bjensen', undefined, { 'x-request-id': 'abc-123' });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
  });
});
