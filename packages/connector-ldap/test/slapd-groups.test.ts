/**
 * Groups against a real OpenLDAP: the groupOfNames placeholder, idempotent
 * membership (permissive modify and the 20/16 fallback), one LDAP modify per
 * PATCH for a 5,000-member group, uniqueMember, renames, value-map
 * allowlists and membership clean-up when a user is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalDn, dnKey } from '../src/index.js';
import { Attribute, Change, Client } from 'ldapts';
import type { ClientFactory } from '../src/index.js';
import { countingFactory, enc, patchBody, rawRead, scim } from './helpers/config.js';
import { ADMIN_DN, ADMIN_PW, ADMINS, GROUPS, GW_DN, HAVE_SLAPD, PEOPLE, type Slapd, startSlapd } from './helpers/slapd.js';

let slapd: Slapd;
beforeAll(async () => {
  if (HAVE_SLAPD) slapd = await startSlapd();
});
afterAll(async () => {
  await slapd?.destroy();
});

const user = (userName: string) => ({ userName, displayName: userName, name: { familyName: 'F' } });
const memberDns = async (dn: string, attr = 'member') => {
  const raw = await rawRead(slapd, dn, [attr]);
  const v = raw?.[attr];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => dnKey(String(x)));
};

for (const permissiveModify of [true, false]) {
  describe.skipIf(!HAVE_SLAPD)(`membership (permissiveModify: ${permissiveModify})`, () => {
    const counts: Record<string, number> = {};
    let env: ReturnType<typeof scim>;
    const tag = permissiveModify ? 'p' : 'f';
    let a: string;
    let b: string;
    beforeAll(async () => {
      env = scim(slapd, { permissiveModify }, { clientFactory: countingFactory(counts) });
      a = String((await env.call('POST', '/Users', user(`${tag}-member-a`))).body.id);
      b = String((await env.call('POST', '/Users', user(`${tag}-member-b`))).body.id);
    });
    afterAll(async () => {
      await env.connector.close?.();
    });

    it('creates an empty groupOfNames with the placeholder, hidden from SCIM', async () => {
      const g = await env.call('POST', '/Groups', { displayName: `${tag}-empty` });
      expect(g.status).toBe(201);
      expect(g.body.members).toBeUndefined();
      expect(await memberDns(`cn=${tag}-empty,${GROUPS}`)).toEqual([dnKey(GW_DN)]);
      const got = await env.call('GET', `/Groups/${enc(String(g.body.id))}`);
      expect(got.body.members).toBeUndefined();
    });

    it('drops the placeholder when the first member arrives and restores it when the last leaves', async () => {
      const g = await env.call('POST', '/Groups', { displayName: `${tag}-cycle` });
      const gid = enc(String(g.body.id));
      const dn = `cn=${tag}-cycle,${GROUPS}`;
      expect(
        (await env.call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'add', path: 'members', value: [{ value: a }] }]))).status,
      ).toBe(204);
      expect(await memberDns(dn)).toEqual([dnKey(`uid=${tag}-member-a,${PEOPLE}`)]);
      const rm = await env.call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'remove', path: `members[value eq "${a}"]` }]));
      expect(rm.status).toBe(204);
      expect(await memberDns(dn)).toEqual([dnKey(GW_DN)]);
      expect((await env.call('GET', `/Groups/${gid}`)).body.members).toBeUndefined();
      // Okta's "replace members []" and a path-less remove end the same way.
      await env.call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }]));
      expect((await env.call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'replace', path: 'members', value: [] }]))).status).toBe(
        204,
      );
      expect(await memberDns(dn)).toEqual([dnKey(GW_DN)]);
    });

    it('treats adding a present member and removing an absent one as success', async () => {
      const g = await env.call('POST', '/Groups', { displayName: `${tag}-idem`, members: [{ value: a }] });
      const gid = enc(String(g.body.id));
      const before = counts.modify ?? 0;
      const add = await env.call(
        'PATCH',
        `/Groups/${gid}`,
        patchBody([{ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }]),
      );
      expect(add.status).toBe(204);
      const rm = await env.call(
        'PATCH',
        `/Groups/${gid}`,
        patchBody([{ op: 'Remove', path: 'members', value: [{ value: `uid=${tag}-nobody,${PEOPLE}` }, { value: a }] }]),
      );
      expect(rm.status).toBe(204);
      const same = await env.call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'add', path: 'members', value: [{ value: b }] }]));
      expect(same.status).toBe(204);
      const got = await env.call('GET', `/Groups/${gid}`);
      expect(got.body.members).toEqual([{ value: b }]);
      const used = (counts.modify ?? 0) - before;
      // One modify per PATCH with permissive modify; the fallback may retry once per PATCH.
      if (permissiveModify) expect(used).toBe(3);
      else expect(used).toBeLessThanOrEqual(6);
    });
  });
}

describe.skipIf(!HAVE_SLAPD)('a 5,000-member group', () => {
  const counts: Record<string, number> = {};
  let env: ReturnType<typeof scim>;
  const N = 5000;
  beforeAll(async () => {
    const ldif = Array.from({ length: N + 1 }, (_, i) => {
      const n = `bulk-${String(i).padStart(5, '0')}`;
      return `dn: uid=${n},${PEOPLE}\nobjectClass: inetOrgPerson\nuid: ${n}\ncn: ${n}\nsn: Bulk\n`;
    }).join('\n');
    await slapd.ldapadd(ldif);
    env = scim(slapd, { idStrategy: 'entryUUID' }, { clientFactory: countingFactory(counts) });
  }, 120_000);
  afterAll(async () => {
    await env.connector.close?.();
  });

  it('adds 5,000 members in one PATCH with one LDAP modify, and one more member with one more', async () => {
    const ids: string[] = [];
    for (let start = 1; start <= N + 1; start += 1000) {
      const page = await env.call(
        'GET',
        `/Users?filter=${enc('name.familyName eq "Bulk"')}&startIndex=${start}&count=1000&attributes=id`,
      );
      expect(page.body.totalResults).toBe(N + 1);
      ids.push(...(page.body.Resources ?? []).map((r) => String(r.id)));
    }
    expect(new Set(ids).size).toBe(N + 1);
    const [extra, ...members] = ids;
    const g = await env.call('POST', '/Groups', { displayName: 'big-group' });
    const gid = enc(String(g.body.id));

    let before = counts.modify ?? 0;
    const add = await env.call(
      'PATCH',
      `/Groups/${gid}`,
      patchBody([{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }]),
    );
    expect(add.status).toBe(204);
    expect((counts.modify ?? 0) - before).toBe(1);
    expect(await memberDns(`cn=big-group,${GROUPS}`)).toHaveLength(N);

    before = counts.modify ?? 0;
    const searches = counts.search ?? 0;
    const one = await env.call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'add', path: 'members', value: [{ value: extra }] }]));
    expect(one.status).toBe(204);
    expect((counts.modify ?? 0) - before).toBe(1);
    // Adding one member reads neither the group's members nor the other users: a couple of small searches.
    expect((counts.search ?? 0) - searches).toBeLessThanOrEqual(3);

    before = counts.modify ?? 0;
    const rm = await env.call(
      'PATCH',
      `/Groups/${gid}`,
      patchBody([{ op: 'remove', path: `members[value eq "${members[0]}"]` }]),
    );
    expect(rm.status).toBe(204);
    expect((counts.modify ?? 0) - before).toBe(1);

    const got = await env.call('GET', `/Groups/${gid}`);
    expect(got.body.members).toHaveLength(N);
    const byMember = await env.call('GET', `/Groups?filter=${enc(`members.value eq "${extra}"`)}&excludedAttributes=members`);
    expect(byMember.body.Resources?.map((r) => r.displayName)).toEqual(['big-group']);
    expect(byMember.body.Resources?.[0]?.members).toBeUndefined();

    // A PUT that lists the 5,000 members with one swapped: one modify of two values, and the
    // members resolved in a few searches (memberOf), not a search per 200 of them.
    const now = (got.body.members as { value: string }[]).map((m) => m.value);
    const swapped = [...now.filter((v) => v !== extra), members[0] as string];
    const sent: { operation: string; values: number }[] = [];
    const spy = scim(
      slapd,
      { idStrategy: 'entryUUID', idCacheSeconds: 0 },
      {
        clientFactory: (o) => {
          const c = countingFactory(counts)(o);
          const modify = c.modify.bind(c);
          c.modify = (dn, changes, controls) => {
            for (const ch of Array.isArray(changes) ? changes : [changes])
              sent.push({ operation: ch.operation, values: ch.modification.values.length });
            return modify(dn, changes, controls);
          };
          return c;
        },
      },
    );
    try {
      const searches2 = counts.search ?? 0;
      const put = await spy.call('PUT', `/Groups/${gid}`, {
        displayName: 'big-group',
        members: swapped.map((value) => ({ value })),
      });
      expect(put.status).toBe(200);
      expect(sent).toEqual([
        { operation: 'add', values: 1 },
        { operation: 'delete', values: 1 },
      ]);
      // The read before, the memberOf search and its stragglers, the read after.
      expect((counts.search ?? 0) - searches2).toBeLessThanOrEqual(12);
      expect(await memberDns(`cn=big-group,${GROUPS}`)).toHaveLength(N);
    } finally {
      await spy.connector.close?.();
    }
  }, 120_000);
});

describe.skipIf(!HAVE_SLAPD)('other group shapes and rules', () => {
  it('works with groupOfUniqueNames / uniqueMember', async () => {
    const { call, connector } = scim(
      slapd,
      {
        groupMemberAttribute: 'uniqueMember',
        groupFilter: '(objectClass=groupOfUniqueNames)',
        objectClasses: { user: ['top', 'inetOrgPerson', 'scimgwAccount'], group: ['top', 'groupOfUniqueNames'] },
      },
      {
        map: {
          user: { uid: { mapTo: 'userName' }, cn: { mapTo: 'displayName' }, sn: { mapTo: 'name.familyName' } },
          group: { cn: { mapTo: 'displayName' } },
        },
      },
    );
    try {
      const u = await call('POST', '/Users', user('unique-member'));
      const g = await call('POST', '/Groups', { displayName: 'unique-group', members: [{ value: u.body.id }] });
      expect(g.status).toBe(201);
      expect(g.body.members).toEqual([{ value: u.body.id }]);
      expect(await memberDns(`cn=unique-group,${GROUPS}`, 'uniqueMember')).toEqual([dnKey(`uid=unique-member,${PEOPLE}`)]);
      const rm = await call('PATCH', `/Groups/${g.body.id}`, patchBody([{ op: 'remove', path: 'members' }]));
      expect(rm.status).toBe(204);
      expect(await memberDns(`cn=unique-group,${GROUPS}`, 'uniqueMember')).toEqual([dnKey(GW_DN)]);
    } finally {
      await connector.close?.();
    }
  });

  it('renames a group when displayName changes and keeps its members', async () => {
    const { call, connector } = scim(slapd, { idStrategy: 'dn' });
    try {
      const u = await call('POST', '/Users', user('rename-g-member'));
      const g = await call('POST', '/Groups', { displayName: 'Old Name, Inc.', members: [{ value: u.body.id }] });
      const p = await call(
        'PATCH',
        `/Groups/${enc(String(g.body.id))}?attributes=displayName,members`,
        patchBody([{ op: 'replace', path: 'displayName', value: 'New Name + Co' }]),
      );
      expect(p.status).toBe(200);
      expect(canonicalDn(String(p.body.id))).toBe(`cn=New Name \\+ Co,${GROUPS}`);
      expect(p.body.members).toEqual([{ value: u.body.id }]);
      expect((await call('GET', `/Groups/${enc(String(g.body.id))}`)).status).toBe(404);
    } finally {
      await connector.close?.();
    }
  });

  it('shows only allowlisted groups under their SCIM names (valueMap)', async () => {
    await slapd.ldapadd(
      ['Employees', 'Secret-Admins']
        .map((cn) => `dn: cn=${cn},${GROUPS}\nobjectClass: groupOfNames\ncn: ${cn}\nmember: ${GW_DN}\n`)
        .join('\n'),
    );
    const map = {
      user: { uid: { mapTo: 'userName' }, cn: { mapTo: 'displayName' }, sn: { mapTo: 'name.familyName' } },
      group: { cn: { mapTo: 'displayName', valueMap: { Employees: 'Staff', Contractors: 'Externals' } } },
    };
    const { call, connector } = scim(slapd, {}, { map });
    try {
      const all = await call('GET', '/Groups?count=100');
      expect(all.body.Resources?.map((r) => r.displayName).sort()).toEqual(['Staff']);
      const byName = await call('GET', `/Groups?filter=${enc('displayName eq "Staff"')}`);
      expect(byName.body.totalResults).toBe(1);
      expect((await call('GET', `/Groups?filter=${enc('displayName eq "Secret-Admins"')}`)).body.totalResults).toBe(0);
      const created = await call('POST', '/Groups', { displayName: 'Externals' });
      expect(created.status).toBe(201);
      expect(await rawRead(slapd, `cn=Contractors,${GROUPS}`, ['cn'])).toBeDefined();
      expect((await call('POST', '/Groups', { displayName: 'Not-Listed' })).status).toBe(400);
    } finally {
      await connector.close?.();
    }
  });

  it('removes a deleted user from its groups (no referential integrity in the directory)', async () => {
    const { call, connector } = scim(slapd, { idStrategy: 'entryUUID' });
    try {
      const u1 = await call('POST', '/Users', user('leaver'));
      const u2 = await call('POST', '/Users', user('stayer'));
      const g1 = await call('POST', '/Groups', { displayName: 'leaver-only', members: [{ value: u1.body.id }] });
      const g2 = await call('POST', '/Groups', {
        displayName: 'leaver-and-stayer',
        members: [{ value: u1.body.id }, { value: u2.body.id }],
      });
      expect((await call('DELETE', `/Users/${u1.body.id}`)).status).toBe(204);
      expect(await memberDns(`cn=leaver-only,${GROUPS}`)).toEqual([dnKey(GW_DN)]);
      expect(await memberDns(`cn=leaver-and-stayer,${GROUPS}`)).toEqual([dnKey(`uid=stayer,${PEOPLE}`)]);
      expect((await call('GET', `/Groups/${g1.body.id}`)).body.members).toBeUndefined();
      expect((await call('GET', `/Groups/${g2.body.id}`)).body.members).toEqual([{ value: u2.body.id }]);
    } finally {
      await connector.close?.();
    }
  });

  it('applies irregular member filters on the read list (remove members[value ne …])', async () => {
    const { call, connector } = scim(slapd, { idStrategy: 'entryUUID' });
    try {
      const a = await call('POST', '/Users', user('complex-a'));
      const b = await call('POST', '/Users', user('complex-b'));
      const g = await call('POST', '/Groups', { displayName: 'complex', members: [{ value: a.body.id }, { value: b.body.id }] });
      const p = await call(
        'PATCH',
        `/Groups/${g.body.id}`,
        patchBody([{ op: 'remove', path: `members[value ne "${a.body.id}"]` }]),
      );
      expect(p.status).toBe(204);
      expect((await call('GET', `/Groups/${g.body.id}`)).body.members).toEqual([{ value: a.body.id }]);
    } finally {
      await connector.close?.();
    }
  });

  it('writes only what an irregular member filter changes: members out of scope or added meanwhile stay', async () => {
    const sent: { operation: string; type: string; values: number }[] = [];
    const factory: ClientFactory = (o) => {
      const c = new Client(o);
      const modify = c.modify.bind(c);
      c.modify = (dn, changes, controls) => {
        for (const ch of Array.isArray(changes) ? changes : [changes]) {
          sent.push({ operation: ch.operation, type: ch.modification.type, values: ch.modification.values.length });
        }
        return modify(dn, changes, controls);
      };
      return c;
    };
    const { call, connector } = scim(slapd, { idStrategy: 'entryUUID' }, { clientFactory: factory });
    const admin = new Client({ url: slapd.url, strictDN: false });
    try {
      const a = await call('POST', '/Users', user('delta-a'));
      const b = await call('POST', '/Users', user('delta-b'));
      const g = await call('POST', '/Groups', { displayName: 'delta', members: [{ value: a.body.id }, { value: b.body.id }] });
      const dn = `cn=delta,${GROUPS}`;
      // A member outside the gateway's bases, and one added by another client: SCIM sees neither.
      await slapd.ldapadd(`dn: uid=delta-outsider,${ADMINS}\nobjectClass: inetOrgPerson\nuid: delta-outsider\ncn: o\nsn: o\n`);
      await admin.bind(ADMIN_DN, ADMIN_PW);
      await admin.modify(
        dn,
        new Change({
          operation: 'add',
          modification: new Attribute({ type: 'member', values: [`uid=delta-outsider,${ADMINS}`] }),
        }),
      );
      sent.length = 0;
      const p = await call(
        'PATCH',
        `/Groups/${g.body.id}`,
        patchBody([{ op: 'remove', path: `members[value sw "${String(b.body.id).slice(0, 13)}"]` }]),
      );
      expect(p.status).toBe(204);
      expect((await memberDns(dn)).sort()).toEqual(
        [dnKey(`uid=delta-a,${PEOPLE}`), dnKey(`uid=delta-outsider,${ADMINS}`)].sort(),
      );
      // One value deleted; no replace of the member list.
      expect(sent).toEqual([{ operation: 'delete', type: 'member', values: 1 }]);
    } finally {
      await admin.unbind();
      await connector.close?.();
    }
  });

  it('sets the members SCIM sees on a PUT or a members replace, and keeps members out of its scope', async () => {
    const { call, connector } = scim(slapd, { idStrategy: 'entryUUID' });
    const admin = new Client({ url: slapd.url, strictDN: false });
    try {
      const ids = await Promise.all(
        ['set-a', 'set-b', 'set-c'].map(async (n) => String((await call('POST', '/Users', user(n))).body.id)),
      );
      const [a, b, c] = ids as [string, string, string];
      const g = await call('POST', '/Groups', { displayName: 'set', members: [{ value: a }, { value: b }] });
      const dn = `cn=set,${GROUPS}`;
      await slapd.ldapadd(`dn: uid=set-outsider,${ADMINS}\nobjectClass: inetOrgPerson\nuid: set-outsider\ncn: o\nsn: o\n`);
      await admin.bind(ADMIN_DN, ADMIN_PW);
      await admin.modify(
        dn,
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`uid=set-outsider,${ADMINS}`] }) }),
      );
      const outsider = dnKey(`uid=set-outsider,${ADMINS}`);
      const put = await call('PUT', `/Groups/${g.body.id}`, { displayName: 'set', members: [{ value: b }, { value: c }] });
      expect(put.status).toBe(200);
      expect(put.body.members?.map((m) => m.value).sort()).toEqual([b, c].sort());
      expect((await memberDns(dn)).sort()).toEqual([dnKey(`uid=set-b,${PEOPLE}`), dnKey(`uid=set-c,${PEOPLE}`), outsider].sort());
      const replace = await call(
        'PATCH',
        `/Groups/${g.body.id}`,
        patchBody([{ op: 'replace', path: 'members', value: [{ value: a }] }]),
      );
      expect(replace.status).toBe(204);
      expect((await memberDns(dn)).sort()).toEqual([dnKey(`uid=set-a,${PEOPLE}`), outsider].sort());
      // Okta's "replace members []": every member SCIM sees leaves; the outsider keeps the group valid.
      const none = await call('PATCH', `/Groups/${g.body.id}`, patchBody([{ op: 'replace', path: 'members', value: [] }]));
      expect(none.status).toBe(204);
      expect(await memberDns(dn)).toEqual([outsider]);
      expect((await call('GET', `/Groups/${g.body.id}`)).body.members).toBeUndefined();
    } finally {
      await admin.unbind();
      await connector.close?.();
    }
  });

  it('rejects unknown member ids on create and add', async () => {
    const { call, connector } = scim(slapd, { idStrategy: 'entryUUID' });
    try {
      const ghost = '00000000-0000-4000-8000-000000000000';
      expect((await call('POST', '/Groups', { displayName: 'ghosts', members: [{ value: ghost }] })).status).toBe(400);
      const g = await call('POST', '/Groups', { displayName: 'ghost-free' });
      const p = await call(
        'PATCH',
        `/Groups/${g.body.id}`,
        patchBody([{ op: 'add', path: 'members', value: [{ value: ghost }] }]),
      );
      expect(p.status).toBe(400);
    } finally {
      await connector.close?.();
    }
  });

  it('reads a group again without resolving its members, and sees a member replaced by others after idCacheSeconds', async () => {
    const counts: Record<string, number> = {};
    const { call, connector } = scim(
      slapd,
      { idStrategy: 'entryUUID', idCacheSeconds: 1 },
      { clientFactory: countingFactory(counts) },
    );
    const admin = new Client({ url: slapd.url, timeout: 10_000, strictDN: false });
    try {
      const ids = [];
      for (const n of ['cache-a', 'cache-b', 'cache-c']) ids.push(String((await call('POST', '/Users', user(n))).body.id));
      const g = await call('POST', '/Groups', { displayName: 'cached', members: ids.map((value) => ({ value })) });
      const gid = enc(String(g.body.id));
      const members = async () =>
        ((await call('GET', `/Groups/${gid}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();
      expect(await members()).toEqual([...ids].sort());
      const before = counts.search ?? 0;
      expect(await members()).toEqual([...ids].sort());
      // The group itself, nothing for its members.
      expect((counts.search ?? 0) - before).toBe(1);

      // A member deleted through the gateway: gone at once.
      expect((await call('DELETE', `/Users/${ids[2]}`)).status).toBe(204);
      expect(await members()).toEqual([ids[0], ids[1]].sort());

      // Someone else deletes cache-b and creates another entry under its DN (a new entryUUID); the
      // group still lists the DN. Within idCacheSeconds the old id may still be shown; after, the new one.
      await admin.bind(ADMIN_DN, ADMIN_PW);
      const dnB = `uid=cache-b,${PEOPLE}`;
      await admin.del(dnB);
      await admin.add(dnB, { objectClass: ['inetOrgPerson', 'scimgwAccount'], uid: 'cache-b', cn: 'cache-b', sn: 'F' });
      const newB = (await call('GET', `/Users?filter=${enc('userName eq "cache-b"')}`)).body.Resources?.[0]?.id;
      expect(newB).toBeDefined();
      expect(newB).not.toBe(ids[1]);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await members()).toEqual([ids[0], newB].sort());
    } finally {
      await admin.unbind();
      await connector.close?.();
    }
  });

  it("reuses a group's member ids while its entryCSN is unchanged, and shows every member change at once", async () => {
    // Attributes asked for by each search the connector sends.
    const asked: string[][] = [];
    const recording: ClientFactory = (o) => {
      const c = new Client(o);
      const orig = c.search.bind(c);
      c.search = ((base: string, opts?: { attributes?: string[] }) => {
        asked.push((opts?.attributes ?? []).map((a) => a.toLowerCase()));
        return orig(base, opts);
      }) as typeof c.search;
      return c;
    };
    // Kept ids outlive the test: what shows the changes below is the group's stamp, not their age.
    const { call, connector } = scim(slapd, { idStrategy: 'entryUUID', idCacheSeconds: 600 }, { clientFactory: recording });
    const admin = new Client({ url: slapd.url, timeout: 10_000, strictDN: false });
    try {
      await admin.bind(ADMIN_DN, ADMIN_PW);
      const ids: string[] = [];
      for (const n of ['stamp-a', 'stamp-b', 'stamp-c']) ids.push(String((await call('POST', '/Users', user(n))).body.id));
      const [a, b, c] = ids as [string, string, string];
      const g = await call('POST', '/Groups', { displayName: 'stamped', members: [{ value: a }, { value: b }] });
      const gid = enc(String(g.body.id));
      const gdn = `cn=stamped,${GROUPS}`;
      const members = async () =>
        ((await call('GET', `/Groups/${gid}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();
      const read = async () => {
        asked.length = 0;
        const m = await members();
        return { members: m, memberValuesRead: asked.some((x) => x.includes('member')), searches: asked.length };
      };
      expect(await members()).toEqual([a, b].sort());
      // The ETag of a read from kept ids is the one of a read that resolved them, and of another
      // gateway that keeps nothing.
      const etag = async () => (await call('GET', `/Groups/${gid}`)).headers.etag;
      const other = scim(slapd, { idStrategy: 'entryUUID', idCacheSeconds: 0 });
      const first = await etag();
      expect(first).toMatch(/^W\/"/);
      expect(await etag()).toBe(first);
      expect((await other.call('GET', `/Groups/${gid}`)).headers.etag).toBe(first);
      await other.connector.close?.();
      // Unchanged: one search for the group, its member values not asked for.
      expect(await read()).toEqual({ members: [a, b].sort(), memberValuesRead: false, searches: 1 });

      // Changed by someone else (the gateway's own caches know nothing of it): seen in the next read.
      await admin.modify(gdn, [
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`uid=stamp-c,${PEOPLE}`] }) }),
      ]);
      expect((await read()).members).toEqual([a, b, c].sort());
      await admin.modify(gdn, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`uid=stamp-a,${PEOPLE}`] }) }),
      ]);
      const afterDelete = await read();
      expect(afterDelete.members).toEqual([b, c].sort());
      expect(afterDelete.memberValuesRead).toBe(true);
      expect(await read()).toEqual({ members: [b, c].sort(), memberValuesRead: false, searches: 1 });

      // Members changed: so did the ETag.
      expect(await etag()).not.toBe(first);
      // Changed through the gateway.
      expect(
        (await call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'add', path: 'members', value: [{ value: a }] }]))).status,
      ).toBe(204);
      expect((await read()).members).toEqual([a, b, c].sort());
      expect(
        (await call('PATCH', `/Groups/${gid}`, patchBody([{ op: 'remove', path: `members[value eq "${c}"]` }]))).status,
      ).toBe(204);
      expect((await read()).members).toEqual([a, b].sort());

      // A listing of the group agrees, and a change made after it is seen by the next read.
      const listedMembers = async () =>
        (
          ((await call('GET', `/Groups?filter=${enc('displayName eq "stamped"')}`)).body.Resources?.[0]?.members ?? []) as {
            value: string;
          }[]
        )
          .map((m) => m.value)
          .sort();
      expect(await listedMembers()).toEqual([a, b].sort());
      await admin.modify(gdn, [
        new Change({ operation: 'replace', modification: new Attribute({ type: 'member', values: [`uid=stamp-c,${PEOPLE}`] }) }),
      ]);
      expect((await read()).members).toEqual([c]);
      expect(await listedMembers()).toEqual([c]);
    } finally {
      await admin.unbind();
      await connector.close?.();
    }
  });
});

describe.skipIf(!HAVE_SLAPD)('the ETag of a group read without its members', () => {
  for (const idCacheSeconds of [0, 600]) {
    it(`is the whole group's, so a write conditioned on it succeeds (idCacheSeconds: ${idCacheSeconds})`, async () => {
      const tag = `etag-${idCacheSeconds}`;
      const { connector, call } = scim(slapd, { idStrategy: 'entryUUID', idCacheSeconds });
      const cold = scim(slapd, { idStrategy: 'entryUUID', idCacheSeconds });
      try {
        const a = String((await call('POST', '/Users', user(`${tag}-a`))).body.id);
        const b = String((await call('POST', '/Users', user(`${tag}-b`))).body.id);
        const g = await call('POST', '/Groups', { displayName: `${tag}-group`, members: [{ value: a }] });
        const gid = enc(String(g.body.id));
        // First read without members on a gateway that has kept nothing, then the whole group.
        const slim = await cold.call('GET', `/Groups/${gid}?excludedAttributes=members`);
        expect(slim.status).toBe(200);
        expect(slim.body.members).toBeUndefined();
        const whole = await call('GET', `/Groups/${gid}`);
        expect(whole.body.members).toEqual([expect.objectContaining({ value: a })]);
        expect(slim.headers.etag).toMatch(/^W\/"/);
        expect(slim.headers.etag).toBe(whole.headers.etag);
        const byAttributes = await call('GET', `/Groups/${gid}?attributes=displayName`);
        expect(byAttributes.headers.etag).toBe(whole.headers.etag);

        const add = patchBody([{ op: 'add', path: 'members', value: [{ value: b }] }]);
        expect((await call('PATCH', `/Groups/${gid}`, add, { 'if-match': String(slim.headers.etag) })).status).toBe(204);
        // The members changed, so did the tag: the old one no longer matches, the new one does.
        const after = await cold.call('GET', `/Groups/${gid}?excludedAttributes=members`);
        expect(after.headers.etag).not.toBe(slim.headers.etag);
        const again = patchBody([{ op: 'remove', path: `members[value eq "${a}"]` }]);
        expect((await call('PATCH', `/Groups/${gid}`, again, { 'if-match': String(slim.headers.etag) })).status).toBe(412);
        expect((await call('PATCH', `/Groups/${gid}`, again, { 'if-match': String(after.headers.etag) })).status).toBe(204);
        expect((await call('GET', `/Groups/${gid}`)).body.members).toEqual([expect.objectContaining({ value: b })]);
      } finally {
        await connector.close?.();
        await cold.connector.close?.();
      }
    });
  }
});
