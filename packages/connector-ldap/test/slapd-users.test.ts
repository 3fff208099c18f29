/**
 * Users against a real OpenLDAP (a throwaway slapd per file): hostile names,
 * LDAP injection, paged search past the size limit, memberOf, renames,
 * passwords, LDAPS/StartTLS and reconnecting after a server restart.
 */
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalDn, isWithin, parseDn } from '../src/index.js';
import { enc, patchBody, rawRead, type Res, scim } from './helpers/config.js';
import { ADMINS, GW_DN, GW_PW, HAVE_MEMBEROF, HAVE_SLAPD, PEOPLE, type Slapd, startSlapd } from './helpers/slapd.js';
import { createLdapConnector } from '../src/index.js';
import { ldapSettings, TEST_MAP } from './helpers/config.js';

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

const HOSTILE = [
  'Smith, John',
  'a+b',
  'x=y',
  '#hash',
  ' lead',
  'trail ',
  'multi  space',
  'Jürgen Müller',
  'Ölçü ß',
  '日本語',
  'emoji 😀',
  'back\\slash',
  'end\\',
  'quote"d',
  'semi;colon',
  '<angle>',
  'star*',
  '(paren)',
  'evil,ou=admins',
  '*)(uid=*',
];

describe.skipIf(!HAVE_SLAPD)('hostile names are created, found, renamed and deleted (id = DN)', () => {
  for (const name of HOSTILE) {
    it(JSON.stringify(name), async () => {
      const { call, connector } = scim(slapd, { idStrategy: 'dn' });
      try {
        const created = await call('POST', '/Users', user(name));
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const id = String(created.body.id);
        // The name is one RDN value under the user base, whatever it contains.
        const dn = parseDn(id);
        expect(dn[0]).toEqual([{ type: 'uid', value: name }]);
        expect(isWithin(dn, PEOPLE) && dn.length === parseDn(PEOPLE).length + 1).toBe(true);
        expect(await rawRead(slapd, id, ['uid'])).toBeDefined();

        const found = await call('GET', `/Users?filter=${enc(`userName eq ${JSON.stringify(name)}`)}`);
        expect(found.body.totalResults).toBe(1);
        expect(found.body.Resources?.[0]?.id).toBe(id);
        const got = await call('GET', `/Users/${enc(id)}`);
        expect(got.status).toBe(200);
        expect(got.body.userName).toBe(name);

        const renamedName = `${name} renamed`;
        const renamed = await call(
          'PATCH',
          `/Users/${enc(id)}`,
          patchBody([{ op: 'replace', path: 'userName', value: renamedName }]),
        );
        expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
        const newId = String(renamed.body.id);
        expect(parseDn(newId)[0]).toEqual([{ type: 'uid', value: renamedName }]);
        expect((await call('GET', `/Users/${enc(id)}`)).status).toBe(404);
        expect((await call('GET', `/Users/${enc(newId)}`)).body.userName).toBe(renamedName);

        expect((await call('DELETE', `/Users/${enc(newId)}`)).status).toBe(204);
        expect((await call('GET', `/Users/${enc(newId)}`)).status).toBe(404);
        expect(await rawRead(slapd, newId, ['uid'])).toBeUndefined();
      } finally {
        await connector.close?.();
      }
    });
  }
});

