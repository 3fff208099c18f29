/**
 * The IdP replay bodies (Entra ID with and without the 2020 compliance flag, Okta, OneLogin, a
 * non-standard client, Broadcom IM over SCIM 1.1, and whatever `IDP_REPLAYS` holds besides) through
 * the core handler into the LDAP connector, with the configurations docs/connectors/ldap.md shows:
 * the OpenLDAP one against a real slapd, each replay on emptied user and group bases; the Active
 * Directory one against the fake AD, a new one per replay.
 *
 * After a replay, what the directory itself holds is checked for the key facts, read straight
 * from slapd as the directory manager (or from the fake AD's entries), not through the connector.
 */
import { idpReplayCases, type ReplayAnswers, type ReplayStep, replaySteps } from '@scimgw/testing-kit';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, Logger } from '@scimgw/core';
import { createLdapConnector, dnKey, encodeUnicodePwd, escapeDnValue, guidToBytes } from '../src/index.js';
import { rawRead } from './helpers/config.js';
import { DOCUMENTED_AD, DOCUMENTED_OPENLDAP, documentedEndpoint, withServer } from './helpers/documented.js';
import { FakeAd } from './helpers/fake-ad.js';
import { HAVE_SAMBA, SAMBA_BASE, SAMBA_GROUPS, SAMBA_USERS, type SambaDc, sambaSettings, startSambaDc } from './helpers/samba.js';
import {
  ADMIN_DN,
  ADMIN_PW,
  GROUPS,
  GW_DN,
  GW_PW,
  HAVE_MEMBEROF,
  HAVE_SLAPD,
  PEOPLE,
  type Slapd,
  startSlapd,
} from './helpers/slapd.js';

type Vars = Record<string, string>;
/** The directory state a replay leaves, checked by case name; `vars` are the ids it captured. */
type StateChecks = Record<string, (vars: Vars) => Promise<void> | void>;

/**
 * Steps whose answer differs from a plain store's, and why. None with the documented
 * configurations: where the OpenLDAP page lacked a place for what IdPs send (an enterprise
 * `employeeNumber` and `department`, `externalId`, a clearable `displayName`), the page's map and
 * schema now hold it.
 */
const SLAPD_ANSWERS: ReplayAnswers = {};
const AD_ANSWERS: ReplayAnswers = {};

/** What the connector logged during the replay running, every level. */
let logged: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
const record = (level: string) => (msg: string, data?: Record<string, unknown>) => {
  logged.push({ level, msg, ...(data ? { data } : {}) });
};
const recording: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };

/**
 * The cases of `idpReplayCases`, each followed by its state check when there is one, and by the
 * check that the connector logged no warning or error (an undo, a group left stale) and no password.
 */
function casesWithState(
  replay: (steps: readonly ReplayStep[]) => Promise<Vars>,
  checks: StateChecks,
): { name: string; run: () => Promise<void> }[] {
  let vars: Vars = {};
  const cases = idpReplayCases(async (steps) => {
    vars = await replay(steps);
  });
  const names = new Set(cases.map((c) => c.name));
  const stale = Object.keys(checks).filter((n) => !names.has(n));
  if (stale.length) throw new Error(`state checks for replays that no longer exist: ${stale.join(', ')}`);
  return cases.map((c) => ({
    name: c.name,
    run: async () => {
      vars = {};
      logged = [];
      await c.run();
      await checks[c.name]?.(vars);
      expect(logged.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      expect(JSON.stringify(logged)).not.toContain('1mz050nq');
    },
  }));
}

/** An attribute's values as strings (ldapts gives one value bare, several as an array, none as []). */
function vals(entry: Record<string, unknown> | undefined, attr: string): string[] {
  const key = Object.keys(entry ?? {}).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key === undefined ? [] : (entry as Record<string, unknown>)[key];
  return (Array.isArray(v) ? v : [v]).map(String);
}
const dnKeys = (dns: string[]) => dns.map((d) => dnKey(d)).sort();
/** The group name of the Entra matching replay, with the characters of Entra's known issue. */
const SPECIAL_GROUP = 'Sales & Marketing (EU) O\'Neil "A"';
/** The SailPoint burst: users `sp.user.<i>@example.com`, captured as `m<i>`; the first half removed again. */
const BURST = [0, 1, 2, 3, 4, 5, 6, 7];
const burstUser = (i: number) => `sp.user.${i}@example.com`;

// --- OpenLDAP (real slapd) --------------------------------------------------------------------

let slapd: Slapd;
beforeAll(async () => {
  if (HAVE_SLAPD) slapd = await startSlapd();
});
afterAll(async () => {
  await slapd?.destroy();
});

async function asAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ url: slapd.url, timeout: 10_000, connectTimeout: 5_000 });
  try {
    await c.bind(ADMIN_DN, ADMIN_PW);
    return await fn(c);
  } finally {
    await c.unbind();
  }
}

