/**
 * Active Directory for real: the documented Active Directory configuration (docs/connectors/ldap.md,
 * "Example: Entra ID → Active Directory", read from the page) against a Samba AD domain controller
 * (helpers/samba.ts), over LDAPS. What the fake AD of ad.test.ts checks on the requests sent, this
 * checks on what a real AD-compatible server does with them: objectGUID ids, unicodePwd (a
 * password that binds), userAccountControl, groupType, linked member/memberOf, the manager link,
 * the bitwise `active` filter, sorted virtual list views, and the domain's password policy.
 */
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { Client, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector, dnKey, guidToBytes, type LdapConnector, type LdapSettingsConfig } from '../src/index.js';
import { DOCUMENTED_AD, documentedEndpoint, withServer } from './helpers/documented.js';
import {
  HAVE_SAMBA,
  SAMBA_ADMIN_PW,
  SAMBA_GROUPS,
  SAMBA_USERS,
  type SambaDc,
  sambaSettings,
  startSambaDc,
} from './helpers/samba.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const UAC_ACCOUNTDISABLE = 0x2;
const GLOBAL_SECURITY = String(-2147483646);

let dc: SambaDc;
let connector: LdapConnector;
let h: ScimHandler;
const logged: string[] = [];

beforeAll(async () => {
  if (!HAVE_SAMBA) return;
  dc = await startSambaDc();
  connector = createLdapConnector({
    config: withServer(documentedEndpoint(DOCUMENTED_AD), sambaSettings(dc)),
    log: {
      debug: () => {},
      info: (m, d) => logged.push(`${m} ${JSON.stringify(d ?? {})}`),
      warn: (m, d) => logged.push(`${m} ${JSON.stringify(d ?? {})}`),
      error: (m, d) => logged.push(`${m} ${JSON.stringify(d ?? {})}`),
    },
  });
  h = createScimHandler({ connector });
}, 180_000);
afterAll(async () => {
  await connector?.close?.();
  await dc?.stop();
});

type Res = {
  status: number;
  body: Record<string, unknown> & { Resources?: Record<string, unknown>[]; members?: { value: string }[] };
};
const call = async (method: string, url: string, body?: unknown): Promise<Res> =>
  (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as unknown as Res;
const patch = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
const enc = encodeURIComponent;

/** An entry read straight from the DC as Administrator (not through the connector). */
const raw = (dn: string, attributes: string[]): Promise<Entry | undefined> => dc.read(dn, attributes);
const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
const userDn = (upn: string) => `CN=${upn},${SAMBA_USERS}`;
const groupDn = (cn: string) => `CN=${cn},${SAMBA_GROUPS}`;

/** True when `password` binds as the user. */
async function binds(upn: string, password: string): Promise<boolean> {
  const c = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [dc.caPem] }, timeout: 20_000 });
  try {
    await c.bind(upn, password);
    return true;
  } catch {
    return false;
  } finally {
    await c.unbind().catch(() => {});
  }
}

