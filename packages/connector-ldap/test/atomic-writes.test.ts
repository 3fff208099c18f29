/**
 * A write answered with an error leaves the directory as it was (RFC 7644 §3.5.2: a PATCH is
 * applied whole or not at all), against a real slapd. Every client write that takes more than one
 * LDAP operation (rename, attributes, the user's groups, a password, an add and its password) is
 * walked with the directory refusing each of its operations in turn: whenever the answer is an
 * error, every entry under the suffix reads as it did before the request, and the same request
 * sent again without the fault succeeds.
 */
import { type Client, UnwillingToPerformError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScimHandler } from '@scimgw/core/handler';
import { walkRefusals } from '@scimgw/core/testkit';
import type { Logger } from '@scimgw/core';
import { ACTIVE_DIRECTORY_MAP, createLdapConnector } from '../src/index.js';
import type { ClientFactory } from '../src/pool.js';
import { endpointConfig, enc, patchBody, type Res } from './helpers/config.js';
import { FAKE_AD_LDAP, FakeAd } from './helpers/fake-ad.js';
import { HAVE_SLAPD, type Slapd, startSlapd, SUFFIX } from './helpers/slapd.js';
import { Client as LdapClient } from 'ldapts';

let slapd: Slapd;
beforeAll(async () => {
  if (HAVE_SLAPD) slapd = await startSlapd();
});
afterAll(async () => {
  await slapd?.destroy();
});

/** Which client calls are writes, and so can be refused. */
const WRITES = ['add', 'modify', 'del', 'modifyDN', 'exop'] as const;

/** Refuses the `at`-th write while armed; with `after`, every write after it too. */
interface Fault {
  armed: boolean;
  at: number;
  after: boolean;
  seen: number;
}

function faultyFactory(fault: Fault): ClientFactory {
  return (o) => {
    const c = new LdapClient(o);
    for (const op of WRITES) {
      const orig = (c[op] as (...a: unknown[]) => Promise<unknown>).bind(c);
      (c as unknown as Record<string, unknown>)[op] = (...a: unknown[]) => {
        if (fault.armed) {
          fault.seen++;
          if (fault.seen === fault.at || (fault.after && fault.seen > fault.at))
            return Promise.reject(new UnwillingToPerformError('refused by the test'));
        }
        return orig(...a);
      };
    }
    return c as Client;
  };
}

/** Every entry under the suffix as the directory manager sees it: user attributes and memberOf. */
async function snapshot(): Promise<Map<string, string>> {
  const c = new LdapClient({ url: slapd.url, timeout: 10_000, connectTimeout: 5_000 });
  try {
    await c.bind('cn=admin,dc=example,dc=org', 'secret');
    const r = await c.search(SUFFIX, { scope: 'sub', attributes: ['*', 'memberOf'] });
    // Keyed by DN, so the order the directory lists them in does not matter.
    const out = new Map<string, string>();
    for (const e of r.searchEntries) {
      const attrs = Object.entries(e)
        .filter(([k]) => k !== 'dn')
        .map(([k, v]) => [k.toLowerCase(), (Array.isArray(v) ? v : [v]).map((x) => String(x).toLowerCase()).sort()] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1));
      out.set(e.dn.toLowerCase(), JSON.stringify(attrs));
    }
    return out;
  } finally {
    await c.unbind();
  }
}

const sorted = (m: Map<string, string>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

interface Logged {
  msg: string;
  fields: Record<string, unknown>;
}

function setup(groupMemberOfUser: boolean) {
  const fault: Fault = { armed: false, at: 0, after: false, seen: 0 };
  const warnings: Logged[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (msg: string, fields?: Record<string, unknown>) => warnings.push({ msg, fields: fields ?? {} }),
    error() {},
  };
  const connector = createLdapConnector({
    config: endpointConfig(slapd, { maintainMembership: true }),
    clientFactory: faultyFactory(fault),
    groupMemberOfUser,
    log,
  });
  const h = createScimHandler({ connector });
  const call = async (method: string, url: string, body?: unknown) =>
    (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as unknown as Res;
  return { fault, warnings, call, connector };
}

type Call = ReturnType<typeof setup>['call'];

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  userName,
  displayName: `Display ${userName}`,
  name: { givenName: 'Given', familyName: 'Family' },
  title: 'Before',
  ...extra,
});

