/** /users with raw HTTP: create, read by id and UPN, update, delete, and Graph's validation errors. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
let domain: string;
const password = 'Str0ng!Passw0rd';

beforeAll(async () => {
  t = await startTenant();
  domain = t.graph.domains[0] as string;
});
afterAll(() => t.graph.close());

function newUser(name: string, extra: Record<string, unknown> = {}) {
  return {
    accountEnabled: true,
    displayName: name,
    mailNickname: name.replace(/\W/g, ''),
    userPrincipalName: `${name.replace(/\W/g, '').toLowerCase()}@${domain}`,
    passwordProfile: { password, forceChangePasswordNextSignIn: false },
    ...extra,
  };
}

describe('create', () => {
  test('201 with the default property set, never the password', async () => {
    const r = await t.call(
      'POST',
      '/users',
      newUser('Ada Lovelace', { givenName: 'Ada', surname: 'Lovelace', employeeId: 'E1', department: 'Math' }),
    );
    expect(r.status).toBe(201);
    expect(r.json['@odata.context']).toBe(`${t.graph.graphUrl}/$metadata#users/$entity`);
    expect(Object.keys(r.json).sort()).toEqual(
      [
        '@odata.context',
        'businessPhones',
        'displayName',
        'givenName',
        'id',
        'jobTitle',
        'mail',
        'mobilePhone',
        'officeLocation',
        'preferredLanguage',
        'surname',
        'userPrincipalName',
      ].sort(),
    );
    expect(r.text).not.toContain(password);
    expect(r.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.graph.state.checkPassword(r.json.id, password)).toBe(true);
    // Properties outside the default set need $select; passwordProfile comes back null.
    const read = await t.call('GET', `/users/${r.json.id}?$select=employeeId,department,accountEnabled,passwordProfile`);
    expect(read.json).toMatchObject({ employeeId: 'E1', department: 'Math', accountEnabled: true, passwordProfile: null });
  });

  test('a duplicate userPrincipalName is 400 with ObjectConflict', async () => {
    await t.call('POST', '/users', newUser('Dup'));
    const r = await t.call('POST', '/users', newUser('Dup'));
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('Request_BadRequest');
    expect(r.json.error.message).toBe('Another object with the same value for property userPrincipalName already exists.');
    expect(r.json.error.details).toEqual([expect.objectContaining({ code: 'ObjectConflict', target: 'userPrincipalName' })]);
    expect(r.json.error.innerError).toEqual({
      date: expect.any(String),
      'request-id': expect.any(String),
      'client-request-id': expect.any(String),
    });
  });

  test('required properties, domains, password policy, wrong names and types are refused', async () => {
    const missing = await t.call('POST', '/users', {
      displayName: 'x',
      mailNickname: 'x',
      userPrincipalName: `x@${domain}`,
      accountEnabled: true,
    });
    expect(missing.status).toBe(400);
    const domainless = await t.call('POST', '/users', newUser('Foreign', { userPrincipalName: 'foreign@example.org' }));
    expect(domainless.json.error.message).toMatch(/verified domain names/);
    const weak = await t.call('POST', '/users', newUser('Weak', { passwordProfile: { password: 'password' } }));
    expect(weak.json.error.message).toMatch(/password complexity/);
    const wrongName = await t.call('POST', '/users', newUser('Wrong', { firstName: 'W' }));
    expect(wrongName.status).toBe(400);
    expect(wrongName.json.error.code).toBe('Request_BadRequest');
    expect(wrongName.json.error.message).toMatch(/'firstName' does not exist/);
    const wrongCase = await t.call('POST', '/users', newUser('Case', { GivenName: 'C' }));
    expect(wrongCase.status).toBe(400);
    const wrongType = await t.call('POST', '/users', newUser('Typed', { accountEnabled: 'true' }));
    expect(wrongType.json.error.message).toMatch(/Edm.Boolean/);
    const readOnly = await t.call('POST', '/users', newUser('Proxy', { proxyAddresses: ['SMTP:p@x.com'] }));
    expect(readOnly.json.error.message).toMatch(/read-only/);
    const phones = await t.call('POST', '/users', newUser('Phones', { businessPhones: ['1', '2'] }));
    expect(phones.status).toBe(400);
    const proto = await t.call('POST', '/users', '{"__proto__":{"polluted":true},"displayName":"p"}');
    expect(proto.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const notJson = await t.call('POST', '/users', '{not json');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/Unable to read JSON request payload/);
  });
});

describe('read, update, delete', () => {
  test('by id and by userPrincipalName; unknown ids are Request_ResourceNotFound', async () => {
    const created = (await t.call('POST', '/users', newUser('Grace Hopper'))).json;
    const byUpn = await t.call('GET', `/users/${encodeURIComponent(created.userPrincipalName)}`);
    expect(byUpn.json.id).toBe(created.id);
    const missing = await t.call('GET', '/users/00000000-0000-0000-0000-000000000001');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('Request_ResourceNotFound');
    expect(missing.json.error.message).toBe(
      "Resource '00000000-0000-0000-0000-000000000001' does not exist or one of its queried reference-property objects are not present.",
    );
  });

  test('PATCH is 204 and changes only what was sent; passwordProfile resets the password', async () => {
    const created = (await t.call('POST', '/users', newUser('Katherine Johnson', { jobTitle: 'Engineer' }))).json;
    const patch = await t.call('PATCH', `/users/${created.id}`, {
      accountEnabled: false,
      usageLocation: 'us',
      otherMails: ['kj@example.org'],
      onPremisesImmutableId: 'a2o=',
      passwordProfile: { password: 'N3w!Passw0rd', forceChangePasswordNextSignIn: true },
    });
    expect(patch.status).toBe(204);
    expect(patch.text).toBe('');
    const read = await t.call(
      'GET',
      `/users/${created.id}?$select=accountEnabled,usageLocation,otherMails,jobTitle,onPremisesImmutableId`,
    );
    expect(read.json).toMatchObject({
      accountEnabled: false,
      usageLocation: 'US',
      otherMails: ['kj@example.org'],
      jobTitle: 'Engineer',
      onPremisesImmutableId: 'a2o=',
    });
    expect(t.graph.state.checkPassword(created.id, 'N3w!Passw0rd')).toBe(true);
    expect(t.graph.state.checkPassword(created.id, password)).toBe(false);
    const clear = await t.call('PATCH', `/users/${created.id}`, { displayName: null });
    expect(clear.status).toBe(400);
    const readOnly = await t.call('PATCH', `/users/${created.id}`, { id: 'x' });
    expect(readOnly.status).toBe(400);
  });

  test('DELETE is 204, then 404', async () => {
    const created = (await t.call('POST', '/users', newUser('Temp'))).json;
    expect((await t.call('DELETE', `/users/${created.id}`)).status).toBe(204);
    expect((await t.call('GET', `/users/${created.id}`)).status).toBe(404);
    expect((await t.call('DELETE', `/users/${created.id}`)).status).toBe(404);
  });
});

describe('manager and direct reports', () => {
  test('PUT/GET/DELETE manager/$ref', async () => {
    const boss = (await t.call('POST', '/users', newUser('Boss'))).json;
    const worker = (await t.call('POST', '/users', newUser('Worker'))).json;
    const none = await t.call('GET', `/users/${worker.id}/manager`);
    expect(none.status).toBe(404);
    const set = await t.call('PUT', `/users/${worker.id}/manager/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/users/${boss.id}`,
    });
    expect(set.status).toBe(204);
    const manager = await t.call('GET', `/users/${worker.id}/manager`);
    expect(manager.json).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: boss.id, displayName: 'Boss' });
    const expanded = await t.call('GET', `/users/${worker.id}?$expand=manager($select=id,displayName)`);
    expect(expanded.json.manager).toEqual({ '@odata.type': '#microsoft.graph.user', id: boss.id, displayName: 'Boss' });
    const reports = await t.call('GET', `/users/${boss.id}/directReports`);
    expect(reports.json.value.map((u: { id: string }) => u.id)).toEqual([worker.id]);
    const badRef = await t.call('PUT', `/users/${worker.id}/manager/$ref`, { '@odata.id': boss.id });
    expect(badRef.json.error.message).toMatch(/Invalid object identifier/);
    expect((await t.call('DELETE', `/users/${worker.id}/manager/$ref`)).status).toBe(204);
    expect((await t.call('GET', `/users/${worker.id}/manager`)).status).toBe(404);
  });
});

describe('/me', () => {
  test('needs delegated authentication', async () => {
    const r = await t.call('GET', '/me');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/delegated authentication flow/);
  });
});

describe('unknown paths and methods', () => {
  test('an unknown segment is 400, a wrong method 405', async () => {
    const unknown = await t.call('GET', '/userz');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe("Resource not found for the segment 'userz'.");
    const method = await t.call('PUT', '/users');
    expect(method.status).toBe(405);
  });
});