describe.skipIf(!HAVE_SAMBA)('the documented Active Directory configuration against a Samba AD domain controller', () => {
  let bj: string;
  let boss: string;

  it('creates an enabled user with a generated initial password; its id is the objectGUID', async () => {
    const res = await call('POST', '/Users', {
      userName: 'bjensen@scimgw.test',
      externalId: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      displayName: 'Barbara Jensen',
      emails: [{ type: 'work', value: 'bjensen@scimgw.test', primary: true }],
      title: 'Engineer',
      active: true,
    });
    expect(res.status).toBe(201);
    bj = String(res.body.id);
    const e = await raw(userDn('bjensen@scimgw.test'), [
      'objectGUID',
      'userAccountControl',
      'sAMAccountName',
      'userPrincipalName',
      'pwdLastSet',
    ]);
    expect(guidToBytes(bj).equals(e?.objectGUID as Buffer)).toBe(true);
    expect(Number(e?.userAccountControl) & UAC_ACCOUNTDISABLE).toBe(0);
    expect(e?.sAMAccountName).toBe('bjensen');
    expect(e?.userPrincipalName).toBe('bjensen@scimgw.test');
    expect(Number(e?.pwdLastSet)).toBeGreaterThan(0); // a password was set, by the DC's own clock
    expect(res.body.password).toBeUndefined();
  });

  it('finds the user by userName and by externalId, and reads it by id', async () => {
    const byName = await call('GET', `/Users?filter=${enc('userName eq "bjensen@scimgw.test"')}`);
    expect(byName.body.Resources?.map((r) => r.id)).toEqual([bj]);
    const byExt = await call('GET', `/Users?filter=${enc('externalId eq "bjensen"')}`);
    expect(byExt.body.Resources?.map((r) => r.id)).toEqual([bj]);
    const got = await call('GET', `/Users/${bj}`);
    expect(got.body).toMatchObject({
      userName: 'bjensen@scimgw.test',
      displayName: 'Barbara Jensen',
      active: true,
      title: 'Engineer',
    });
    expect((await call('GET', `/Users/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`)).status).toBe(404);
  });

  it('sets a password the DC accepts: the user can bind with it', async () => {
    const pw = 'N3w-Secret-Passw0rd!';
    const res = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', path: 'password', value: pw }]));
    expect(res.status).toBe(200);
    expect(await binds('bjensen@scimgw.test', pw)).toBe(true);
    expect(await binds('bjensen@scimgw.test', 'not-it-1A!')).toBe(false);
  });

  it('answers a password the domain policy refuses with 400, and changes nothing', async () => {
    const res = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', path: 'password', value: 'abc' }]));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain('abc"');
    expect(await binds('bjensen@scimgw.test', 'N3w-Secret-Passw0rd!')).toBe(true);
  });

  it('deactivates with Entra ID\'s "False" by the ACCOUNTDISABLE bit, and the bitwise filter finds it', async () => {
    const off = await call('PATCH', `/Users/${bj}`, patch([{ op: 'Replace', path: 'active', value: 'False' }]));
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const uac = Number((await raw(userDn('bjensen@scimgw.test'), ['userAccountControl']))?.userAccountControl);
    expect(uac & UAC_ACCOUNTDISABLE).toBe(UAC_ACCOUNTDISABLE);
    expect(await binds('bjensen@scimgw.test', 'N3w-Secret-Passw0rd!')).toBe(false); // a disabled account cannot bind
    const found = await call('GET', `/Users?filter=${enc('active eq false')}`);
    expect(found.body.Resources?.map((r) => r.id)).toEqual([bj]);
    const on = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', value: { active: true } }]));
    expect(on.body.active).toBe(true);
    expect(await binds('bjensen@scimgw.test', 'N3w-Secret-Passw0rd!')).toBe(true);
  });

  it('writes accountExpires as a FILETIME the DC keeps, reads it as an ISO date, and clears it to "never"', async () => {
    const when = '2027-03-01T12:00:00.000Z';
    const set = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', path: 'accountExpires', value: when }]));
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const filetime = BigInt(String((await raw(userDn('bjensen@scimgw.test'), ['accountExpires']))?.accountExpires));
    expect(filetime).toBe((BigInt(Date.parse(when)) + 11644473600000n) * 10000n); // 100 ns since 1601
    expect(new Date(String((await call('GET', `/Users/${bj}`)).body.accountExpires)).toISOString()).toBe(when);
    const clear = await call('PATCH', `/Users/${bj}`, patch([{ op: 'remove', path: 'accountExpires' }]));
    expect(clear.status).toBe(200);
    expect(String((await raw(userDn('bjensen@scimgw.test'), ['accountExpires']))?.accountExpires)).toBe('9223372036854775807');
    expect((await call('GET', `/Users/${bj}`)).body.accountExpires).toBeUndefined();
  });

  it('links a manager by id, and the DC keeps the back link (directReports)', async () => {
    const b = await call('POST', '/Users', {
      userName: 'boss@scimgw.test',
      externalId: 'boss',
      displayName: 'The Boss',
      active: true,
    });
    expect(b.status).toBe(201);
    boss = String(b.body.id);
    const res = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', path: `${ENT}:manager`, value: boss }]));
    expect(res.status).toBe(200);
    expect((res.body[ENT] as { manager?: { value?: string } }).manager?.value).toBe(boss);
    const e = await raw(userDn('bjensen@scimgw.test'), ['manager']);
    expect(dnKey(String(e?.manager))).toBe(dnKey(userDn('boss@scimgw.test')));
    const back = await raw(userDn('boss@scimgw.test'), ['directReports']);
    expect(list(back?.directReports).map(dnKey)).toEqual([dnKey(userDn('bjensen@scimgw.test'))]);
  });

  it('creates a global security group with members; the users show it in groups (memberOf)', async () => {
    const g = await call('POST', '/Groups', { displayName: 'Engineering', members: [{ value: bj }] });
    expect(g.status, JSON.stringify(g.body) + logged.join('\n')).toBe(201);
    const gid = String(g.body.id);
    const e = await raw(groupDn('Engineering'), ['groupType', 'member', 'sAMAccountName', 'objectGUID']);
    expect(String(e?.groupType)).toBe(GLOBAL_SECURITY);
    expect(e?.sAMAccountName).toBe('Engineering');
    expect(guidToBytes(gid).equals(e?.objectGUID as Buffer)).toBe(true);
    expect(list(e?.member).map(dnKey)).toEqual([dnKey(userDn('bjensen@scimgw.test'))]);
    // Entra ID's membership forms: add with $ref null, remove by value.
    const add = await call(
      'PATCH',
      `/Groups/${gid}`,
      patch([{ op: 'Add', path: 'members', value: [{ $ref: null, value: boss }] }]),
    );
    expect(add.status, JSON.stringify(add.body) + logged.join('\n')).toBe(204);
    const again = await call('PATCH', `/Groups/${gid}`, patch([{ op: 'Add', path: 'members', value: [{ value: boss }] }]));
    expect(again.status, JSON.stringify(again.body) + logged.join('\n')).toBe(204); // a present member: permissive modify
    const read = await call('GET', `/Groups/${gid}`);
    expect(read.body.members?.map((m) => m.value).sort()).toEqual([bj, boss].sort());
    const user = await call('GET', `/Users/${boss}`);
    expect((user.body.groups as { value: string }[]).map((x) => x.value)).toEqual([gid]);
    const rm = await call('PATCH', `/Groups/${gid}`, patch([{ op: 'Remove', path: 'members', value: [{ value: bj }] }]));
    expect(rm.status, JSON.stringify(rm.body) + logged.join('\n')).toBe(204);
    const absent = await call('PATCH', `/Groups/${gid}`, patch([{ op: 'remove', path: `members[value eq "${bj}"]` }]));
    expect(absent.status, JSON.stringify(absent.body) + logged.join('\n')).toBe(204); // an absent member: permissive modify
    expect(list((await raw(groupDn('Engineering'), ['member']))?.member).map(dnKey)).toEqual([dnKey(userDn('boss@scimgw.test'))]);
    // An AD group may be empty: no placeholder.
    const none = await call('PATCH', `/Groups/${gid}`, patch([{ op: 'replace', path: 'members', value: [] }]));
    expect(none.status).toBe(204);
    expect(list((await raw(groupDn('Engineering'), ['member']))?.member)).toEqual([]);
  });

  it('pages users from the DC sorted view, without overlap', async () => {
    for (let i = 0; i < 12; i++) {
      const r = await call('POST', '/Users', {
        userName: `page${String(i).padStart(2, '0')}@scimgw.test`,
        externalId: `page${i}`,
        active: false,
      });
      expect(r.status).toBe(201);
    }
    const stats = connector.tenant().windows.stats;
    const before = { ...stats };
    const seen: string[] = [];
    let total = 0;
    for (let start = 1; start <= 14; start += 5) {
      const page = await call('GET', `/Users?startIndex=${start}&count=5`);
      expect(page.status).toBe(200);
      total = Number(page.body.totalResults);
      seen.push(...(page.body.Resources ?? []).map((r) => String(r.userName)));
    }
    expect(total).toBe(14);
    expect(seen).toHaveLength(14);
    expect(new Set(seen).size).toBe(14);
    expect(seen).toEqual([...seen].sort((a, b) => a.localeCompare(b)));
    // Served by the DC's virtual list views, not by DN snapshots.
    expect(stats.vlv - before.vlv).toBe(3);
    expect(stats.snapshot - before.snapshot).toBe(0);
  });

  it('works over ldap:// with StartTLS, and a DC that requires it refuses a plain bind with a 500 that names no secret', async () => {
    const over = (o: Partial<LdapSettingsConfig>) => {
      const c = createLdapConnector({
        config: withServer(documentedEndpoint(DOCUMENTED_AD), { ...sambaSettings(dc), ...o }),
        log: { debug: () => {}, info: () => {}, warn: (m, d) => seen.push(`${m} ${JSON.stringify(d ?? {})}`), error: () => {} },
      });
      return { c, h: createScimHandler({ connector: c }) };
    };
    const seen: string[] = [];
    const tls = over({ baseUrls: [`ldap://${dc.host}:389`], startTls: true });
    try {
      const res = (await tls.h.handle({
        method: 'PATCH',
        url: `/Users/${bj}`,
        body: JSON.stringify(patch([{ op: 'replace', path: 'password', value: 'St4rt-TLS-Passw0rd!' }])),
      })) as unknown as Res;
      expect(res.status).toBe(200);
      expect(await binds('bjensen@scimgw.test', 'St4rt-TLS-Passw0rd!')).toBe(true);
    } finally {
      await tls.c.close?.();
    }
    // Samba, like a domain controller that enforces LDAP signing, refuses a simple bind in the clear.
    const plain = over({ baseUrls: [`ldap://${dc.host}:389`], startTls: false });
    try {
      const res = (await plain.h.handle({ method: 'GET', url: `/Users/${bj}` })) as unknown as Res;
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain(SAMBA_ADMIN_PW);
      expect(seen.join('\n')).toMatch(/strongerAuthRequired|Strong\(er\) authentication required|strong/i);
      expect(seen.join('\n')).not.toContain(SAMBA_ADMIN_PW);
    } finally {
      await plain.c.close?.();
    }
  });

  it('renames a user (modify DN) and deletes users; the DC drops them from their groups', async () => {
    const ren = await call('PATCH', `/Users/${boss}`, patch([{ op: 'replace', path: 'userName', value: 'chief@scimgw.test' }]));
    expect(ren.status).toBe(200);
    expect(await raw(userDn('boss@scimgw.test'), ['cn'])).toBeUndefined();
    expect((await raw(userDn('chief@scimgw.test'), ['userPrincipalName']))?.userPrincipalName).toBe('chief@scimgw.test');
    expect((await call('GET', `/Users/${boss}`)).body.userName).toBe('chief@scimgw.test'); // the objectGUID stays
    const g = await call('GET', `/Groups?filter=${enc('displayName eq "Engineering"')}`);
    const gid = String(g.body.Resources?.[0]?.id);
    await call('PATCH', `/Groups/${gid}`, patch([{ op: 'add', path: 'members', value: [{ value: boss }] }]));
    expect((await call('DELETE', `/Users/${boss}`)).status).toBe(204);
    expect((await call('GET', `/Users/${boss}`)).status).toBe(404);
    expect((await call('GET', `/Groups/${gid}`)).body.members).toBeUndefined();
    expect((await call('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect(logged.filter((l) => l.includes('N3w-Secret'))).toEqual([]);
  });
});
