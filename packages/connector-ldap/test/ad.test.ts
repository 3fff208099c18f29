/**
 * Active Directory behaviour, checked on the LDAP requests the connector
 * sends (a small fake AD records them): unicodePwd, userAccountControl,
 * FILETIME, objectGUID / mS-DS-ConsistencyGuid ids, groupType, memberOf.
 */
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import type { Attribute } from 'ldapts';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ACTIVE_DIRECTORY_MAP,
  createLdapConnector,
  encodeUnicodePwd,
  guidToBytes,
  type LdapConfig,
  type LdapSettingsConfig,
} from '../src/index.js';
import { type Call, FAKE_AD_LDAP, FAKE_AD_USERS, FakeAd } from './helpers/fake-ad.js';

const USERS = FAKE_AD_USERS;
const map = {
  user: {
    ...ACTIVE_DIRECTORY_MAP.user,
    accountExpires: { mapTo: 'accountExpires', type: 'datetime' },
    pwdLastSet: { mapTo: 'passwordLastSet', type: 'datetime', mutability: 'readOnly' },
  },
  group: { ...ACTIVE_DIRECTORY_MAP.group, groupType: { mapTo: 'groupType' } },
};

function setup(over: Partial<LdapSettingsConfig> = {}, groupMemberOfUser = false) {
  const ad = new FakeAd();
  const config: LdapConfig = {
    ldap: { ...FAKE_AD_LDAP, ...over },
    map,
  };
  const connector = createLdapConnector({ config, clientFactory: ad.factory, groupMemberOfUser });
  const h: ScimHandler = createScimHandler({ connector });
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return res as {
      status: number;
      body: Record<string, unknown> & { Resources?: Record<string, unknown>[] };
      headers: Record<string, string>;
    };
  };
  return { ad, connector, call };
}

const ops = (ad: FakeAd, op: Call['op']) => ad.calls.filter((c) => c.op === op);
const attrOf = (attrs: Attribute[], name: string) => attrs.find((a) => a.type.toLowerCase() === name.toLowerCase());
const patch = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