/** Deletes every entry under the user and group bases, so fixture names from earlier replays do not collide. */
async function emptyBases(): Promise<void> {
  await asAdmin(async (c) => {
    for (const base of [PEOPLE, GROUPS]) {
      const r = await c.search(base, { scope: 'one', attributes: ['1.1'] });
      for (const e of r.searchEntries) await c.del(e.dn);
    }
  });
}

/** Whether `password` binds as `dn` (the server checks it against the hash it stored). */
async function binds(dn: string, password: string): Promise<boolean> {
  const c = new Client({ url: slapd.url, timeout: 10_000, connectTimeout: 5_000 });
  try {
    await c.bind(dn, password);
    return true;
  } catch {
    return false;
  } finally {
    await c.unbind();
  }
}

const person = (uid: string) => `uid=${escapeDnValue(uid)},${PEOPLE}`;
const group = (cn: string) => `cn=${escapeDnValue(cn)},${GROUPS}`;

/** The entries directly under a base, as the directory manager sees them. */
async function children(base: string, attributes = ['1.1']): Promise<Record<string, unknown>[]> {
  return asAdmin(async (c) => (await c.search(base, { scope: 'one', attributes })).searchEntries);
}
const USER_ATTRS = ['*', 'entryUUID', 'memberOf'];
const GROUP_ATTRS = ['cn', 'member', 'entryUUID'];