async function created(call: Call, path: string, body: unknown): Promise<string> {
  const r = await call('POST', path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return String(r.body.id);
}

/** A client write, built on fresh entries named after `n` (each attempt gets its own). */
interface Scenario {
  name: string;
  groupMemberOfUser: boolean;
  prepare: (call: Call, n: string) => Promise<{ method: string; url: string; body: unknown }>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'PATCH a user: rename, attributes, manager, groups joined (one again) and left, password',
    groupMemberOfUser: true,
    async prepare(call, n) {
      const boss = await created(call, '/Users', user(`boss-${n}`));
      const id = await created(call, '/Users', user(`pu-${n}`));
      const left = await created(call, '/Groups', { displayName: `left-${n}`, members: [{ value: id }] });
      const joined = await created(call, '/Groups', { displayName: `joined-${n}` });
      // Joined again (IdPs send adds idempotently): an undo must not take the user out of it.
      const stays = await created(call, '/Groups', { displayName: `stays-${n}`, members: [{ value: id }] });
      return {
        method: 'PATCH',
        url: `/Users/${enc(id)}`,
        body: patchBody([
          { op: 'replace', path: 'userName', value: `pu-${n}-renamed` },
          { op: 'replace', path: 'displayName', value: 'After' },
          { op: 'replace', path: 'title', value: 'After' },
          { op: 'add', path: `${ENTERPRISE}:manager`, value: boss },
          { op: 'add', path: 'groups', value: [{ value: joined }, { value: stays }] },
          { op: 'remove', path: 'groups', value: [{ value: left }] },
          { op: 'replace', path: 'password', value: 'N3w-passw0rd!' },
        ]),
      };
    },
  },
  {
    name: 'PUT a user: rename, attributes, groups, password',
    groupMemberOfUser: true,
    async prepare(call, n) {
      const id = await created(call, '/Users', user(`ru-${n}`, { password: 'Old-passw0rd!' }));
      await created(call, '/Groups', { displayName: `rleft-${n}`, members: [{ value: id }] });
      const joined = await created(call, '/Groups', { displayName: `rjoined-${n}` });
      return {
        method: 'PUT',
        url: `/Users/${enc(id)}`,
        body: { ...user(`ru-${n}-renamed`, { title: 'After', password: 'N3w-passw0rd!' }), groups: [{ value: joined }] },
      };
    },
  },
  {
    name: 'PATCH a user without groups: rename (a member of a group, the manager of a user), attributes, password',
    groupMemberOfUser: false,
    async prepare(call, n) {
      const id = await created(call, '/Users', user(`pn-${n}`));
      await created(call, '/Groups', { displayName: `pnmember-${n}`, members: [{ value: id }] });
      // The rename rewrites the employee's manager too: refused, the employee keeps the old DN.
      await created(call, '/Users', user(`pnemp-${n}`, { [ENTERPRISE]: { manager: { value: id } } }));
      return {
        method: 'PATCH',
        url: `/Users/${enc(id)}`,
        body: patchBody([
          { op: 'replace', path: 'userName', value: `pn-${n}-renamed` },
          { op: 'replace', path: 'title', value: 'After' },
          { op: 'replace', path: 'password', value: 'N3w-passw0rd!' },
        ]),
      };
    },
  },
  {
    name: 'POST a user with a password (the add, then the password modify operation)',
    groupMemberOfUser: false,
    async prepare(_call, n) {
      return { method: 'POST', url: '/Users', body: user(`cu-${n}`, { password: 'N3w-passw0rd!' }) };
    },
  },
  {
    name: 'PATCH a group: rename, members added and removed',
    groupMemberOfUser: false,
    async prepare(call, n) {
      const a = await created(call, '/Users', user(`ga-${n}`));
      const b = await created(call, '/Users', user(`gb-${n}`));
      const id = await created(call, '/Groups', { displayName: `pg-${n}`, members: [{ value: a }] });
      await created(call, '/Groups', { displayName: `pgouter-${n}`, members: [{ value: id }] });
      return {
        method: 'PATCH',
        url: `/Groups/${enc(id)}`,
        body: patchBody([
          { op: 'replace', path: 'displayName', value: `pg-${n}-renamed` },
          { op: 'add', path: 'members', value: [{ value: b }] },
          { op: 'remove', path: 'members', value: [{ value: a }] },
        ]),
      };
    },
  },
  {
    name: 'PUT a group: rename and members',
    groupMemberOfUser: false,
    async prepare(call, n) {
      const a = await created(call, '/Users', user(`ra-${n}`));
      const b = await created(call, '/Users', user(`rb-${n}`));
      const id = await created(call, '/Groups', { displayName: `rg-${n}`, members: [{ value: a }] });
      await created(call, '/Groups', { displayName: `rgouter-${n}`, members: [{ value: id }] });
      return { method: 'PUT', url: `/Groups/${enc(id)}`, body: { displayName: `rg-${n}-renamed`, members: [{ value: b }] } };
    },
  },
];

