/**
 * What each IdP replay (by its name in `IDP_REPLAYS`) must leave in the target's own state, read
 * from the target directly, not through the connector: the same facts for a SCIM 2.0 and a 1.1
 * target, the enterprise extension under the target's own key.
 */
import { expect } from 'vitest';

export type Rec = Record<string, any>;

/** The target as the test reads it, around the connector. */
export interface TargetState {
  user(id: string | undefined): Promise<Rec | undefined>;
  group(id: string | undefined): Promise<Rec | undefined>;
  /** Every user the target holds. */
  users(): Promise<Rec[]>;
  /** Key of the enterprise extension in the target's records (1.1 has a URN of its own). */
  enterprise: string;
}

/** What the target must hold after a replay, given the ids it captured. */
export type Facts = (target: TargetState, v: Record<string, string>) => Promise<void>;

const values = (list: unknown) => (Array.isArray(list) ? list.map((m: { value: string }) => m.value) : []);

/** Per replay (by its name in IDP_REPLAYS): what reached the target. */
export const TARGET_FACTS: Record<string, Facts> = {
  'Entra ID without the 2020 compliance flag': async (t, v) => {
    expect(await t.user(v.user)).toBeUndefined();
    expect(await t.user(v.user2)).toMatchObject({ userName: 'second@contoso.com', externalId: 'ext-2', active: true });
    const group = await t.group(v.group);
    expect(group).toMatchObject({ displayName: 'displayName', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' });
    // Removal by value list: exactly the other member is left.
    expect(values(group?.members)).toEqual([v.user2]);
  },
  'Entra ID with aadOptscim062020': async (t, v) => {
    const user = await t.user(v.user);
    expect(user).toMatchObject({
      userName: 'flag@contoso.com',
      displayName: 'Flag User',
      name: { givenName: 'Flag', familyName: 'User' },
      active: false,
      [t.enterprise]: { employeeNumber: '2' },
    });
    expect(values((await t.group(v.group))?.members)).toEqual([v.m]);
  },
  'Okta (OIN and custom apps)': async (t, v) => {
    const user = await t.user(v.user);
    // The PUT replaced the profile (displayName gone), the path-less replace deactivated.
    expect(user).toMatchObject({ userName: 'dade.murphy@example.com', name: { familyName: 'Murphy-Jr' }, active: false });
    expect(user?.displayName).toBeUndefined();
    const group = await t.group(v.group);
    expect(group?.displayName).toBe('Test SCIMv2 renamed');
    expect(values(group?.members)).toEqual([v.user]);
  },
  OneLogin: async (t, v) => {
    const user = await t.user(v.user);
    // The PUT changed the name and, not naming the extension, dropped it.
    expect(user).toMatchObject({ userName: 'onelogin.user@example.com', name: { givenName: 'Uno', familyName: 'Login' } });
    expect(user?.[t.enterprise]).toBeUndefined();
    expect(values((await t.group(v.group))?.members)).toEqual([v.user]);
  },
  'non-standard "op":"delete"': async (t, v) => {
    const user = await t.user(v.user);
    expect(user?.userName).toBe('op-delete');
    expect(user?.title).toBeUndefined();
  },
  'Broadcom Identity Manager (SCIM 1.1)': async (t, v) => {
    const user = await t.user(v.user);
    expect(user).toMatchObject({ userName: 'im.user', displayName: 'IM User', [t.enterprise]: { department: 'IM' } });
    expect(user?.title).toBeUndefined();
    // Deleted by value (old@) and by type (home): only the new address is left.
    expect(values(user?.emails)).toEqual(['new@example.com']);
    expect(values((await t.group(v.group))?.members)).toEqual([]);
  },
  'Entra ID matching lookups': async (t, v) => {
    expect(values((await t.user(v.user))?.emails).sort()).toEqual(['match.home@example.com', 'match.work@contoso.com']);
    // The name with `&`, parentheses, an apostrophe and quotes arrived unchanged.
    expect((await t.group(v.group))?.displayName).toBe('Sales & Marketing (EU) O\'Neil "A"');
  },
  'Google Workspace (application/json)': async (t, v) => {
    expect(await t.user(v.user)).toMatchObject({
      userName: 'g.user@example.com',
      name: { givenName: 'Gee', familyName: 'Userson' },
      active: false,
    });
  },
  'JumpCloud test connection': async (t, v) => {
    // The test connection cleaned up after itself at the target too.
    expect(await t.user(v.user)).toBeUndefined();
    expect(await t.group(v.group)).toBeUndefined();
    expect(await t.users()).toEqual([]);
  },
  'One Identity Manager (long or filters)': async (t, v) => {
    for (const x of ['a', 'b', 'c']) expect(await t.user(v[x])).toMatchObject({ userName: `oi.${x}`, externalId: `oi-ext-${x}` });
    expect(await t.users()).toHaveLength(3);
  },
  'AWS IAM Identity Center (cursor paging)': async (t) => {
    const names = (await t.users()).map((u) => u.userName).sort();
    expect(names).toEqual([1, 2, 3, 4, 5].map((n) => `aws.${n}@example.com`));
  },
  'a client using /Bulk (bulkId references, failOnErrors)': async (t) => {
    // The PATCH by bulkId reached the first user; failOnErrors stopped before the last create.
    const users = await t.users();
    const one = users.find((u) => u.userName === 'bulk.one@example.com');
    expect(one).toMatchObject({ title: 'Bulk' });
    expect(users.filter((u) => u.userName === 'bulk.two@example.com')).toHaveLength(1);
    expect(users.filter((u) => u.userName === 'bulk.never@example.com')).toHaveLength(0);
  },
  'SailPoint (bursts of parallel requests)': async (t, v) => {
    // Eight parallel creates, and one create sent six times at once: nine users at the target, the
    // retried name once. Eight parallel adds, four parallel removes: exactly the other half is a member.
    const names = (await t.users()).map((u) => u.userName);
    expect(names).toHaveLength(9);
    expect(names.filter((n) => n === 'sp.same@example.com')).toHaveLength(1);
    expect(values((await t.group(v.group))?.members).sort()).toEqual([v.m4, v.m5, v.m6, v.m7].sort());
  },
};