const SLAPD_STATE: StateChecks = {
  'Entra ID without the 2020 compliance flag': async (v) => {
    expect(await rawRead(slapd, person('Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1'))).toBeUndefined();
    const second = await rawRead(slapd, person('second@contoso.com'), USER_ATTRS);
    expect(vals(second, 'entryUUID')).toEqual([v.user2]);
    expect(vals(second, 'scimgwExternalId')).toEqual(['ext-2']);
    expect(vals(second, 'accountActive')).toEqual(['TRUE']);
    // The removal by value list took out exactly the one member: the other is the group's only one.
    const g = await rawRead(slapd, group('displayName'), GROUP_ATTRS);
    expect(vals(g, 'entryUUID')).toEqual([v.group]);
    expect(dnKeys(vals(g, 'member'))).toEqual(dnKeys([person('second@contoso.com')]));
    expect(dnKeys(vals(second, 'memberOf'))).toEqual(dnKeys([group('displayName')]));
  },
  'Entra ID with aadOptscim062020': async (v) => {
    const user = await rawRead(slapd, person('flag@contoso.com'), USER_ATTRS);
    expect(vals(user, 'entryUUID')).toEqual([v.user]);
    expect(vals(user, 'displayName')).toEqual(['Flag User']);
    expect(vals(user, 'givenName')).toEqual(['Flag']);
    expect(vals(user, 'sn')).toEqual(['User']);
    expect(vals(user, 'employeeNumber')).toEqual(['2']);
    expect(vals(user, 'accountActive')).toEqual(['FALSE']);
    expect(vals(user, 'memberOf')).toEqual([]);
    const g = await rawRead(slapd, group('FlagGroup'), GROUP_ATTRS);
    expect(dnKeys(vals(g, 'member'))).toEqual(dnKeys([person('member@contoso.com')]));
  },
  'Okta (OIN and custom apps)': async (v) => {
    const user = await rawRead(slapd, person('dade.murphy@example.com'), [...USER_ATTRS, 'userPassword']);
    expect(vals(user, 'entryUUID')).toEqual([v.user]);
    expect(vals(user, 'givenName')).toEqual(['Dade']);
    expect(vals(user, 'sn')).toEqual(['Murphy-Jr']);
    expect(vals(user, 'mail')).toEqual(['dade.murphy@example.com']);
    // The custom app's PUT left displayName out: it is gone (cn, which person requires, stays).
    expect(vals(user, 'displayName')).toEqual([]);
    expect(vals(user, 'cn')).toHaveLength(1);
    // Deactivated.
    expect(vals(user, 'accountActive')).toEqual(['FALSE']);
    // The password went through the Password Modify operation: stored hashed, and it binds.
    expect(vals(user, 'userPassword').join()).not.toContain('1mz050nq');
    expect(await binds(person('dade.murphy@example.com'), '1mz050nq')).toBe(true);
    expect(await binds(person('dade.murphy@example.com'), '1mz050nQ')).toBe(false);
    // Renamed (same entry, same id), the old name gone; after `members: []` and the PUT, the user
    // is the only member and the placeholder is gone.
    expect(await rawRead(slapd, group('Test SCIMv2'))).toBeUndefined();
    const g = await rawRead(slapd, group('Test SCIMv2 renamed'), GROUP_ATTRS);
    expect(vals(g, 'entryUUID')).toEqual([v.group]);
    expect(vals(g, 'cn')).toEqual(['Test SCIMv2 renamed']);
    expect(dnKeys(vals(g, 'member'))).toEqual(dnKeys([person('dade.murphy@example.com')]));
  },
  OneLogin: async (v) => {
    const user = await rawRead(slapd, person('onelogin.user@example.com'), USER_ATTRS);
    expect(vals(user, 'givenName')).toEqual(['Uno']);
    expect(vals(user, 'sn')).toEqual(['Login']);
    // The PUT without the enterprise extension removed what the create had set from it.
    expect(vals(user, 'departmentNumber')).toEqual([]);
    expect(vals(user, 'employeeNumber')).toEqual([]);
    expect(dnKeys(vals(user, 'memberOf'))).toEqual(dnKeys([group('OL')]));
    const g = await rawRead(slapd, group('OL'), GROUP_ATTRS);
    expect(vals(g, 'entryUUID')).toEqual([v.group]);
    expect(dnKeys(vals(g, 'member'))).toEqual(dnKeys([person('onelogin.user@example.com')]));
  },
  'non-standard "op":"delete"': async (v) => {
    const user = await rawRead(slapd, person('op-delete'), USER_ATTRS);
    expect(vals(user, 'entryUUID')).toEqual([v.user]);
    expect(vals(user, 'title')).toEqual([]);
  },
  'Broadcom Identity Manager (SCIM 1.1)': async (v) => {
    const user = await rawRead(slapd, person('im.user'), USER_ATTRS);
    expect(vals(user, 'entryUUID')).toEqual([v.user]);
    expect(vals(user, 'mail')).toEqual(['new@example.com']);
    expect(vals(user, 'displayName')).toEqual(['IM User']);
    expect(vals(user, 'departmentNumber')).toEqual(['IM']);
    expect(vals(user, 'title')).toEqual([]);
    expect(vals(user, 'memberOf')).toEqual([]);
    // groupOfNames needs a member: the last one's delete left only the placeholder (the bind DN).
    const g = await rawRead(slapd, group('IMG'), GROUP_ATTRS);
    expect(vals(g, 'entryUUID')).toEqual([v.group]);
    expect(dnKeys(vals(g, 'member'))).toEqual(dnKeys([GW_DN]));
  },
  'Entra ID matching lookups': async (v) => {
    const user = await rawRead(slapd, person('match.user@contoso.com'), USER_ATTRS);
    expect(vals(user, 'entryUUID')).toEqual([v.user]);
    expect(vals(user, 'scimgwExternalId')).toEqual(['match-ext-1']);
    // inetOrgPerson's mail has no type: the documented map keeps the work address there, only it.
    expect(vals(user, 'mail')).toEqual(['match.work@contoso.com']);
    const g = await rawRead(slapd, group(SPECIAL_GROUP), GROUP_ATTRS);
    expect(vals(g, 'entryUUID')).toEqual([v.group]);
    expect(vals(g, 'cn')).toEqual([SPECIAL_GROUP]);
  },
  'Google Workspace (application/json)': async (v) => {
    const user = await rawRead(slapd, person('g.user@example.com'), USER_ATTRS);
    expect(vals(user, 'entryUUID')).toEqual([v.user]);
    expect(vals(user, 'givenName')).toEqual(['Gee']);
    expect(vals(user, 'sn')).toEqual(['Userson']);
    expect(vals(user, 'accountActive')).toEqual(['FALSE']);
  },
  'JumpCloud test connection': async () => {
    // The test user and group were deleted again: nothing is left behind.
    expect(await children(PEOPLE)).toEqual([]);
    expect(await children(GROUPS)).toEqual([]);
  },
  'One Identity Manager (long or filters)': async (v) => {
    for (const x of ['a', 'b', 'c']) {
      const user = await rawRead(slapd, person(`oi.${x}`), USER_ATTRS);
      expect(vals(user, 'entryUUID')).toEqual([v[x]]);
      expect(vals(user, 'scimgwExternalId')).toEqual([`oi-ext-${x}`]);
    }
  },
  'AWS IAM Identity Center (cursor paging)': async () => {
    const uids = (await children(PEOPLE, ['uid'])).flatMap((e) => vals(e, 'uid')).sort();
    expect(uids).toEqual([1, 2, 3, 4, 5].map((n) => `aws.${n}@example.com`));
  },
  'SailPoint (bursts of parallel requests)': async (v) => {
    // No concurrent add or remove was lost: exactly the second half are members, each way round.
    const g = await rawRead(slapd, group('SailPoint Burst'), GROUP_ATTRS);
    const kept = BURST.slice(4);
    expect(dnKeys(vals(g, 'member'))).toEqual(dnKeys(kept.map((i) => person(burstUser(i)))));
    for (const i of BURST) {
      const user = await rawRead(slapd, person(burstUser(i)), USER_ATTRS);
      expect(vals(user, 'entryUUID')).toEqual([v[`m${i}`]]);
      expect(dnKeys(vals(user, 'memberOf'))).toEqual(kept.includes(i) ? dnKeys([group('SailPoint Burst')]) : []);
    }
  },
};

