import { testContext } from '@scimgw/core/testkit';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector, createLdapConnector, type LdapConfig, LdapConfigError, resolveConfig } from '../src/index.js';

const base = { baseUrls: ['ldap://127.0.0.1:389'], userBase: 'ou=people,dc=x' };
const dir = mkdtempSync(join(tmpdir(), 'ldap-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fails = (config: unknown, path: string, message?: RegExp) => {
  try {
    createLdapConnector({ config: config as LdapConfig, baseDir: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(LdapConfigError);
    expect((e as LdapConfigError).path).toBe(path);
    if (message) expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected a config error at ${path}`);
};

describe('configuration', () => {
  it('accepts the seed shape (entity.<baseEntity>.ldap, map beside it) and fills defaults', () => {
    const settings = resolveConfig(
      {
        entity: {
          undefined: { ldap: { ...base, username: 'cn=gw,dc=x', password: 'p' } },
          'client-a': { ldap: { ...base, isOpenLdap: false } },
        },
      },
      dir,
    );
    const d = settings.get(undefined);
    expect(d?.isActiveDirectory).toBe(false);
    expect(d?.idStrategy).toBe('entryUUID');
    expect(d?.objectClasses.group).toEqual(['top', 'groupOfNames']);
    expect(d?.placeholderMemberDn).toBe('cn=gw,dc=x');
    expect(d?.naming.user).toEqual([{ attribute: 'uid', mapTo: 'userName' }]);
    const a = settings.get('client-a');
    expect(a?.isActiveDirectory).toBe(true);
    expect(a?.idStrategy).toBe('objectGUID');
    expect(a?.placeholderMemberDn).toBeUndefined();
    expect(a?.memberOfAttribute).toBe('memberOf');
    expect(a?.dnAttribute).toBe('distinguishedName');
    expect(a?.naming.user).toEqual([{ attribute: 'cn', mapTo: 'userName' }]);
  });

  it('takes the id strategy from a map entry with mapTo "id", as the seed does', () => {
    const s = resolveConfig({ ldap: base, map: { user: { dn: { mapTo: 'id' }, uid: { mapTo: 'userName' } } } }, dir);
    expect(s.get(undefined)?.idStrategy).toBe('dn');
  });

  it('reads the CA from a file relative to the base directory', () => {
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const s = resolveConfig({ ldap: { ...base, tls: { ca: 'ca.pem' } } }, dir);
    expect(s.get(undefined)?.tls.ca?.[0]).toContain('BEGIN CERTIFICATE');
    expect(s.get(undefined)?.tls.rejectUnauthorized).toBe(true);
  });

  const bad: [string, unknown, string, RegExp?][] = [
    ['no settings', {}, 'endpoint'],
    ['no URL', { ldap: { userBase: 'dc=x' } }, 'endpoint.ldap.baseUrls'],
    ['an http URL', { ldap: { ...base, baseUrls: ['http://x'] } }, 'endpoint.ldap.baseUrls[0]'],
    ['a bad userBase', { ldap: { ...base, userBase: 'ou=people,' } }, 'endpoint.ldap.userBase'],
    ['a bad bind DN', { ldap: { ...base, username: 'admin' } }, 'endpoint.ldap.username'],
    ['a bad userFilter', { ldap: { ...base, userFilter: '(objectClass=person' } }, 'endpoint.ldap.userFilter'],
    ['StartTLS on ldaps', { ldap: { ...base, baseUrls: ['ldaps://x'], startTls: true } }, 'endpoint.ldap.startTls'],
    ['an unknown id strategy', { ldap: { ...base, idStrategy: 'uid' } }, 'endpoint.ldap.idStrategy'],
    [
      'an unknown member attribute',
      { ldap: { ...base, groupMemberAttribute: 'memberUid' } },
      'endpoint.ldap.groupMemberAttribute',
    ],
    ['an unknown AD group type', { ldap: { ...base, adGroupType: 'planetary' } }, 'endpoint.ldap.adGroupType'],
    ['a missing CA file', { ldap: { ...base, tls: { ca: 'nope.pem' } } }, 'endpoint.ldap.tls.ca[0]'],
    ['a bad page size', { ldap: { ...base, pageSize: 0 } }, 'endpoint.ldap.pageSize'],
    [
      'a bad naming rule',
      { ldap: { ...base, namingAttribute: { user: [{ attribute: 'u id', mapTo: 'userName' }] } } },
      'endpoint.ldap.namingAttribute.user[0].attribute',
    ],
    ['no userName mapping', { ldap: base, map: { user: { cn: { mapTo: 'displayName' } } } }, 'endpoint.map.user', /userName/],
    [
      'an unknown mapping type',
      { ldap: base, map: { user: { uid: { mapTo: 'userName', type: 'blob' } } } },
      'endpoint.map.user.uid.type',
    ],
    [
      'a shared map a tenant uses',
      { entity: { a: { ldap: base } }, map: { user: { uid: { mapTo: 'userName' }, 'b@d': { mapTo: 'title' } } } },
      'endpoint.map.user.b@d',
    ],
    ['a misspelt setting', { ldap: { ...base, usrBase: 'ou=x' } }, 'endpoint.ldap.usrBase', /did you mean "userBase"/],
    ['a bad sort key', { ldap: { ...base, sortAttribute: { user: 'uid:' } } }, 'endpoint.ldap.sortAttribute.user'],
    ['a negative snapshot time', { ldap: { ...base, listSnapshotSeconds: -1 } }, 'endpoint.ldap.listSnapshotSeconds'],
    ['no paging connection', { ldap: { ...base, pagingConnections: 0 } }, 'endpoint.ldap.pagingConnections'],
    ['vlv as text', { ldap: { ...base, vlv: 'yes' } }, 'endpoint.ldap.vlv'],
    [
      'a required attribute that is no attribute name',
      { ldap: { ...base, requiredAttributes: { 'c n': ['userName'] } } },
      'endpoint.ldap.requiredAttributes.c n',
    ],
    [
      'a required attribute without SCIM paths',
      { ldap: { ...base, requiredAttributes: { cn: [] } } },
      'endpoint.ldap.requiredAttributes.cn',
    ],
    [
      'a mapping to an unknown tenant path',
      { entity: { a: { ldap: base, map: { user: { uid: { mapTo: 'userName' }, 'b@d': { mapTo: 'title' } } } } } },
      'endpoint.entity.a.map.user.b@d',
    ],
  ];
  for (const [what, config, path, message] of bad) {
    it(`rejects ${what} at ${path}`, () => fails(config, path, message));
  }

  it('is what createConnector(context) builds, with the host registry and logger', async () => {
    const context = testContext<LdapConfig>({ ldap: base }, { baseDir: dir });
    const c = await createConnector(context);
    expect(c.name).toBe('connector-ldap');
    const users = c.resources.User?.capabilities;
    const groups = c.resources.Group?.capabilities;
    expect(users?.filter?.operators).toEqual(['eq', 'sw', 'ew', 'co', 'pr', 'gt', 'ge', 'lt', 'le']);
    expect(users?.filter?.logical).toEqual(['and', 'or', 'not']);
    // Capabilities are per resource type: members.value is a Group path, userName a User path.
    expect(users?.filter?.attributes).toEqual(expect.arrayContaining(['userName', 'id']));
    expect(users?.filter?.attributes).not.toContain('members.value');
    expect(groups?.filter?.attributes).toEqual(expect.arrayContaining(['displayName', 'members.value', 'id']));
    expect(groups?.filter?.attributes).not.toContain('userName');
    // Pages are read as pages (VLV or DN snapshots), never the whole directory per request.
    expect(users?.paging).toEqual({ index: true });
    expect(groups?.paging).toEqual({ index: true });
    // /Schemas shows what the mapping serves: the preset has no nickName.
    const user = c.registry?.schema('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(user?.attributes.map((a) => a.name)).toContain('userName');
    expect(user?.attributes.map((a) => a.name)).not.toContain('nickName');
    expect(user?.attributes.map((a) => a.name)).toContain('groups');
    await c.close?.();
  });
});
