/**
 * A deactivation the directory's mapping has no attribute for is refused (by the core: the
 * generated schema has no `active`), not dropped: with the
 * OpenLDAP preset (inetOrgPerson has no account state) a create, PATCH (with a path and Okta's
 * path-less form) or PUT asking for `active: false` is 400 naming the setting, and the entry is
 * as before; `active: true` and every other write still work, and the start logs a warning. With
 * a mapping that holds `active` the same writes disable the user (real slapd). `accountActive:
 * FALSE` alone does not stop the account's LDAP binds; the ACL docs/connectors/ldap.md shows for
 * it, read from the page, does.
 */
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@scimgw/core';
import { OPENLDAP_MAP } from '../src/index.js';
import { patchBody, rawRead, scim } from './helpers/config.js';
import { documentedAcl } from './helpers/documented.js';
import { GW_DN, HAVE_SLAPD, PEOPLE, type Slapd, startSlapd } from './helpers/slapd.js';

let slapd: Slapd;
beforeAll(async () => {
  if (HAVE_SLAPD) slapd = await startSlapd();
});
afterAll(async () => {
  await slapd?.destroy();
});

function recorder() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => void lines.push({ level, msg });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, log };
}

/** The preset, with the test directory's objectClasses (its users need no more than inetOrgPerson). */
const PRESET = { map: OPENLDAP_MAP };
const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  userName,
  displayName: `D ${userName}`,
  name: { givenName: 'G', familyName: 'F' },
  ...extra,
});

describe.skipIf(!HAVE_SLAPD)('with the OpenLDAP preset, which has no attribute for active', () => {
  it('warns at start that deactivations will be refused', async () => {
    const { lines, log } = recorder();
    const { call, connector } = scim(slapd, {}, { ...PRESET, log });
    await call('GET', '/Users?count=1');
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      expect.stringMatching(/maps no writable attribute to "active".*answered 400/),
    ]);
    await connector.close?.();
  });

  it('create, PATCH (path and path-less) and PUT with active false are 400, and change nothing', async () => {
    const { call, connector } = scim(slapd, {}, PRESET);
    try {
      const refusedCreate = await call('POST', '/Users', user('deact.new', { active: false }));
      expect(refusedCreate.status).toBe(400);
      expect(refusedCreate.body).toMatchObject({ scimType: 'invalidValue' });
      expect(String(refusedCreate.body.detail)).toMatch(/^active: .*"active".*stay enabled/);
      expect(await rawRead(slapd, `uid=deact.new,${PEOPLE}`)).toBeUndefined();

      const created = await call('POST', '/Users', user('deact.user', { active: true, title: 'Before' }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = String(created.body.id);
      const before = await rawRead(slapd, `uid=deact.user,${PEOPLE}`, ['title', 'cn']);
      const forms = [
        patchBody([{ op: 'replace', path: 'active', value: false }]),
        patchBody([{ op: 'Replace', path: 'active', value: 'False' }]),
        patchBody([{ op: 'replace', value: { active: false } }]),
        patchBody([
          { op: 'replace', path: 'title', value: 'After' },
          { op: 'replace', path: 'active', value: false },
        ]),
      ];
      for (const body of forms) {
        const r = await call('PATCH', `/Users/${encodeURIComponent(id)}`, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body).toMatchObject({ scimType: 'invalidValue' });
      }
      const put = await call('PUT', `/Users/${encodeURIComponent(id)}`, user('deact.user', { active: false, title: 'After' }));
      expect(put.status).toBe(400);
      expect(await rawRead(slapd, `uid=deact.user,${PEOPLE}`, ['title', 'cn'])).toEqual(before);

      // Everything else still works, active true included.
      const ok = await call(
        'PATCH',
        `/Users/${encodeURIComponent(id)}`,
        patchBody([
          { op: 'replace', path: 'active', value: true },
          { op: 'replace', path: 'title', value: 'After' },
        ]),
      );
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect((await rawRead(slapd, `uid=deact.user,${PEOPLE}`, ['title']))?.title).toBe('After');
      expect((await call('DELETE', `/Users/${encodeURIComponent(id)}`)).status).toBe(204);
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('with a mapping that holds active', () => {
  it('the same writes disable the user, and nothing is logged at warn', async () => {
    const { lines, log } = recorder();
    const { call, connector } = scim(slapd, {}, { log });
    try {
      const created = await call('POST', '/Users', user('deact.mapped', { active: false }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.active).toBe(false);
      const id = encodeURIComponent(String(created.body.id));
      expect((await call('PATCH', `/Users/${id}`, patchBody([{ op: 'replace', value: { active: true } }]))).body.active).toBe(
        true,
      );
      expect(
        (await call('PATCH', `/Users/${id}`, patchBody([{ op: 'replace', path: 'active', value: false }]))).body.active,
      ).toBe(false);
      expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
      await call('DELETE', `/Users/${id}`);
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('accountActive: FALSE and LDAP binds (the ACL of "Disabling users")', () => {
  const ACCOUNT = `uid=deact.bind,${PEOPLE}`;
  const PASSWORD = 'Bind-Passw0rd!';
  /** The page's ACL, with the test directory's service account in place of the documented one. */
  const acl = documentedAcl('filter=(accountActive=FALSE)').map((l) =>
    l.replaceAll('cn=scimgw,ou=services,dc=example,dc=org', GW_DN),
  );
  const binds = async (s: Slapd, password: string) => {
    const c = new Client({ url: s.url, timeout: 10_000 });
    try {
      await c.bind(ACCOUNT, password);
      return true;
    } catch {
      return false;
    } finally {
      await c.unbind();
    }
  };

  /** Creates the account, disables it and re-enables it through the gateway, checking binds each time. */
  async function walk(s: Slapd): Promise<{ active: boolean; disabled: boolean; again: boolean; passwordSet: boolean }> {
    const { call, connector } = scim(s);
    try {
      const created = await call('POST', '/Users', user('deact.bind', { active: true, password: PASSWORD }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const url = `/Users/${encodeURIComponent(String(created.body.id))}`;
      const active = await binds(s, PASSWORD);
      expect((await call('PATCH', url, patchBody([{ op: 'replace', path: 'active', value: false }]))).status).toBe(200);
      expect((await rawRead(s, ACCOUNT, ['accountActive']))?.accountActive).toBe('FALSE');
      const disabled = await binds(s, PASSWORD);
      // The gateway can still reset the password of a disabled account.
      const reset = await call('PATCH', url, patchBody([{ op: 'replace', path: 'password', value: `${PASSWORD}2` }]));
      expect((await call('PATCH', url, patchBody([{ op: 'replace', path: 'active', value: true }]))).status).toBe(200);
      return { active, disabled, again: await binds(s, `${PASSWORD}2`), passwordSet: reset.status === 200 };
    } finally {
      await connector.close?.();
    }
  }

  it('without it, a disabled account still binds', async () => {
    expect(await walk(slapd)).toEqual({ active: true, disabled: true, again: true, passwordSet: true });
  });

  it('with the documented ACL first, it cannot bind until it is enabled again', async () => {
    expect(acl.length).toBeGreaterThan(0);
    const guarded = await startSlapd({ acl });
    try {
      expect(await walk(guarded)).toEqual({ active: true, disabled: false, again: true, passwordSet: true });
    } finally {
      await guarded.destroy();
    }
  });
});