async function replayOnSlapd(steps: readonly ReplayStep[]): Promise<Vars> {
  await emptyBases();
  const connector: Connector = createLdapConnector({
    config: withServer(documentedEndpoint(DOCUMENTED_OPENLDAP), {
      baseUrls: [slapd.url],
      username: GW_DN,
      password: GW_PW,
      tls: { ca: slapd.caPem },
    }),
    log: recording,
  });
  try {
    return await replaySteps(connector, steps, SLAPD_ANSWERS);
  } finally {
    await connector.close?.();
  }
}

describe.skipIf(!HAVE_SLAPD || !HAVE_MEMBEROF)('IdP replays into slapd with the documented OpenLDAP configuration', () => {
  for (const c of casesWithState(replayOnSlapd, SLAPD_STATE)) it(c.name, c.run);
});

// --- Active Directory: the fake AD, and a real Samba AD domain controller ------------------------

const UAC_ACCOUNTDISABLE = 0x2;

/** What a replay's state check reads of an AD, whichever AD it ran against (read directly, not through the connector). */
interface AdView {
  users: string;
  groups: string;
  /** An entry's attribute values as strings; `undefined` when the entry is missing. */
  values(dn: string, attr: string): Promise<string[] | undefined>;
  /** The DNs of the entries directly under a base. */
  children(base: string): Promise<string[]>;
  /** The entry's objectGUID. */
  guid(dn: string): Promise<Buffer | undefined>;
  /** True when the account's password is `password` (as far as this AD can tell). */
  passwordIs(dn: string, password: string): Promise<boolean>;
}

