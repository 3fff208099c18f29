import { createScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHanaConnector, parseConfig } from '../src/index.js';
import { type FakeHana, fakeHana } from './helpers/fake-hana.js';

let hana: FakeHana;
let h: ReturnType<typeof createScimHandler>;
const config = (extra: Record<string, unknown> = {}) => ({
  connection: { host: 'hana.example.com', user: 'SCIM_ADMIN', password: 'pw-hana-secret' },
  users: { samlProvider: 'CORP_IDP', ...extra },
});
beforeEach(async () => {
  hana = fakeHana();
  h = createScimHandler({ connector: await createHanaConnector({ config: config(), client: hana }) });
});
const call = async (method: string, url: string, body?: unknown) => {
  const r = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: r.body as Record<string, unknown> };
};
const ddl = () => hana.log.filter((l) => !l.sql.startsWith('SELECT')).map((l) => l.sql);

describe('HANA database users', () => {
  it('create: CREATE USER … WITH IDENTITY … FOR SAML PROVIDER, roles granted, inactive users deactivated', async () => {
    const r = await call('POST', '/Users', {
      userName: 'alice@corp.example',
      externalId: 'alice.saml',
      active: false,
      roles: [{ value: 'SCIM_READER' }],
    });
    expect(r.status).toBe(201);
    expect(ddl()).toEqual([
      `CREATE USER "alice@corp.example" WITH IDENTITY 'alice.saml' FOR SAML PROVIDER "CORP_IDP"`,
      'ALTER USER "alice@corp.example" DEACTIVATE USER NOW',
      'GRANT "SCIM_READER" TO "alice@corp.example"',
    ]);
    expect(r.body).toMatchObject({
      id: 'alice@corp.example',
      active: false,
      externalId: 'alice.saml',
      roles: [{ value: 'SCIM_READER' }],
    });
  });
  it('active is ACTIVATE/DEACTIVATE; roles and groups are GRANT/REVOKE; delete is DROP USER', async () => {
    await call('POST', '/Users', { userName: 'BOB' });
    hana.log.length = 0;
    expect(
      (
        await call('PATCH', '/Users/BOB', {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        })
      ).status,
    ).toBe(200);
    await call('PATCH', '/Users/BOB', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'roles', value: [{ value: 'SCIM_WRITER' }] }],
    });
    await call('PATCH', '/Groups/SCIM_READER', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'BOB' }] }],
    });
    await call('PATCH', '/Users/BOB', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: 'roles[value eq "SCIM_WRITER"]' }],
    });
    expect((await call('DELETE', '/Users/BOB')).status).toBe(204);
    expect(ddl()).toEqual([
      'ALTER USER "BOB" DEACTIVATE USER NOW',
      'GRANT "SCIM_WRITER" TO "BOB"',
      'GRANT "SCIM_READER" TO "BOB"',
      'REVOKE "SCIM_WRITER" FROM "BOB"',
      'DROP USER "BOB"',
    ]);
  });
  it('changing externalId moves the SAML identity', async () => {
    await call('POST', '/Users', { userName: 'CAROL', externalId: 'carol.old' });
    hana.log.length = 0;
    await call('PATCH', '/Users/CAROL', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'externalId', value: 'carol.new' }],
    });
    expect(ddl()).toEqual([
      'ALTER USER "CAROL" DROP IDENTITY FOR SAML PROVIDER "CORP_IDP"',
      `ALTER USER "CAROL" ADD IDENTITY 'carol.new' FOR SAML PROVIDER "CORP_IDP"`,
    ]);
  });
  it('users and roles outside SCIM stay invisible and untouchable (SYSTEM, CONTENT_ADMIN)', async () => {
    expect((await call('GET', '/Users/SYSTEM')).status).toBe(404);
    expect((await call('DELETE', '/Users/SYSTEM')).status).toBe(404);
    expect(((await call('GET', '/Users')).body.Resources as unknown[]).length).toBe(0);
    expect((await call('GET', '/Groups/CONTENT_ADMIN')).status).toBe(404);
    const r = await call('POST', '/Users', { userName: 'DAVE', roles: [{ value: 'CONTENT_ADMIN' }] });
    expect(r.status).toBe(400);
    expect(hana.users.has('DAVE')).toBe(false);
    expect(hana.users.has('SYSTEM')).toBe(true);
  });
  it('a duplicate user is 409 uniqueness; a role that does not exist is 400 and the half-made user is dropped', async () => {
    await call('POST', '/Users', { userName: 'ERIN' });
    expect((await call('POST', '/Users', { userName: 'ERIN' })).body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const r = await call('POST', '/Users', { userName: 'FRANK', roles: [{ value: 'SCIM_MISSING' }] });
    expect(r.status).toBe(400);
    expect(hana.users.has('FRANK')).toBe(false);
  });
  it('dropCascade: DROP USER … CASCADE', async () => {
    hana = fakeHana();
    h = createScimHandler({ connector: await createHanaConnector({ config: config({ dropCascade: true }), client: hana }) });
    await call('POST', '/Users', { userName: 'GINA' });
    await call('DELETE', '/Users/GINA');
    expect(ddl().at(-1)).toBe('DROP USER "GINA" CASCADE');
  });
});