describe.skipIf(!HAVE_SLAPD)('no LDAP injection through SCIM input', () => {
  let env: ReturnType<typeof scim>;
  const ROOT = `uid=root,${ADMINS}`;
  beforeAll(async () => {
    await slapd.ldapadd(`dn: ${ROOT}\nobjectClass: inetOrgPerson\nuid: root\ncn: root\nsn: root\n`);
    env = scim(slapd, { idStrategy: 'dn' });
    for (const n of ['inj-alice', 'inj-bob']) expect((await env.call('POST', '/Users', user(n))).status).toBe(201);
  });
  afterAll(async () => {
    await env.connector.close?.();
  });

  const filters = [
    'userName eq "*)(uid=*"',
    'userName eq "inj-alice)(|(uid=*"',
    'userName eq "*"',
    'userName sw "*"',
    'userName co ")("',
    'userName eq "inj-alice\\u0000"',
    'userName ew "*)"',
    'title eq "x)(objectClass=*"',
    'name.familyName sw "Fam*"',
  ];
  for (const f of filters) {
    it(`matches nothing for ${f}`, async () => {
      const res = await env.call('GET', `/Users?filter=${enc(f)}`);
      expect(res.status).toBe(200);
      expect(res.body.totalResults).toBe(0);
    });
  }

  it('still finds by a real value', async () => {
    const res = await env.call('GET', `/Users?filter=${enc('userName sw "inj-" and name.familyName eq "Family"')}`);
    expect(res.body.totalResults).toBe(2);
  });

  it('keeps a name with ",ou=admins" under the user base', async () => {
    const res = await env.call('POST', '/Users', user('mallory,ou=admins'));
    expect(res.status).toBe(201);
    expect(isWithin(String(res.body.id), PEOPLE)).toBe(true);
    expect(await rawRead(slapd, `uid=mallory,${ADMINS}`, ['uid'])).toBeUndefined();
  });

  it('answers 404 for ids outside the user base, and changes nothing there', async () => {
    expect((await env.call('GET', `/Users/${enc(ROOT)}`)).status).toBe(404);
    expect((await env.call('DELETE', `/Users/${enc(ROOT)}`)).status).toBe(404);
    const p = await env.call('PATCH', `/Users/${enc(ROOT)}`, patchBody([{ op: 'replace', path: 'title', value: 'pwned' }]));
    expect(p.status).toBe(404);
    expect((await env.call('GET', `/Users/${enc(`${PEOPLE}`)}`)).status).toBe(404);
    expect((await env.call('GET', `/Users/${enc('uid=x,ou=people,dc=example,dc=org)(uid=*')}`)).status).toBe(404);
    const root = await rawRead(slapd, ROOT, ['uid', 'title']);
    expect(root?.uid).toBe('root');
    expect(root?.title ?? []).toEqual([]);
  });

  it('refuses group members outside the configured bases', async () => {
    const g = await env.call('POST', '/Groups', { displayName: 'inj-group' });
    expect(g.status).toBe(201);
    const p = await env.call(
      'PATCH',
      `/Groups/${enc(String(g.body.id))}`,
      patchBody([{ op: 'add', path: 'members', value: [{ value: ROOT }] }]),
    );
    expect(p.status).toBe(400);
    const raw = await rawRead(slapd, String(g.body.id), ['member']);
    expect(JSON.stringify(raw?.member)).not.toContain('root');
  });
});