/** The AD of the replay running. */
let view: AdView;

const adValues = (dn: string, attr: string) => view.values(dn, attr);
const adUser = (upn: string) => `CN=${escapeDnValue(upn)},${view.users}`;
const adGroup = (cn: string) => `CN=${escapeDnValue(cn)},${view.groups}`;
const adChildren = (base: string) => view.children(base);
/** The id (objectGUID) of an entry, as the connector writes it. */
const adIdIs = async (dn: string, id: string | undefined) => {
  const guid = await view.guid(dn);
  expect(Buffer.isBuffer(guid) && guidToBytes(String(id)).equals(guid)).toBe(true);
};
const disabled = async (dn: string) => (Number((await adValues(dn, 'userAccountControl'))?.[0]) & UAC_ACCOUNTDISABLE) !== 0;
const members = async (g: string) => dnKeys((await adValues(g, 'member')) ?? []);

const AD_STATE: StateChecks = {
  'Entra ID without the 2020 compliance flag': async (v) => {
    expect(await adValues(adUser('Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1'), 'cn')).toBeUndefined();
    const second = adUser('second@contoso.com');
    await adIdIs(second, v.user2);
    expect(await adValues(second, 'sAMAccountName')).toEqual(['ext-2']);
    expect(await disabled(second)).toBe(false);
    const g = adGroup('displayName');
    await adIdIs(g, v.group);
    expect(await members(g)).toEqual(dnKeys([second]));
  },
  'Entra ID with aadOptscim062020': async (v) => {
    const user = adUser('flag@contoso.com');
    await adIdIs(user, v.user);
    expect(await adValues(user, 'displayName')).toEqual(['Flag User']);
    expect(await adValues(user, 'givenName')).toEqual(['Flag']);
    expect(await adValues(user, 'sn')).toEqual(['User']);
    expect(await adValues(user, 'employeeID')).toEqual(['2']);
    expect(await disabled(user)).toBe(true);
    expect(await members(adGroup('FlagGroup'))).toEqual(dnKeys([adUser('member@contoso.com')]));
  },
  'Okta (OIN and custom apps)': async (v) => {
    const user = adUser('dade.murphy@example.com');
    await adIdIs(user, v.user);
    expect(await adValues(user, 'sn')).toEqual(['Murphy-Jr']);
    expect(await adValues(user, 'displayName')).toEqual([]);
    expect(await disabled(user)).toBe(true);
    expect(await view.passwordIs(user, '1mz050nq')).toBe(true);
    // Renamed with a modify DN (cn follows), sAMAccountName too; the user is the one member.
    expect(await adValues(adGroup('Test SCIMv2'), 'cn')).toBeUndefined();
    const g = adGroup('Test SCIMv2 renamed');
    await adIdIs(g, v.group);
    expect(await adValues(g, 'cn')).toEqual(['Test SCIMv2 renamed']);
    expect(await adValues(g, 'sAMAccountName')).toEqual(['Test SCIMv2 renamed']);
    expect(await members(g)).toEqual(dnKeys([user]));
  },
  OneLogin: async (v) => {
    const user = adUser('onelogin.user@example.com');
    await adIdIs(user, v.user);
    expect(await adValues(user, 'givenName')).toEqual(['Uno']);
    expect(await adValues(user, 'department')).toEqual([]);
    expect(await adValues(user, 'employeeID')).toEqual([]);
    expect(await members(adGroup('OL'))).toEqual(dnKeys([user]));
  },
  'non-standard "op":"delete"': async (v) => {
    await adIdIs(adUser('op-delete'), v.user);
    expect(await adValues(adUser('op-delete'), 'title')).toEqual([]);
  },
  'Broadcom Identity Manager (SCIM 1.1)': async (v) => {
    const user = adUser('im.user');
    await adIdIs(user, v.user);
    expect(await adValues(user, 'mail')).toEqual(['new@example.com']);
    expect(await adValues(user, 'displayName')).toEqual(['IM User']);
    expect(await adValues(user, 'department')).toEqual(['IM']);
    expect(await adValues(user, 'title')).toEqual([]);
    // AD groups may be empty: no placeholder.
    expect(await adValues(adGroup('IMG'), 'member')).toEqual([]);
  },
  'Entra ID matching lookups': async (v) => {
    const user = adUser('match.user@contoso.com');
    await adIdIs(user, v.user);
    expect(await adValues(user, 'sAMAccountName')).toEqual(['match-ext-1']);
    expect(await adValues(user, 'mail')).toEqual(['match.work@contoso.com']);
    const g = adGroup(SPECIAL_GROUP);
    await adIdIs(g, v.group);
    // AD refuses `"` in sAMAccountName: written as `_`; cn (and displayName) keep the name.
    expect(await adValues(g, 'sAMAccountName')).toEqual([SPECIAL_GROUP.replaceAll('"', '_')]);
    expect(await adValues(g, 'cn')).toEqual([SPECIAL_GROUP]);
  },
  'Google Workspace (application/json)': async (v) => {
    const user = adUser('g.user@example.com');
    await adIdIs(user, v.user);
    expect(await adValues(user, 'sn')).toEqual(['Userson']);
    expect(await disabled(user)).toBe(true);
  },
  'JumpCloud test connection': async () => {
    expect(await adChildren(view.users)).toEqual([]);
    expect(await adChildren(view.groups)).toEqual([]);
  },
  'One Identity Manager (long or filters)': async (v) => {
    for (const x of ['a', 'b', 'c']) {
      await adIdIs(adUser(`oi.${x}`), v[x]);
      expect(await adValues(adUser(`oi.${x}`), 'sAMAccountName')).toEqual([`oi-ext-${x}`]);
    }
  },
  'AWS IAM Identity Center (cursor paging)': async (v) => {
    for (const n of [1, 2, 3, 4, 5]) await adIdIs(adUser(`aws.${n}@example.com`), v[`u${n}`]);
    expect(await adChildren(view.users)).toHaveLength(5);
  },
  'SailPoint (bursts of parallel requests)': async (v) => {
    for (const i of BURST) await adIdIs(adUser(burstUser(i)), v[`m${i}`]);
    const kept = BURST.slice(4).map((i) => adUser(burstUser(i)));
    expect(await members(adGroup('SailPoint Burst'))).toEqual(dnKeys(kept));
  },
};