describe('hostile names cannot execute anything', () => {
  const HOSTILE = [
    'x" ; DROP USER "SYSTEM',
    'x"; GRANT "CONTENT_ADMIN" TO "x',
    'x\' FOR SAML PROVIDER "OTHER" --',
    'SYSTEM" CASCADE --',
    'a\nDROP USER SYSTEM',
    '"',
    "'",
    '',
    'a b',
    'é',
    'x'.repeat(300),
  ];
  it.each(HOSTILE)('%j as userName, externalId, role and member is refused with 400 and sends nothing', async (bad) => {
    const before = hana.log.length;
    const users = new Map(hana.users);
    expect((await call('POST', '/Users', { userName: bad })).status).toBe(400);
    expect((await call('POST', '/Users', { userName: 'OK_USER', externalId: bad })).status).toBe(400);
    expect((await call('POST', '/Users', { userName: 'OK_USER2', roles: [{ value: bad }] })).status).toBe(400);
    expect([400, 404, 405]).toContain((await call('DELETE', `/Users/${encodeURIComponent(bad)}`)).status);
    expect(hana.log.slice(before).filter((l) => !l.sql.startsWith('SELECT'))).toEqual([]);
    expect(hana.users).toEqual(users);
    expect(hana.refused).toEqual([]);
  });
  it('any string (fast-check): either a valid name stored exactly, or 400 with no statement; the grammar never refuses what was sent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40, unit: 'binary' }), async (name) => {
        const before = hana.log.length;
        const r = await call('POST', '/Users', { userName: name });
        if (r.status === 201) {
          expect(hana.users.has(name)).toBe(true);
          await call('DELETE', `/Users/${encodeURIComponent(name)}`);
        } else {
          expect([400, 409]).toContain(r.status);
          if (r.status === 400) expect(hana.log.slice(before).filter((l) => !l.sql.startsWith('SELECT'))).toEqual([]);
        }
        expect(hana.refused).toEqual([]);
        expect(hana.users.has('SYSTEM')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('configuration', () => {
  it('names mistakes with their path and never echoes the password', () => {
    let message = '';
    try {
      parseConfig({
        connection: { host: 'h', user: 'u', password: 'pw-hana-secret', pasword: 1 },
        users: { samlProvider: 'bad provider"' },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/endpoint\.connection/);
    expect(message).toMatch(/endpoint\.users\.samlProvider/);
    expect(message).not.toContain('pw-hana-secret');
  });
  it('encryption and certificate checks default on', () => {
    const c = parseConfig(config());
    expect(c.connection).toMatchObject({ encrypt: true, sslValidateCertificate: true, port: 443 });
  });
});
