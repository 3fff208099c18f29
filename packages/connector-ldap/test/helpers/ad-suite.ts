/**
 * Active Directory for real: the documented Active Directory configuration (docs/connectors/ldap.md,
 * "Example: Entra ID → Active Directory", read from the page) against a domain controller, over
 * LDAPS: the Samba AD DC the tests start (samba-ad.test.ts), or a real one the environment names
 * (real-ad.test.ts, opt-in; see helpers/ad-target.ts). What the fake AD of ad.test.ts checks on the
 * requests sent, this checks on what an AD server does with them: objectGUID ids, unicodePwd (a
 * password that binds), userAccountControl, groupType, linked member/memberOf, the manager link,
 * the bitwise `active` filter, sorted virtual list views, and the domain's password policy.
 */
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { Client, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector, dnKey, guidToBytes, type LdapConnector, type LdapSettingsConfig } from '../../src/index.js';
import { type AdTarget, targetSettings } from './ad-target.js';
import { DOCUMENTED_AD, documentedEndpoint, withServer } from './documented.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const UAC_ACCOUNTDISABLE = 0x2;
const GLOBAL_SECURITY = String(-2147483646);

type Res = {
  status: number;
  body: Record<string, unknown> & { Resources?: Record<string, unknown>[]; members?: { value: string }[] };
};
const patch = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
const enc = encodeURIComponent;

const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);

/**
 * The suite, against the DC `start` gives (once for all its tests; `stop` at the end). `enabled`
 * false skips it (no Samba here, or no real DC named).
 */