// The fake AD: a new one per replay.
const AD_BASE = 'DC=corp,DC=example,DC=com';

function fakeView(ad: FakeAd): AdView {
  return {
    users: `OU=Cloud Users,${AD_BASE}`,
    groups: `OU=Cloud Groups,${AD_BASE}`,
    values: async (dn, attr) => {
      const entry = ad.get(dn);
      return entry && ad.values(entry, attr).map(String);
    },
    children: async (base) => [...ad.entries.values()].filter((e) => dnKey(e.dn).endsWith(`,${dnKey(base)}`)).map((e) => e.dn),
    guid: async (dn) => ad.get(dn)?.attrs.get('objectguid')?.values[0] as Buffer | undefined,
    passwordIs: async (dn, password) => {
      const pwd = ad.get(dn)?.attrs.get('unicodepwd')?.values[0];
      return pwd !== undefined && Buffer.from(pwd as Buffer).equals(encodeUnicodePwd(password));
    },
  };
}

async function replayOnFakeAd(steps: readonly ReplayStep[]): Promise<Vars> {
  const ad = new FakeAd(AD_BASE);
  view = fakeView(ad);
  ad.put(view.users, { objectClass: ['top', 'organizationalUnit'] });
  ad.put(view.groups, { objectClass: ['top', 'organizationalUnit'] });
  // The fake opens no socket, so it needs no CA file.
  const connector: Connector = createLdapConnector({
    config: withServer(documentedEndpoint(DOCUMENTED_AD), { password: 'bind-secret', tls: {} }),
    clientFactory: ad.factory,
    log: recording,
  });
  try {
    return await replaySteps(connector, steps, AD_ANSWERS);
  } finally {
    await connector.close?.();
  }
}

