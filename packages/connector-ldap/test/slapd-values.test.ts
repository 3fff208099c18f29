/**
 * What values mean on a real OpenLDAP (a throwaway slapd per file): `manager` references that
 * follow renames and deletes, an empty string as no value, and the directory's matching rule for
 * `userName eq` and uniqueness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalDn } from '../src/index.js';
import { enc, patchBody, rawRead, type Res, scim, TEST_MAP } from './helpers/config.js';
import { HAVE_SLAPD, PEOPLE, type Slapd, startSlapd } from './helpers/slapd.js';

let slapd: Slapd;
beforeAll(async () => {
  if (HAVE_SLAPD) slapd = await startSlapd();
});
afterAll(async () => {
  await slapd?.destroy();
});

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  userName,
  displayName: `Display ${userName}`,
  name: { givenName: 'Given', familyName: 'Family' },
  ...extra,
});

describe.skipIf(!HAVE_SLAPD)('manager references follow renames and deletes (maintainMembership)', () => {
  const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const managed = (userName: string, managerId: string) => user(userName, { [ENTERPRISE]: { manager: { value: managerId } } });
  const managerOf = (r: Res) => (r.body[ENTERPRISE] as { manager?: { value?: string } } | undefined)?.manager?.value;
  const rawManager = async (dn: string) => {
    const v = (await rawRead(slapd, dn, ['manager']))?.manager;
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => canonicalDn(String(x)));
  };

  it("a renamed manager stays the employee's manager, and manager.value still finds the employee", async () => {
    const { call, connector } = scim(slapd);
    try {
      const boss = await call('POST', '/Users', user('mgr-boss'));
      expect(boss.status).toBe(201);
      const emp = await call('POST', '/Users', managed('mgr-emp', String(boss.body.id)));
      expect(managerOf(emp)).toBe(boss.body.id);
      const ren = await call(
        'PATCH',
        `/Users/${boss.body.id}`,
        patchBody([{ op: 'replace', path: 'userName', value: 'mgr-chief' }]),
      );
      expect(ren.status, JSON.stringify(ren.body)).toBe(200);
      expect(await rawManager(`uid=mgr-emp,${PEOPLE}`)).toEqual([canonicalDn(`uid=mgr-chief,${PEOPLE}`)]);
      expect(managerOf(await call('GET', `/Users/${emp.body.id}`))).toBe(boss.body.id);
      const found = await call('GET', `/Users?filter=${enc(`${ENTERPRISE}:manager.value eq "${boss.body.id}"`)}`);
      expect(found.body.Resources?.map((r) => r.userName)).toEqual(['mgr-emp']);
    } finally {
      await connector.close?.();
    }
  });

  it('a deleted manager is removed from its employees, and a user created under the same name is not their manager', async () => {
    const { call, connector } = scim(slapd);
    try {
      const boss = await call('POST', '/Users', user('gone-boss'));
      const emp = await call('POST', '/Users', managed('gone-emp', String(boss.body.id)));
      const other = await call('POST', '/Users', managed('gone-emp2', String(boss.body.id)));
      expect([managerOf(emp), managerOf(other)]).toEqual([boss.body.id, boss.body.id]);
      expect((await call('DELETE', `/Users/${boss.body.id}`)).status).toBe(204);
      expect(await rawManager(`uid=gone-emp,${PEOPLE}`)).toEqual([]);
      expect(await rawManager(`uid=gone-emp2,${PEOPLE}`)).toEqual([]);
      expect(managerOf(await call('GET', `/Users/${emp.body.id}`))).toBeUndefined();
      const again = await call('POST', '/Users', user('gone-boss'));
      expect(again.status).toBe(201);
      expect(managerOf(await call('GET', `/Users/${emp.body.id}`))).toBeUndefined();
      const found = await call('GET', `/Users?filter=${enc(`${ENTERPRISE}:manager.value eq "${again.body.id}"`)}`);
      expect(found.body.totalResults).toBe(0);
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('an empty string is no value', () => {
  // The documented map's own attributes for displayName and externalId, besides TEST_MAP's.
  const map = {
    ...TEST_MAP,
    user: {
      ...TEST_MAP.user,
      cn: { mapTo: 'name.formatted' },
      displayName: { mapTo: 'displayName' },
      scimgwExternalId: { mapTo: 'externalId' },
    },
  };
  const raw = (name: string) => rawRead(slapd, `uid=${name},${PEOPLE}`, ['*']);

  it('is left out on create; required attributes are derived instead', async () => {
    for (const m of [map, TEST_MAP]) {
      const { call, connector } = scim(slapd, {}, { map: m });
      const name = m === map ? 'empty-own' : 'empty-cn';
      try {
        const res = await call('POST', '/Users', {
          userName: name,
          title: '',
          externalId: '',
          displayName: '',
          name: { familyName: '', givenName: '', formatted: '' },
          emails: [{ type: 'work', value: '' }],
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        const entry = await raw(name);
        for (const attr of ['title', 'scimgwExternalId', 'displayName', 'givenName', 'mail'])
          expect(entry?.[attr]).toBeUndefined();
        // inetOrgPerson's cn and sn: derived from userName, as with no value at all.
        expect([entry?.cn, entry?.sn]).toEqual([name, name]);
        expect(res.body.title).toBeUndefined();
        expect(res.body.externalId).toBeUndefined();
      } finally {
        await connector.close?.();
      }
    }
  });

  it('removes the attribute on PATCH replace and PUT; required ones get their derived value', async () => {
    const { call, connector } = scim(slapd, {}, { map });
    try {
      const full = {
        userName: 'empty-patch',
        title: 'Boss',
        externalId: 'ext-1',
        displayName: 'Shown',
        name: { familyName: 'Family', givenName: 'Given', formatted: 'Formatted' },
      };
      const u = await call('POST', '/Users', full);
      expect(u.status).toBe(201);
      const url = `/Users/${enc(String(u.body.id))}`;
      for (const [path, attr] of [
        ['title', 'title'],
        ['externalId', 'scimgwExternalId'],
        ['displayName', 'displayName'],
        ['name.givenName', 'givenName'],
      ]) {
        const res = await call('PATCH', url, patchBody([{ op: 'replace', path, value: '' }]));
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
        expect((await raw('empty-patch'))?.[attr as string]).toBeUndefined();
      }
      const sn = await call('PATCH', url, patchBody([{ op: 'replace', path: 'name.familyName', value: '' }]));
      expect(sn.status, JSON.stringify(sn.body)).toBe(200);
      expect((await raw('empty-patch'))?.sn).toBe('empty-patch');
      const cn = await call('PATCH', url, patchBody([{ op: 'replace', path: 'name', value: { formatted: '' } }]));
      expect(cn.status, JSON.stringify(cn.body)).toBe(200);
      // cn keeps a value (it names nothing here, but inetOrgPerson requires it).
      expect((await raw('empty-patch'))?.cn).toBeDefined();

      expect((await call('PUT', url, full)).status).toBe(200);
      expect((await raw('empty-patch'))?.title).toBe('Boss');
      const put = await call('PUT', url, { ...full, title: '', externalId: '', displayName: '' });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const entry = await raw('empty-patch');
      expect([entry?.title, entry?.scimgwExternalId, entry?.displayName]).toEqual([undefined, undefined, undefined]);
      expect(put.body.title).toBeUndefined();
    } finally {
      await connector.close?.();
    }
  });

  it('a value the directory rejects is named in the 400', async () => {
    const { call, connector } = scim(slapd, {}, { map });
    try {
      // mail is an IA5 string: no "ü".
      const bad = { userName: 'bad-mail', emails: [{ type: 'work', value: 'jürgen@example.org' }] };
      const res = await call('POST', '/Users', bad);
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidValue');
      expect(res.body.detail).toBe(
        'Cannot create user "bad-mail": the directory rejected the value of emails.work.value (LDAP attribute mail, 21 invalidAttributeSyntax)',
      );
      const u = await call('POST', '/Users', { userName: 'bad-mail' });
      const p = await call(
        'PATCH',
        `/Users/${enc(String(u.body.id))}`,
        patchBody([{ op: 'replace', path: 'emails[type eq "work"].value', value: 'jürgen@example.org' }]),
      );
      expect(p.status).toBe(400);
      expect(p.body.detail).toMatch(
        /rejected the value of emails\.work\.value \(LDAP attribute mail, 21 invalidAttributeSyntax\)$/,
      );
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)("userName eq and uniqueness follow the directory's matching rule (as the docs say)", () => {
  it('uid (caseIgnoreMatch) ignores case, leading and trailing spaces, and runs of spaces', async () => {
    const { call, connector } = scim(slapd);
    try {
      const lead = await call('POST', '/Users', user('  fold-lead'));
      expect(lead.status).toBe(201);
      expect(lead.body.userName).toBe('  fold-lead');
      for (const f of ['userName eq "fold-lead"', 'userName eq "FOLD-LEAD  "']) {
        const found = await call('GET', `/Users?filter=${enc(f)}`);
        expect(
          found.body.Resources?.map((r) => r.userName),
          f,
        ).toEqual(['  fold-lead']);
      }
      expect((await call('POST', '/Users', user('fold  sp  ace'))).status).toBe(201);
      const again = await call('POST', '/Users', user('Fold sp ace'));
      expect(again.status).toBe(409);
      expect(again.body.scimType).toBe('uniqueness');
      const found = await call('GET', `/Users?filter=${enc('userName eq "fold sp ace"')}`);
      expect(found.body.Resources?.map((r) => r.userName)).toEqual(['fold  sp  ace']);
    } finally {
      await connector.close?.();
    }
  });
});