export function describeAdSuite(title: string, enabled: boolean, start: () => Promise<AdTarget>): void {
  describe.skipIf(!enabled)(title, () => {
    let t: AdTarget;
    let connector: LdapConnector;
    let h: ScimHandler;
    const logged: string[] = [];
    // Every name the suite gives: a run's own prefix, so a real domain's accounts are never met.
    let BJ: string;
    let BJ_SAM: string;
    let BOSS: string;
    let BOSS_SAM: string;
    let CHIEF: string;
    let ENG: string;

    beforeAll(async () => {
      t = await start();
      BJ_SAM = `${t.prefix}bjensen`;
      BJ = `${BJ_SAM}@${t.upnSuffix}`;
      BOSS_SAM = `${t.prefix}boss`;
      BOSS = `${BOSS_SAM}@${t.upnSuffix}`;
      CHIEF = `${t.prefix}chief@${t.upnSuffix}`;
      ENG = `${t.prefix}Engineering`;
      connector = createLdapConnector({
        config: withServer(documentedEndpoint(DOCUMENTED_AD), targetSettings(t)),
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
      await t?.stop();
    }, 120_000);

    const call = async (method: string, url: string, body?: unknown): Promise<Res> =>
      (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as unknown as Res;
    /** An entry read straight from the DC as the admin account (not through the connector). */
    const raw = (dn: string, attributes: string[]): Promise<Entry | undefined> => t.read(dn, attributes);
    const userDn = (upn: string) => `CN=${upn},${t.usersOu}`;
    const groupDn = (cn: string) => `CN=${cn},${t.groupsOu}`;

    /** True when `password` binds as the user (by DN: a DC resolves a UPN only when its suffix is one of the forest's). */
    async function binds(upn: string, password: string): Promise<boolean> {
      const c = new Client({ url: t.urls[0] as string, ...(t.caPem ? { tlsOptions: { ca: [t.caPem] } } : {}), timeout: 20_000 });
      try {
        await c.bind(userDn(upn), password);
        return true;
      } catch {
        return false;
      } finally {
        await c.unbind().catch(() => {});
      }
    }

    let bj: string;
    let boss: string;

    it('creates an enabled user with a generated initial password; its id is the objectGUID', async () => {
      const res = await call('POST', '/Users', {
        userName: BJ,
        externalId: BJ_SAM,
        name: { givenName: 'Barbara', familyName: 'Jensen' },
        displayName: 'Barbara Jensen',
        emails: [{ type: 'work', value: BJ, primary: true }],
        title: 'Engineer',
        active: true,
      });
      expect(res.status).toBe(201);
      bj = String(res.body.id);
      const e = await raw(userDn(BJ), ['objectGUID', 'userAccountControl', 'sAMAccountName', 'userPrincipalName', 'pwdLastSet']);
      expect(guidToBytes(bj).equals(e?.objectGUID as Buffer)).toBe(true);
      expect(Number(e?.userAccountControl) & UAC_ACCOUNTDISABLE).toBe(0);
      expect(e?.sAMAccountName).toBe(BJ_SAM);
      expect(e?.userPrincipalName).toBe(BJ);
      expect(Number(e?.pwdLastSet)).toBeGreaterThan(0); // a password was set, by the DC's own clock
      expect(res.body.password).toBeUndefined();
    });

    it('finds the user by userName and by externalId, and reads it by id', async () => {
      const byName = await call('GET', `/Users?filter=${enc(`userName eq "${BJ}"`)}`);
      expect(byName.body.Resources?.map((r) => r.id)).toEqual([bj]);
      const byExt = await call('GET', `/Users?filter=${enc(`externalId eq "${BJ_SAM}"`)}`);
      expect(byExt.body.Resources?.map((r) => r.id)).toEqual([bj]);
      const got = await call('GET', `/Users/${bj}`);
      expect(got.body).toMatchObject({
        userName: BJ,
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
      expect(await binds(BJ, pw)).toBe(true);
      expect(await binds(BJ, 'not-it-1A!')).toBe(false);
    });

    it('answers a password the domain policy refuses with 400, and changes nothing', async () => {
      const res = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', path: 'password', value: 'abc' }]));
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('abc"');
      expect(await binds(BJ, 'N3w-Secret-Passw0rd!')).toBe(true);
    });

    it('deactivates with Entra ID\'s "False" by the ACCOUNTDISABLE bit, and the bitwise filter finds it', async () => {
      const off = await call('PATCH', `/Users/${bj}`, patch([{ op: 'Replace', path: 'active', value: 'False' }]));
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      const uac = Number((await raw(userDn(BJ), ['userAccountControl']))?.userAccountControl);
      expect(uac & UAC_ACCOUNTDISABLE).toBe(UAC_ACCOUNTDISABLE);
      expect(await binds(BJ, 'N3w-Secret-Passw0rd!')).toBe(false); // a disabled account cannot bind
      const found = await call('GET', `/Users?filter=${enc('active eq false')}`);
      expect(found.body.Resources?.map((r) => r.id)).toEqual([bj]);
      const on = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', value: { active: true } }]));
      expect(on.body.active).toBe(true);
      expect(await binds(BJ, 'N3w-Secret-Passw0rd!')).toBe(true);
    });

    it('writes accountExpires as a FILETIME the DC keeps, reads it as an ISO date, and clears it to "never"', async () => {
      const when = '2027-03-01T12:00:00.000Z';
      const set = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', path: 'accountExpires', value: when }]));
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      const filetime = BigInt(String((await raw(userDn(BJ), ['accountExpires']))?.accountExpires));
      expect(filetime).toBe((BigInt(Date.parse(when)) + 11644473600000n) * 10000n); // 100 ns since 1601
      expect(new Date(String((await call('GET', `/Users/${bj}`)).body.accountExpires)).toISOString()).toBe(when);
      const clear = await call('PATCH', `/Users/${bj}`, patch([{ op: 'remove', path: 'accountExpires' }]));
      expect(clear.status).toBe(200);
      expect(String((await raw(userDn(BJ), ['accountExpires']))?.accountExpires)).toBe('9223372036854775807');
      expect((await call('GET', `/Users/${bj}`)).body.accountExpires).toBeUndefined();
    });

    it('links a manager by id, and the DC keeps the back link (directReports)', async () => {
      const b = await call('POST', '/Users', {
        userName: BOSS,
        externalId: BOSS_SAM,
        displayName: 'The Boss',
        active: true,
      });
      expect(b.status).toBe(201);
      boss = String(b.body.id);
      const res = await call('PATCH', `/Users/${bj}`, patch([{ op: 'replace', path: `${ENT}:manager`, value: boss }]));
      expect(res.status).toBe(200);
      expect((res.body[ENT] as { manager?: { value?: string } }).manager?.value).toBe(boss);
      const e = await raw(userDn(BJ), ['manager']);
      expect(dnKey(String(e?.manager))).toBe(dnKey(userDn(BOSS)));
      const back = await raw(userDn(BOSS), ['directReports']);
      expect(list(back?.directReports).map(dnKey)).toEqual([dnKey(userDn(BJ))]);
    });

    it('creates a global security group with members; the users show it in groups (memberOf)', async () => {
      const g = await call('POST', '/Groups', { displayName: ENG, members: [{ value: bj }] });
      expect(g.status, JSON.stringify(g.body) + logged.join('\n')).toBe(201);
      const gid = String(g.body.id);
      const e = await raw(groupDn(ENG), ['groupType', 'member', 'sAMAccountName', 'objectGUID']);
      expect(String(e?.groupType)).toBe(GLOBAL_SECURITY);
      expect(e?.sAMAccountName).toBe(ENG);
      expect(guidToBytes(gid).equals(e?.objectGUID as Buffer)).toBe(true);
      expect(list(e?.member).map(dnKey)).toEqual([dnKey(userDn(BJ))]);
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
      expect(list((await raw(groupDn(ENG), ['member']))?.member).map(dnKey)).toEqual([dnKey(userDn(BOSS))]);
      // An AD group may be empty: no placeholder.
      const none = await call('PATCH', `/Groups/${gid}`, patch([{ op: 'replace', path: 'members', value: [] }]));
      expect(none.status).toBe(204);
      expect(list((await raw(groupDn(ENG), ['member']))?.member)).toEqual([]);
    });

    it('pages users from the DC sorted view, without overlap', async () => {
      for (let i = 0; i < 12; i++) {
        const r = await call('POST', '/Users', {
          userName: `${t.prefix}page${String(i).padStart(2, '0')}@${t.upnSuffix}`,
          externalId: `${t.prefix}page${i}`,
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

    it('works over ldap:// with StartTLS, and a DC that requires it refuses a plain bind: 503, the reason and the setting in the log, no secret', async () => {
      const over = (o: Partial<LdapSettingsConfig>) => {
        const c = createLdapConnector({
          config: withServer(documentedEndpoint(DOCUMENTED_AD), { ...targetSettings(t), ...o }),
          log: {
            debug: () => {},
            info: () => {},
            warn: (m, d) => seen.push(`${m} ${JSON.stringify(d ?? {})}`),
            error: (m, d) => seen.push(`${m} ${JSON.stringify(d ?? {})}`),
          },
        });
        return { c, h: createScimHandler({ connector: c }) };
      };
      const seen: string[] = [];
      const tls = over({ baseUrls: [t.plainUrl], startTls: true });
      try {
        const res = (await tls.h.handle({
          method: 'PATCH',
          url: `/Users/${bj}`,
          body: JSON.stringify(patch([{ op: 'replace', path: 'password', value: 'St4rt-TLS-Passw0rd!' }])),
        })) as unknown as Res;
        expect(res.status).toBe(200);
        expect(await binds(BJ, 'St4rt-TLS-Passw0rd!')).toBe(true);
      } finally {
        await tls.c.close?.();
      }
      // Samba, like a domain controller that enforces LDAP signing, refuses a simple bind in the clear.
      // Another DC may allow it: then the connector works over it.
      const refuses = t.kind === 'samba' || (await refusesPlainBind(t));
      const plain = over({ baseUrls: [t.plainUrl], startTls: false });
      try {
        const res = (await plain.h.handle({ method: 'GET', url: `/Users/${bj}` })) as unknown as Res;
        expect(JSON.stringify(res.body)).not.toContain(t.adminPassword);
        expect(seen.join('\n')).not.toContain(t.adminPassword);
        if (refuses) {
          // The service account's bind refused: the IdP should retry once the configuration is fixed.
          expect(res.status).toBe(503);
          expect(seen.join('\n')).toMatch(/strongerAuthRequired|Strong\(er\) authentication required|strong/i);
          expect(seen.join('\n')).toContain('requires an encrypted connection');
        } else expect(res.body.userName).toBe(BJ);
      } finally {
        await plain.c.close?.();
      }
    });

    it('renames a user (modify DN) and deletes users; the DC drops them from their groups', async () => {
      const ren = await call('PATCH', `/Users/${boss}`, patch([{ op: 'replace', path: 'userName', value: CHIEF }]));
      expect(ren.status).toBe(200);
      expect(await raw(userDn(BOSS), ['cn'])).toBeUndefined();
      expect((await raw(userDn(CHIEF), ['userPrincipalName']))?.userPrincipalName).toBe(CHIEF);
      expect((await call('GET', `/Users/${boss}`)).body.userName).toBe(CHIEF); // the objectGUID stays
      const g = await call('GET', `/Groups?filter=${enc(`displayName eq "${ENG}"`)}`);
      const gid = String(g.body.Resources?.[0]?.id);
      await call('PATCH', `/Groups/${gid}`, patch([{ op: 'add', path: 'members', value: [{ value: boss }] }]));
      expect((await call('DELETE', `/Users/${boss}`)).status).toBe(204);
      expect((await call('GET', `/Users/${boss}`)).status).toBe(404);
      expect((await call('GET', `/Groups/${gid}`)).body.members).toBeUndefined();
      expect((await call('DELETE', `/Groups/${gid}`)).status).toBe(204);
      expect(logged.filter((l) => l.includes('N3w-Secret'))).toEqual([]);
    });
  });
}

/** True when the DC refuses a simple bind over ldap:// without TLS (LDAP signing enforced). */
async function refusesPlainBind(t: AdTarget): Promise<boolean> {
  const c = new Client({ url: t.plainUrl, timeout: 20_000 });
  try {
    await c.bind(t.adminDn, t.adminPassword);
    return false;
  } catch (e) {
    return (e as { code?: number }).code === 8;
  } finally {
    await c.unbind().catch(() => {});
  }
}