describe('IdP replays into the fake AD with the documented Active Directory configuration', () => {
  for (const c of casesWithState(replayOnFakeAd, AD_STATE)) it(c.name, c.run);
});

// A real Samba AD domain controller: one for all replays, its OUs emptied before each.

let dc: SambaDc | undefined;
beforeAll(async () => {
  if (!HAVE_SAMBA) return;
  dc = await startSambaDc();
  // The replays' own passwords ("1mz050nq", Okta's) are below the domain's default policy, which
  // samba-ad.test.ts holds the connector to; here the policy is lifted, as a test domain would.
  const c = await dc.admin();
  try {
    await c.modify(SAMBA_BASE, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdProperties', values: ['0'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'minPwdLength', values: ['0'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdHistoryLength', values: ['0'] }) }),
    ]);
  } finally {
    await c.unbind();
  }
}, 180_000);
afterAll(async () => {
  await dc?.stop();
});

function sambaView(d: SambaDc): AdView {
  const read = (dn: string, attributes: string[]) => d.read(dn, attributes);
  return {
    users: SAMBA_USERS,
    groups: SAMBA_GROUPS,
    values: async (dn, attr) => {
      const e = await read(dn, [attr]);
      return e && vals(e, attr).filter((v) => v !== 'undefined');
    },
    children: async (base) => {
      const c = await d.admin();
      try {
        return (await c.search(base, { scope: 'one', attributes: ['1.1'] })).searchEntries.map((e) => e.dn);
      } finally {
        await c.unbind();
      }
    },
    guid: async (dn) => (await read(dn, ['objectGUID']))?.objectGUID as Buffer | undefined,
    // A password cannot be read back from AD, and a disabled account cannot bind: the check is
    // that one was set (pwdLastSet), by the DC that took it.
    passwordIs: async (dn) => Number(vals(await read(dn, ['pwdLastSet']), 'pwdLastSet')[0]) > 0,
  };
}

async function replayOnSamba(steps: readonly ReplayStep[]): Promise<Vars> {
  const d = dc as SambaDc;
  view = sambaView(d);
  const c = await d.admin();
  try {
    for (const base of [SAMBA_GROUPS, SAMBA_USERS])
      for (const e of (await c.search(base, { scope: 'one', attributes: ['1.1'] })).searchEntries) await c.del(e.dn);
  } finally {
    await c.unbind();
  }
  const connector: Connector = createLdapConnector({
    config: withServer(documentedEndpoint(DOCUMENTED_AD), sambaSettings(d)),
    log: recording,
  });
  try {
    return await replaySteps(connector, steps, AD_ANSWERS);
  } finally {
    await connector.close?.();
  }
}

describe.skipIf(!HAVE_SAMBA)(
  'IdP replays into a Samba AD domain controller with the documented Active Directory configuration',
  () => {
    for (const c of casesWithState(replayOnSamba, AD_STATE)) it(c.name, c.run, 60_000);
  },
);