describe('Active Directory (requests captured from a fake AD)', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('creates a user with unicodePwd as quoted UTF-16LE and userAccountControl from active', async () => {
    const res = await env.call('POST', '/Users', {
      userName: 'bjensen',
      displayName: 'Barbara Jensen',
      password: 'Päss-w0rd!',
      active: true,
    });
    expect(res.status).toBe(201);
    const add = ops(env.ad, 'add')[0] as Extract<Call, { op: 'add' }>;
    expect(add.dn).toBe(`cn=bjensen,${USERS}`);
    const pwd = attrOf(add.attributes, 'unicodePwd');
    expect(pwd?.values).toHaveLength(1);
    expect(pwd?.values[0]).toEqual(encodeUnicodePwd('Päss-w0rd!'));
    expect(attrOf(add.attributes, 'userAccountControl')?.values).toEqual(['512']);
    expect(attrOf(add.attributes, 'objectClass')?.values).toEqual(['top', 'person', 'organizationalPerson', 'user']);
    // The id is the objectGUID in its string form; the password never comes back.
    const guid = env.ad.get(add.dn)?.attrs.get('objectguid')?.values[0] as Buffer;
    expect(guidToBytes(String(res.body.id)).equals(guid)).toBe(true);
    expect(res.body.password).toBeUndefined();
    expect(JSON.stringify(env.ad.calls.filter((c) => c.op === 'search'))).not.toContain('Päss');
  });

  it('reads by id with a binary objectGUID filter', async () => {
    const created = await env.call('POST', '/Users', { userName: 'guid', displayName: 'G' });
    env.ad.calls.length = 0;
    const got = await env.call('GET', `/Users/${created.body.id}`);
    expect(got.status).toBe(200);
    const search = ops(env.ad, 'search').find((c) => (c as { filter: string }).filter.includes('objectGUID')) as {
      filter: string;
    };
    const hex = guidToBytes(String(created.body.id)).toString('hex');
    expect(search.filter.replace(/\\/g, '')).toContain(hex);
    expect((await env.call('GET', '/Users/not-a-guid')).status).toBe(404);
  });

  it('deactivates by setting ACCOUNTDISABLE and keeps every other bit', async () => {
    const created = await env.call('POST', '/Users', { userName: 'uac', displayName: 'U', active: true });
    const entry = env.ad.get(`cn=uac,${USERS}`);
    entry?.attrs.set('useraccountcontrol', { name: 'userAccountControl', values: ['66048'] }); // + DONT_EXPIRE_PASSWORD
    env.ad.calls.length = 0;
    const res = await env.call('PATCH', `/Users/${created.body.id}`, patch([{ op: 'Replace', path: 'active', value: 'False' }]));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    const mod = ops(env.ad, 'modify')[0] as Extract<Call, { op: 'modify' }>;
    expect(mod.changes.map((c) => [c.operation, c.modification.type, c.modification.values])).toEqual([
      ['replace', 'userAccountControl', ['66050']],
    ]);
    const back = await env.call('PATCH', `/Users/${created.body.id}`, patch([{ op: 'replace', value: { active: true } }]));
    expect(back.body.active).toBe(true);
    expect(env.ad.get(`cn=uac,${USERS}`)?.attrs.get('useraccountcontrol')?.values).toEqual(['66048']);
  });

  it('filters active through the bitwise matching rule', async () => {
    await env.call('POST', '/Users', { userName: 'on', displayName: 'On', active: true });
    await env.call('POST', '/Users', { userName: 'off', displayName: 'Off', active: false });
    env.ad.calls.length = 0;
    const res = await env.call('GET', `/Users?filter=${encodeURIComponent('active eq false')}`);
    expect(res.body.Resources?.map((r) => r.userName)).toEqual(['off']);
    const search = ops(env.ad, 'search').at(-1) as { filter: string };
    expect(search.filter).toContain('userAccountControl:1.2.840.113556.1.4.803:=2');
  });

  it('resets a password with one replace of unicodePwd', async () => {
    const created = await env.call('POST', '/Users', { userName: 'pw', displayName: 'P' });
    env.ad.calls.length = 0;
    const res = await env.call(
      'PATCH',
      `/Users/${created.body.id}`,
      patch([{ op: 'replace', path: 'password', value: 'N3w-secret!' }]),
    );
    expect(res.status).toBe(200);
    const mod = ops(env.ad, 'modify')[0] as Extract<Call, { op: 'modify' }>;
    expect(mod.changes).toHaveLength(1);
    expect(mod.changes[0]?.operation).toBe('replace');
    expect(mod.changes[0]?.modification.type).toBe('unicodePwd');
    expect(mod.changes[0]?.modification.values[0]).toEqual(encodeUnicodePwd('N3w-secret!'));
  });

  it('refuses passwords over plain ldap:// and sends nothing', async () => {
    const plain = setup({ baseUrls: ['ldap://dc1.test.local:389'] });
    const res = await plain.call('POST', '/Users', { userName: 'clear', displayName: 'C', password: 'S3cret!' });
    expect(res.status).toBe(403);
    expect(String(res.body.detail)).toMatch(/ldaps|startTls/);
    expect(ops(plain.ad, 'add')).toHaveLength(0);
    const created = await plain.call('POST', '/Users', { userName: 'clear', displayName: 'C' });
    expect(created.status).toBe(201);
    plain.ad.calls.length = 0;
    const p = await plain.call(
      'PATCH',
      `/Users/${created.body.id}`,
      patch([{ op: 'replace', path: 'password', value: 'S3cret!' }]),
    );
    expect(p.status).toBe(403);
    expect(ops(plain.ad, 'modify')).toHaveLength(0);
  });

  it('allows passwords after StartTLS (upgraded before the bind)', async () => {
    const tls = setup({ baseUrls: ['ldap://dc1.test.local:389'], startTls: true });
    const res = await tls.call('POST', '/Users', { userName: 'tls', displayName: 'T', password: 'S3cret!' });
    expect(res.status).toBe(201);
    const kinds = tls.ad.calls.map((c) => c.op);
    expect(kinds.indexOf('startTLS')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('startTLS')).toBeLessThan(kinds.indexOf('bind'));
  });

  it('converts accountExpires and pwdLastSet between FILETIME and ISO dateTime', async () => {
    const res = await env.call('POST', '/Users', { userName: 'exp', displayName: 'E', accountExpires: '2030-01-01T00:00:00Z' });
    expect(res.status).toBe(201);
    const add = ops(env.ad, 'add')[0] as Extract<Call, { op: 'add' }>;
    expect(attrOf(add.attributes, 'accountExpires')?.values).toEqual(['135379296000000000']);
    expect(res.body.accountExpires).toBe('2030-01-01T00:00:00.000Z');
    const e = env.ad.get(`cn=exp,${USERS}`);
    e?.attrs.set('pwdlastset', { name: 'pwdLastSet', values: ['133485408000000000'] });
    const got = await env.call('GET', `/Users/${res.body.id}`);
    expect(got.body.passwordLastSet).toBe('2024-01-01T00:00:00.000Z');
    for (const never of ['0', '9223372036854775807']) {
      e?.attrs.set('accountexpires', { name: 'accountExpires', values: [never] });
      e?.attrs.set('pwdlastset', { name: 'pwdLastSet', values: ['0'] });
      const n = await env.call('GET', `/Users/${res.body.id}`);
      expect(n.body.accountExpires).toBeUndefined();
      expect(n.body.passwordLastSet).toBeUndefined();
    }
    e?.attrs.set('accountexpires', { name: 'accountExpires', values: ['135379296000000000'] });
    env.ad.calls.length = 0;
    await env.call('PATCH', `/Users/${res.body.id}`, patch([{ op: 'remove', path: 'accountExpires' }]));
    const mod = ops(env.ad, 'modify')[0] as Extract<Call, { op: 'modify' }>;
    expect(mod.changes.map((c) => [c.operation, c.modification.type, c.modification.values])).toEqual([
      ['replace', 'accountExpires', ['9223372036854775807']],
    ]);
  });

  it('creates groups with a groupType and allows them empty (no placeholder on AD)', async () => {
    const g = await env.call('POST', '/Groups', { displayName: 'Staff' });
    expect(g.status).toBe(201);
    expect(g.body.groupType).toBe('global-security');
    const add = ops(env.ad, 'add')[0] as Extract<Call, { op: 'add' }>;
    expect(attrOf(add.attributes, 'groupType')?.values).toEqual(['-2147483646']);
    expect(attrOf(add.attributes, 'member')).toBeUndefined();
    const u = await env.call('POST', '/Groups', { displayName: 'News', groupType: 'universal-distribution' });
    expect(u.body.groupType).toBe('universal-distribution');
    expect(attrOf((ops(env.ad, 'add')[1] as Extract<Call, { op: 'add' }>).attributes, 'groupType')?.values).toEqual(['8']);
  });

  it('changes membership with one permissive modify and reads groups from memberOf', async () => {
    const u = await env.call('POST', '/Users', { userName: 'member', displayName: 'M' });
    const g = await env.call('POST', '/Groups', { displayName: 'Team' });
    env.ad.calls.length = 0;
    const p = await env.call(
      'PATCH',
      `/Groups/${g.body.id}`,
      patch([{ op: 'add', path: 'members', value: [{ value: u.body.id }] }]),
    );
    expect(p.status).toBe(204);
    const mods = ops(env.ad, 'modify') as Extract<Call, { op: 'modify' }>[];
    expect(mods).toHaveLength(1);
    expect(mods[0]?.controls.map((c) => c.type)).toContain('1.2.840.113556.1.4.1413');
    expect(mods[0]?.changes.map((c) => [c.operation, c.modification.type, c.modification.values])).toEqual([
      ['add', 'member', [`cn=member,${USERS}`]],
    ]);
    const user = await env.call('GET', `/Users/${u.body.id}`);
    expect(user.body.groups).toEqual([{ value: g.body.id, type: 'direct' }]);
    const again = await env.call(
      'PATCH',
      `/Groups/${g.body.id}`,
      patch([{ op: 'add', path: 'members', value: [{ value: u.body.id }] }]),
    );
    expect(again.status).toBe(204);
  });

  it('uses mS-DS-ConsistencyGuid as id, set from objectGUID on create', async () => {
    const anchor = setup({ idStrategy: 'mS-DS-ConsistencyGuid' });
    const res = await anchor.call('POST', '/Users', { userName: 'anchor', displayName: 'A' });
    expect(res.status).toBe(201);
    const e = anchor.ad.get(`cn=anchor,${USERS}`);
    const guid = e?.attrs.get('objectguid')?.values[0] as Buffer;
    expect(e?.attrs.get('ms-ds-consistencyguid')?.values[0]).toEqual(guid);
    expect(guidToBytes(String(res.body.id)).equals(guid)).toBe(true);
    expect((await anchor.call('GET', `/Users/${res.body.id}`)).status).toBe(200);
  });

  it('changes membership through the user with groupMemberOfUser, one modify per group', async () => {
    const env2 = setup({}, true);
    const u = await env2.call('POST', '/Users', { userName: 'via-user', displayName: 'V' });
    const g1 = await env2.call('POST', '/Groups', { displayName: 'G1' });
    const g2 = await env2.call('POST', '/Groups', { displayName: 'G2' });
    env2.ad.calls.length = 0;
    const add = await env2.call(
      'PATCH',
      `/Users/${u.body.id}`,
      patch([{ op: 'add', path: 'groups', value: [{ value: g1.body.id }, { value: g2.body.id }] }]),
    );
    expect(add.status).toBe(200);
    expect((add.body.groups as { value: string }[]).map((g) => g.value).sort()).toEqual([g1.body.id, g2.body.id].sort());
    expect(ops(env2.ad, 'modify')).toHaveLength(2);
    const rm = await env2.call(
      'PATCH',
      `/Users/${u.body.id}`,
      patch([{ op: 'remove', path: `groups[value eq "${g1.body.id}"]` }]),
    );
    expect((rm.body.groups as { value: string }[]).map((g) => g.value)).toEqual([g2.body.id]);
    const put = await env2.call('PUT', `/Users/${u.body.id}`, {
      userName: 'via-user',
      displayName: 'V',
      groups: [{ value: g1.body.id }],
    });
    expect((put.body.groups as { value: string }[]).map((g) => g.value)).toEqual([g1.body.id]);
    // Without the setting, groups stay read-only as RFC 7643 defines them.
    const plain = await env.call('POST', '/Users', { userName: 'ro', displayName: 'R' });
    const refused = await env.call(
      'PATCH',
      `/Users/${plain.body.id}`,
      patch([{ op: 'add', path: 'groups', value: [{ value: g1.body.id }] }]),
    );
    expect(refused.status).toBe(400);
  });

  it('can give new users a random initial password (generateInitialPassword)', async () => {
    const gen = setup({ generateInitialPassword: true });
    const res = await gen.call('POST', '/Users', { userName: 'nopw', displayName: 'N', active: true });
    expect(res.status).toBe(201);
    const add = ops(gen.ad, 'add')[0] as Extract<Call, { op: 'add' }>;
    const pwd = attrOf(add.attributes, 'unicodePwd')?.values[0] as Buffer | undefined;
    const text = pwd?.toString('utf16le') ?? '';
    expect(text).toMatch(/^"[A-Za-z0-9_-]{24}Aa7!"$/);
    const other = await gen.call('POST', '/Users', { userName: 'nopw2', displayName: 'N' });
    const pwd2 = attrOf((ops(gen.ad, 'add')[1] as Extract<Call, { op: 'add' }>).attributes, 'unicodePwd')?.values[0] as Buffer;
    expect(other.status).toBe(201);
    expect(pwd2.toString('utf16le')).not.toBe(text);
    expect(JSON.stringify(res.body)).not.toContain(text.slice(1, 10));
  });
});