describe.skipIf(!HAVE_SLAPD)('scoping by base, filter and tenant', () => {
  it('hides entries under the base that do not match userFilter', async () => {
    await slapd.ldapadd(`dn: uid=outsider,${PEOPLE}\nobjectClass: account\nuid: outsider\n`);
    const { call, connector } = scim(slapd, { idStrategy: 'dn' });
    try {
      const res = await call('GET', `/Users?filter=${enc('userName eq "outsider"')}`);
      expect(res.body.totalResults).toBe(0);
      expect((await call('GET', `/Users/${enc(`uid=outsider,${PEOPLE}`)}`)).status).toBe(404);
      expect((await call('DELETE', `/Users/${enc(`uid=outsider,${PEOPLE}`)}`)).status).toBe(404);
    } finally {
      await connector.close?.();
    }
  });

  it('keeps tenants (baseEntity) apart', async () => {
    const connector = createLdapConnector({
      config: {
        entity: {
          undefined: { ldap: ldapSettings(slapd) },
          admins: { ldap: ldapSettings(slapd, { userBase: ADMINS }) },
        },
        map: TEST_MAP,
      },
    });
    try {
      const ops = connector.resources.User;
      const made = await ops?.create?.(
        { userName: 'tenant-admin', displayName: 'T', name: { familyName: 'F' } },
        { tenant: 'admins' },
      );
      expect(await rawRead(slapd, `uid=tenant-admin,${ADMINS}`, ['uid'])).toBeDefined();
      const inDefault = await ops?.query?.(
        { filter: { type: 'compare', op: 'eq', path: { attr: 'userName' }, value: 'tenant-admin' } },
        {},
      );
      expect(inDefault?.resources).toHaveLength(0);
      expect(await ops?.get?.(String(made?.id), {}, {})).toBeUndefined();
      expect(await ops?.get?.(String(made?.id), { tenant: 'admins' }, {})).toMatchObject({ userName: 'tenant-admin' });
      await expect(ops?.get?.('x', { tenant: 'nobody' }, {})).rejects.toMatchObject({ status: 404 });
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('paged search past the server size limit (sizelimit 50, 120 entries)', () => {
  let env: ReturnType<typeof scim>;
  beforeAll(async () => {
    const ldif = Array.from({ length: 120 }, (_, i) => {
      const n = `page-${String(i).padStart(3, '0')}`;
      return `dn: uid=${n},${PEOPLE}\nobjectClass: inetOrgPerson\nuid: ${n}\ncn: ${n}\nsn: Pager\n`;
    }).join('\n');
    await slapd.ldapadd(ldif);
    env = scim(slapd, { pageSize: 40 });
  });
  afterAll(async () => {
    await env.connector.close?.();
  });

  it('the limit is real: a plain search as the gateway stops at 50', async () => {
    const c = new Client({ url: slapd.url, timeout: 10_000 });
    try {
      await c.bind(GW_DN, GW_PW);
      await expect(c.search(PEOPLE, { filter: '(sn=Pager)', attributes: ['uid'] })).rejects.toMatchObject({ code: 4 });
    } finally {
      await c.unbind();
    }
  });

  it('lists all 120 with Simple Paged Results', async () => {
    const before = env.connector.tenant().dir.stats.search;
    const res = await env.call('GET', `/Users?filter=${enc('userName sw "page-"')}&count=500`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(120);
    expect(res.body.Resources).toHaveLength(120);
    expect(new Set(res.body.Resources?.map((r) => r.id)).size).toBe(120);
    // 120 entries in pages of 40: at least three page requests.
    expect(env.connector.tenant().dir.stats.search - before).toBeGreaterThanOrEqual(3);
  });

  it('pages the SCIM way on top, without overlap', async () => {
    const seen = new Set<string>();
    for (let start = 1; start <= 120; start += 50) {
      const res = await env.call('GET', `/Users?filter=${enc('name.familyName eq "Pager"')}&startIndex=${start}&count=50`);
      expect(res.body.totalResults).toBe(120);
      for (const r of res.body.Resources ?? []) seen.add(String(r.id));
    }
    expect(seen.size).toBe(120);
    const all = await env.call('GET', '/Users?count=1000');
    expect(Number(all.body.totalResults)).toBeGreaterThanOrEqual(120);
  });
});

describe.skipIf(!HAVE_SLAPD)('memberOf on the user', () => {
  it.skipIf(!HAVE_MEMBEROF)('reads groups from memberOf and filters by groups.value', async () => {
    const { call, connector } = scim(slapd);
    try {
      const u = await call('POST', '/Users', user('mo-user'));
      const g = await call('POST', '/Groups', { displayName: 'mo-group', members: [{ value: u.body.id }] });
      expect(g.status).toBe(201);
      const got = await call('GET', `/Users/${u.body.id}`);
      expect(got.body.groups).toEqual([{ value: g.body.id, type: 'direct' }]);
      const byGroup = await call('GET', `/Users?filter=${enc(`groups.value eq "${g.body.id}"`)}`);
      expect(byGroup.body.Resources?.map((r) => r.userName)).toEqual(['mo-user']);
    } finally {
      await connector.close?.();
    }
  });

  it('finds groups by searching when the directory has no memberOf', async () => {
    const { call, connector } = scim(slapd, { memberOfAttribute: null });
    try {
      const u = await call('POST', '/Users', user('search-user'));
      const g = await call('POST', '/Groups', { displayName: 'search-group', members: [{ value: u.body.id }] });
      const got = await call('GET', `/Users/${u.body.id}`);
      expect(got.body.groups).toEqual([{ value: g.body.id, type: 'direct' }]);
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('renames', () => {
  it('refuses a rename unless allowModifyDN is set', async () => {
    const { call, connector } = scim(slapd, { allowModifyDN: false });
    try {
      const u = await call('POST', '/Users', user('fixed-name'));
      const r = await call('PATCH', `/Users/${u.body.id}`, patchBody([{ op: 'replace', path: 'userName', value: 'other-name' }]));
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe('mutability');
      expect((await call('GET', `/Users/${u.body.id}`)).body.userName).toBe('fixed-name');
      // Other attributes still change.
      const t = await call('PATCH', `/Users/${u.body.id}`, patchBody([{ op: 'replace', path: 'title', value: 'Boss' }]));
      expect(t.body.title).toBe('Boss');
    } finally {
      await connector.close?.();
    }
  });

  it('keeps group membership when a member is renamed (entryUUID ids stay, DNs follow)', async () => {
    const { call, connector } = scim(slapd, { idStrategy: 'entryUUID' });
    try {
      const u = await call('POST', '/Users', user('before-rename'));
      const g = await call('POST', '/Groups', { displayName: 'rename-group', members: [{ value: u.body.id }] });
      const r = await call(
        'PATCH',
        `/Users/${u.body.id}`,
        patchBody([{ op: 'replace', path: 'userName', value: 'after-rename' }]),
      );
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(u.body.id);
      const got = await call('GET', `/Groups/${g.body.id}`);
      expect(got.body.members).toEqual([{ value: u.body.id }]);
      const raw = await rawRead(slapd, `cn=rename-group,ou=groups,dc=example,dc=org`, ['member']);
      expect(canonicalDn(String(raw?.member))).toBe(`uid=after-rename,${PEOPLE}`);
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('passwords', () => {
  const canBind = async (dn: string, pw: string) => {
    const c = new Client({ url: slapd.url, timeout: 10_000 });
    try {
      await c.bind(dn, pw);
      return true;
    } catch {
      return false;
    } finally {
      await c.unbind();
    }
  };

  it('sets passwords hashed by the server, never returns or logs them', async () => {
    const lines: string[] = [];
    const log = Object.fromEntries(
      ['debug', 'info', 'warn', 'error'].map((l) => [
        l,
        (msg: string, data?: unknown) => lines.push(`${l} ${msg} ${JSON.stringify(data)}`),
      ]),
    ) as unknown as import('@scimgw/core').Logger;
    const { call, connector } = scim(slapd, {}, { log });
    try {
      const first = 'Fïrst-S3cret!';
      const second = 'Sëcond-S3cret!';
      const u = await call('POST', '/Users', user('pw-user', { password: first }));
      expect(u.status).toBe(201);
      expect(u.body.password).toBeUndefined();
      const dn = `uid=pw-user,${PEOPLE}`;
      expect(await canBind(dn, first)).toBe(true);
      const raw = await rawRead(slapd, dn, ['userPassword']);
      expect(String(raw?.userPassword)).toMatch(/^\{SSHA\}/);
      const p = await call('PATCH', `/Users/${u.body.id}`, patchBody([{ op: 'replace', path: 'password', value: second }]));
      expect(p.status).toBe(200);
      expect(p.body.password).toBeUndefined();
      expect(await canBind(dn, second)).toBe(true);
      expect(await canBind(dn, first)).toBe(false);
      // An error path too: a duplicate create with a password.
      expect((await call('POST', '/Users', user('pw-user', { password: first }))).status).toBe(409);
      const all = lines.join('\n');
      expect(all).not.toContain(first);
      expect(all).not.toContain(second);
      expect(all).not.toContain(GW_PW);
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('LDAPS and StartTLS with a CA from the configuration', () => {
  const roundTrip = async (env: ReturnType<typeof scim>, name: string): Promise<Res> => {
    const created = await env.call('POST', '/Users', user(name));
    if (created.status !== 201) return created;
    return env.call('GET', `/Users/${created.body.id}`);
  };

  it('works over ldaps:// with the test CA', async () => {
    const env = scim(slapd, { baseUrls: [slapd.ldapsUrl], tls: { ca: slapd.caPem } });
    try {
      expect((await roundTrip(env, 'tls-ldaps')).status).toBe(200);
      expect(env.connector.tenant().dir.pool.encrypted).toBe(true);
    } finally {
      await env.connector.close?.();
    }
  });

  it('works with StartTLS on ldap:// with the test CA', async () => {
    const env = scim(slapd, { startTls: true, tls: { ca: slapd.caPem } });
    try {
      expect((await roundTrip(env, 'tls-starttls')).status).toBe(200);
    } finally {
      await env.connector.close?.();
    }
  });

  it('refuses a server certificate it cannot verify (503, nothing written)', async () => {
    for (const over of [{ baseUrls: [slapd.ldapsUrl] }, { startTls: true }]) {
      const env = scim(slapd, { ...over, connectTimeoutMs: 3000 });
      try {
        const res = await env.call('POST', '/Users', user('tls-untrusted'));
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
      } finally {
        await env.connector.close?.();
      }
    }
    expect(await rawRead(slapd, `uid=tls-untrusted,${PEOPLE}`, ['uid'])).toBeUndefined();
  });
});

describe.skipIf(!HAVE_SLAPD)('errors from the directory', () => {
  it('turns a missing required attribute (65) into 400 and a duplicate (68) into 409', async () => {
    // Without derived defaults (requiredAttributes: {}), a user without displayName has no cn.
    const { call, connector } = scim(slapd, { requiredAttributes: {} });
    try {
      const noCn = await call('POST', '/Users', { userName: 'no-cn', name: { familyName: 'F' } });
      expect(noCn.status).toBe(400);
      expect(noCn.body.scimType).toBe('invalidValue');
      expect((await call('POST', '/Users', user('dup-user'))).status).toBe(201);
      const dup = await call('POST', '/Users', user('DUP-USER'));
      expect(dup.status).toBe(409);
      expect(dup.body.scimType).toBe('uniqueness');
    } finally {
      await connector.close?.();
    }
  });

  it('turns insufficient access (50) into 403', async () => {
    await slapd.ldapadd(
      `dn: uid=reader,${PEOPLE}\nobjectClass: inetOrgPerson\nuid: reader\ncn: reader\nsn: reader\nuserPassword: reader-pw\n`,
    );
    const { call, connector } = scim(slapd, { username: `uid=reader,${PEOPLE}`, password: 'reader-pw' });
    try {
      const res = await call('POST', '/Users', user('by-reader'));
      expect(res.status).toBe(403);
    } finally {
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('reconnects after the server restarts', () => {
  it('answers 503 while slapd is down and succeeds once it is back on the same port and data', async () => {
    const { call, connector } = scim(slapd, { connectTimeoutMs: 2000 });
    try {
      const u = await call('POST', '/Users', user('survivor'));
      expect(u.status).toBe(201);
      await slapd.stop();
      const down = await call('GET', `/Users/${u.body.id}`);
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('5');
      await slapd.start();
      const up = await call('GET', `/Users/${u.body.id}`);
      expect(up.status).toBe(200);
      expect(up.body.userName).toBe('survivor');
      // A restart between two requests is invisible to the client.
      await slapd.stop();
      await slapd.start();
      const again = await call('PATCH', `/Users/${u.body.id}`, patchBody([{ op: 'replace', path: 'title', value: 'Back' }]));
      expect(again.status).toBe(200);
      expect(again.body.title).toBe('Back');
    } finally {
      await connector.close?.();
    }
  });
});