describe.skipIf(!HAVE_SLAPD)('a write answered with an error changed nothing', () => {
  for (const [index, s] of SCENARIOS.entries()) {
    it(s.name, async () => {
      const { fault, call, warnings } = setup(s.groupMemberOfUser);
      const summary = await walkRefusals({
        prepare: (at) => s.prepare(call, `${index}-${at}`),
        snapshot: async () => sorted(await snapshot()),
        refuse: (at) => Object.assign(fault, { armed: true, at, after: false, seen: 0 }),
        disarm: () => {
          fault.armed = false;
          return fault.seen;
        },
        send: (req) => call(req.method, req.url, req.body),
      });
      // Every scenario takes at least two writes, each refused once.
      expect(summary.refused).toBe(summary.calls);
      expect(summary.calls).toBeGreaterThanOrEqual(2);
      expect(warnings.filter((w) => /could not be undone/.test(w.msg))).toEqual([]);
    });
  }

  it('an unknown group or member is refused before anything is written', async () => {
    const { fault, call } = setup(true);
    const id = await created(call, '/Users', user('early'));
    const group = await created(call, '/Groups', { displayName: 'early-group' });
    const before = await snapshot();
    Object.assign(fault, { armed: true, at: 1_000, after: false, seen: 0 });
    const u = await call(
      'PATCH',
      `/Users/${enc(id)}`,
      patchBody([
        { op: 'replace', path: 'userName', value: 'early-renamed' },
        { op: 'add', path: 'groups', value: [{ value: 'no-such-group' }] },
      ]),
    );
    const g = await call(
      'PATCH',
      `/Groups/${enc(group)}`,
      patchBody([
        { op: 'replace', path: 'displayName', value: 'early-group-renamed' },
        { op: 'add', path: 'members', value: [{ value: 'no-such-user' }] },
      ]),
    );
    const r = await call('PUT', `/Groups/${enc(group)}`, { displayName: 'early-group-renamed', members: [{ value: 'nobody' }] });
    fault.armed = false;
    expect([u.status, g.status, r.status]).toEqual([400, 400, 400]);
    expect(fault.seen).toBe(0);
    expect(sorted(await snapshot())).toEqual(sorted(before));
  });

  it('an undo the directory refuses too is logged by step, and the client gets the first error', async () => {
    const { fault, call, warnings } = setup(false);
    const id = await created(call, '/Users', user('undo-refused'));
    Object.assign(fault, { armed: true, at: 2, after: true, seen: 0 });
    const res = await call(
      'PATCH',
      `/Users/${enc(id)}`,
      patchBody([
        { op: 'replace', path: 'userName', value: 'undo-refused-renamed' },
        { op: 'replace', path: 'title', value: 'After' },
      ]),
    );
    fault.armed = false;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(String(res.body.detail)).toContain('update user');
    const logged = warnings.filter((w) => /could not be undone/.test(w.msg));
    expect(logged.map((w) => w.fields.step)).toEqual(['rename back']);
    expect(String(logged[0]?.fields.cause)).toContain('update user');
  });
});

describe('Active Directory: the password after the group writes, undone with them (fake AD)', () => {
  it('a PATCH of an attribute, a group and the password, each modify refused in turn', async () => {
    const ad = new FakeAd();
    const fault: Fault = { armed: false, at: 0, after: false, seen: 0 };
    const factory: ClientFactory = (o) => {
      const c = ad.factory(o);
      for (const op of WRITES) {
        const orig = (c as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op]?.bind(c);
        if (!orig) continue;
        (c as unknown as Record<string, unknown>)[op] = (...a: unknown[]) => {
          if (fault.armed && ++fault.seen === fault.at) return Promise.reject(new UnwillingToPerformError('refused'));
          return orig(...a);
        };
      }
      return c;
    };
    const connector = createLdapConnector({
      config: {
        ldap: FAKE_AD_LDAP,
        map: ACTIVE_DIRECTORY_MAP,
      },
      clientFactory: factory,
      groupMemberOfUser: true,
    });
    const h = createScimHandler({ connector });
    const call = async (method: string, url: string, body?: unknown) =>
      (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as unknown as Res;
    const summary = await walkRefusals({
      async prepare(n) {
        const id = await created(call, '/Users', { userName: `ad-${n}`, displayName: 'Before' });
        const group = await created(call, '/Groups', { displayName: `ad-group-${n}` });
        return {
          url: `/Users/${enc(id)}`,
          body: patchBody([
            { op: 'replace', path: 'displayName', value: 'After' },
            { op: 'add', path: 'groups', value: [{ value: group }] },
            { op: 'replace', path: 'password', value: 'N3w-passw0rd!' },
          ]),
        };
      },
      snapshot: () =>
        [...ad.entries.values()]
          .map((e) => [e.dn.toLowerCase(), [...e.attrs.entries()].map(([k, v]) => [k, v.values.map(String).sort()]).sort()])
          .sort(),
      refuse: (at) => Object.assign(fault, { armed: true, at, seen: 0 }),
      disarm: () => {
        fault.armed = false;
        return fault.seen;
      },
      send: (req) => call('PATCH', req.url, req.body),
    });
    // The attributes, the group, then unicodePwd in a modify of its own: three, each refused once.
    expect(summary).toEqual({ refused: 3, calls: 3 });
  });
});
