/**
 * The configurations docs/connectors/ldap.md shows, taken from the page as
 * written (only the server address and the service account's credentials
 * replaced), provisioning from an empty directory as an IdP does: users
 * with only a userName, a manager set by id, the manager changed and cleared
 * by PATCH, groups with members. The OpenLDAP example runs against a real
 * slapd; the Active Directory example against the fake AD.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector, type LdapConnector } from '../src/index.js';
import { enc, patchBody, rawRead, type Res } from './helpers/config.js';
import { DOCUMENTED_AD, DOCUMENTED_OPENLDAP, documentedEndpoint, withServer } from './helpers/documented.js';
import { FakeAd } from './helpers/fake-ad.js';
import { GW_DN, GW_PW, HAVE_MEMBEROF, HAVE_SLAPD, PEOPLE, type Slapd, startSlapd } from './helpers/slapd.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function handler(connector: LdapConnector) {
  const h = createScimHandler({ connector });
  return async (method: string, url: string, body?: unknown) =>
    (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as unknown as Res;
}

const managerOf = (r: Res) => (r.body[ENT] as { manager?: { value?: string } } | undefined)?.manager?.value;

let slapd: Slapd;
beforeAll(async () => {
  if (HAVE_SLAPD) slapd = await startSlapd();
}, 60_000);
afterAll(async () => {
  await slapd?.destroy();
});

describe.skipIf(!HAVE_SLAPD || !HAVE_MEMBEROF)('the documented OpenLDAP configuration, from an empty directory', () => {
  let connector: LdapConnector;
  let call: ReturnType<typeof handler>;
  beforeAll(() => {
    const endpoint = withServer(documentedEndpoint(DOCUMENTED_OPENLDAP), {
      baseUrls: [slapd.url],
      username: GW_DN,
      password: GW_PW,
      tls: { ca: slapd.caPem },
    });
    connector = createLdapConnector({ config: endpoint });
    call = handler(connector);
  });
  afterAll(async () => {
    await connector?.close?.();
  });

  it('starts empty', async () => {
    const list = await call('GET', '/Users');
    expect(list.status).toBe(200);
    expect(list.body.totalResults).toBe(0);
  });

  it('creates a user sent with only a userName: cn and sn are derived from it', async () => {
    const r = await call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jdoe' });
    expect(r.status).toBe(201);
    const raw = await rawRead(slapd, `uid=jdoe,${PEOPLE}`, ['cn', 'sn']);
    expect(raw).toMatchObject({ cn: 'jdoe', sn: 'jdoe' });
    // displayName has its own attribute in the documented map: the derived cn does not read back as one.
    expect(r.body.displayName).toBeUndefined();
  });

  it('derives cn from the display name and sn from the family name when they are sent', async () => {
    const r = await call('POST', '/Users', {
      userName: 'asmith',
      displayName: 'Alice Smith',
      name: { givenName: 'Alice', familyName: 'Smith' },
    });
    expect(r.status).toBe(201);
    expect(await rawRead(slapd, `uid=asmith,${PEOPLE}`, ['cn', 'sn', 'displayName'])).toMatchObject({
      cn: 'Alice Smith',
      sn: 'Smith',
      displayName: 'Alice Smith',
    });
  });

  it('keeps cn and sn when a PATCH or PUT removes what they come from, and clears displayName', async () => {
    const found = await call('GET', `/Users?filter=${enc('userName eq "asmith"')}`);
    const id = enc(String(found.body.Resources?.[0]?.id));
    const p = await call(
      'PATCH',
      `/Users/${id}`,
      patchBody([
        { op: 'remove', path: 'displayName' },
        { op: 'remove', path: 'name.familyName' },
      ]),
    );
    expect(p.status).toBe(200);
    expect(p.body.displayName).toBeUndefined();
    // cn is not mapped, so it keeps the name it was created with; sn falls back to the userName.
    const patched = await rawRead(slapd, `uid=asmith,${PEOPLE}`, ['cn', 'sn', 'displayName']);
    expect(patched).toMatchObject({ cn: 'Alice Smith', sn: 'asmith' });
    expect([patched?.displayName ?? []].flat()).toEqual([]);
    const put = await call('PUT', `/Users/${id}`, { userName: 'asmith', name: { givenName: 'Alice' } });
    expect(put.status).toBe(200);
    expect(await rawRead(slapd, `uid=asmith,${PEOPLE}`, ['cn', 'sn'])).toMatchObject({ cn: 'Alice Smith', sn: 'asmith' });
  });

  it('writes the manager as a DN and reads it back as the id', async () => {
    const boss = await call('GET', `/Users?filter=${enc('userName eq "jdoe"')}`);
    const bossId = String(boss.body.Resources?.[0]?.id);
    const r = await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
      userName: 'report',
      [ENT]: { manager: { value: bossId } },
    });
    expect(r.status).toBe(201);
    expect(managerOf(r)).toBe(bossId);
    expect((await rawRead(slapd, `uid=report,${PEOPLE}`, ['manager']))?.manager).toBe(`uid=jdoe,${PEOPLE}`);
    const got = await call('GET', `/Users/${enc(String(r.body.id))}`);
    expect(managerOf(got)).toBe(bossId);
    const byManager = await call('GET', `/Users?filter=${enc(`${ENT}:manager.value eq "${bossId}"`)}`);
    expect(byManager.body.Resources?.map((u) => u.userName)).toEqual(['report']);
  });

  it('changes the manager as Entra ID sends it (a bare id) and clears it', async () => {
    const report = await call('GET', `/Users?filter=${enc('userName eq "report"')}`);
    const id = enc(String(report.body.Resources?.[0]?.id));
    const other = await call('GET', `/Users?filter=${enc('userName eq "asmith"')}`);
    const otherId = String(other.body.Resources?.[0]?.id);
    const p = await call('PATCH', `/Users/${id}`, patchBody([{ op: 'Replace', path: `${ENT}:manager`, value: otherId }]));
    expect(p.status).toBe(200);
    expect(managerOf(p)).toBe(otherId);
    expect((await rawRead(slapd, `uid=report,${PEOPLE}`, ['manager']))?.manager).toBe(`uid=asmith,${PEOPLE}`);
    const unknown = await call(
      'PATCH',
      `/Users/${id}`,
      patchBody([{ op: 'replace', path: `${ENT}:manager.value`, value: '00000000-0000-4000-8000-000000000000' }]),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.scimType).toBe('invalidValue');
    // Entra ID clears a manager with an empty value.
    const emptied = await call(
      'PATCH',
      `/Users/${id}`,
      patchBody([{ op: 'replace', path: `${ENT}:manager`, value: { value: '' } }]),
    );
    expect(emptied.status).toBe(200);
    expect(managerOf(emptied)).toBeUndefined();
    await call('PATCH', `/Users/${id}`, patchBody([{ op: 'replace', path: `${ENT}:manager`, value: otherId }]));
    const cleared = await call('PATCH', `/Users/${id}`, patchBody([{ op: 'remove', path: `${ENT}:manager` }]));
    expect(cleared.status).toBe(200);
    expect(managerOf(cleared)).toBeUndefined();
    // ldapts lists an attribute that was asked for and is absent as [].
    expect([(await rawRead(slapd, `uid=report,${PEOPLE}`, ['manager']))?.manager ?? []].flat()).toEqual([]);
  });

  it('creates a user sent with an empty manager as one without', async () => {
    const r = await call('POST', '/Users', { userName: 'nomgr', [ENT]: { manager: { value: '' } } });
    expect(r.status).toBe(201);
    expect(managerOf(r)).toBeUndefined();
    expect(await call('DELETE', `/Users/${enc(String(r.body.id))}`)).toMatchObject({ status: 204 });
  });

  it('creates a group with members and pages through users', async () => {
    const users = await call('GET', '/Users?startIndex=2&count=2');
    expect(users.body.totalResults).toBe(3);
    expect(users.body.Resources).toHaveLength(2);
    const ids = users.body.Resources?.map((u) => String(u.id)) ?? [];
    const g = await call('POST', '/Groups', { displayName: 'Team', members: ids.map((value) => ({ value })) });
    expect(g.status).toBe(201);
    expect(g.body.members?.map((m) => m.value).sort()).toEqual([...ids].sort());
  });

  it('without its map (the OpenLDAP preset), cn is the displayName: derived from the userName and kept', async () => {
    const { map: _map, ...endpoint } = withServer(documentedEndpoint(DOCUMENTED_OPENLDAP), {
      baseUrls: [slapd.url],
      username: GW_DN,
      password: GW_PW,
      tls: { ca: slapd.caPem },
    });
    const preset = createLdapConnector({ config: endpoint });
    try {
      const presetCall = handler(preset);
      const r = await presetCall('POST', '/Users', { userName: 'preset', displayName: 'Pre Set' });
      expect(r.status).toBe(201);
      const p = await presetCall('PATCH', `/Users/${enc(String(r.body.id))}`, patchBody([{ op: 'remove', path: 'displayName' }]));
      expect(p.status).toBe(200);
      // person requires cn: it is derived again, and reads back as the displayName.
      expect(await rawRead(slapd, `uid=preset,${PEOPLE}`, ['cn'])).toMatchObject({ cn: 'preset' });
      expect(p.body.displayName).toBe('preset');
    } finally {
      await preset.close?.();
    }
  });
});

describe('the documented Active Directory configuration (fake AD)', () => {
  const ad = new FakeAd('DC=corp,DC=example,DC=com');
  ad.put('OU=Cloud Users,DC=corp,DC=example,DC=com', { objectClass: ['top', 'organizationalUnit'] });
  ad.put('OU=Cloud Groups,DC=corp,DC=example,DC=com', { objectClass: ['top', 'organizationalUnit'] });
  // The fake needs no CA file (it opens no socket).
  const endpoint = withServer(documentedEndpoint(DOCUMENTED_AD), { password: 'bind-secret', tls: {} });
  const connector = createLdapConnector({ config: endpoint, clientFactory: ad.factory });
  const call = handler(connector);
  afterAll(async () => {
    await connector.close?.();
  });

  it('creates users without display or family names, and sets the manager by id', async () => {
    const boss = await call('POST', '/Users', { userName: 'boss@corp.example.com', active: true });
    expect(boss.status).toBe(201);
    const add = ad.calls.find((c) => c.op === 'add');
    expect(add && add.op === 'add' ? add.dn : '').toBe('CN=boss@corp.example.com,OU=Cloud Users,DC=corp,DC=example,DC=com');
    // AD's user class requires only cn, which names the entry: nothing is invented for sn.
    expect(add && add.op === 'add' ? add.attributes.map((a) => a.type.toLowerCase()) : []).not.toContain('sn');
    const report = await call('POST', '/Users', {
      userName: 'report@corp.example.com',
      [ENT]: { manager: { value: String(boss.body.id) } },
    });
    expect(report.status).toBe(201);
    expect(managerOf(report)).toBe(boss.body.id);
    const stored = ad.get('CN=report@corp.example.com,OU=Cloud Users,DC=corp,DC=example,DC=com');
    expect(stored ? ad.values(stored, 'manager').map(String) : []).toEqual([
      'CN=boss@corp.example.com,OU=Cloud Users,DC=corp,DC=example,DC=com',
    ]);
    const list = await call('GET', '/Users?startIndex=1&count=10');
    expect(list.body.totalResults).toBe(2);
  });
});
