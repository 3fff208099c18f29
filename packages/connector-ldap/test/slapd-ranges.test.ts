/**
 * Active Directory's range retrieval, on the wire: slapd behind helpers/range-proxy.ts, which
 * answers attributes of more than `MaxValRange` values in ranges as AD does. First the proxy
 * itself (it must answer as AD documents, whatever the connector does), then the connector
 * through it: big groups read whole, members kept by every write that starts from a read, users
 * in many groups, and AD's own limit (1,500) with a 2,000-member group.
 */
import { Client, type Entry } from 'ldapts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnKey } from '../src/index.js';
import { readTlv, startRangeProxy, tlv, type RangeProxy } from './helpers/range-proxy.js';
import { enc, patchBody, rawRead, scim } from './helpers/config.js';
import { BIG_DN, populationLdif, userDn } from './helpers/population.js';
import { ADMIN_DN, ADMIN_PW, GROUPS, HAVE_SLAPD, type Slapd, startSlapd } from './helpers/slapd.js';

describe('the proxy’s BER elements', () => {
  it('reads back any element it writes, whatever its length, and waits for one cut short', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 70_000 }), fc.nat(), (tag, n, cut) => {
        const content = Buffer.alloc(n, 7);
        const bytes = tlv(tag, content);
        const t = readTlv(bytes, 0);
        expect(t).toMatchObject({ at: 0, tag, start: bytes.length - n, end: bytes.length, next: bytes.length });
        expect(readTlv(bytes.subarray(0, cut % bytes.length), 0)).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });
});

const MAX = 10;
const USERS = 40;
let slapd: Slapd;
let proxy: RangeProxy;

beforeAll(async () => {
  if (!HAVE_SLAPD) return;
  slapd = await startSlapd({ preload: populationLdif({ users: USERS, groups: 5, bigGroup: 25, memberOf: true }) });
  proxy = await startRangeProxy({ upstreamPort: slapd.port, maxValRange: MAX });
});
afterAll(async () => {
  await proxy?.stop();
  await slapd?.destroy();
});

/** A raw client on the proxy, as the directory manager. */
async function raw<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ url: proxy.url, timeout: 10_000, strictDN: false });
  try {
    await c.bind(ADMIN_DN, ADMIN_PW);
    return await fn(c);
  } finally {
    await c.unbind();
  }
}
const readAs = (attributes: string[]) =>
  raw(async (c) => (await c.search(BIG_DN, { scope: 'base', attributes })).searchEntries[0] as Entry);
const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);

describe.skipIf(!HAVE_SLAPD)('the range proxy answers as Active Directory documents', () => {
  it('answers an attribute of more than MaxValRange values with its first range only', async () => {
    const e = await readAs(['cn', 'member']);
    expect(list(e.member)).toEqual([]);
    expect(list(e[`member;range=0-${MAX - 1}`])).toHaveLength(MAX);
    expect(e.cn).toBe('big');
  });

  it('answers a named range with at most MaxValRange values, ending in * with the last', async () => {
    const a = await readAs([`member;range=${MAX}-*`]);
    expect(list(a[`member;range=${MAX}-${2 * MAX - 1}`])).toHaveLength(MAX);
    const b = await readAs([`member;range=${2 * MAX}-*`]);
    expect(list(b[`member;range=${2 * MAX}-*`])).toHaveLength(25 - 2 * MAX);
    const c = await readAs(['member;range=3-5']);
    expect(list(c['member;range=3-5'])).toHaveLength(3);
    // The ranges, read in turn, are the attribute as slapd holds it.
    const whole = list((await rawRead(slapd, BIG_DN, ['member']))?.member);
    const first = list((await readAs(['member']))[`member;range=0-${MAX - 1}`]);
    expect([...first, ...list(a[`member;range=${MAX}-${2 * MAX - 1}`]), ...list(b[`member;range=${2 * MAX}-*`])]).toEqual(whole);
  });

  it('fails a search for a range past the last value, and leaves small attributes alone', async () => {
    await expect(readAs(['member;range=25-*'])).rejects.toMatchObject({ code: 1 });
    const small = await raw(
      async (c) => (await c.search(`cn=group000,${GROUPS}`, { scope: 'base', attributes: ['member'] })).searchEntries[0] as Entry,
    );
    expect(list(small.member)).toHaveLength(USERS / 5);
    expect(Object.keys(small).some((k) => k.includes(';'))).toBe(false);
  });
});

describe.skipIf(!HAVE_SLAPD)('the connector through AD-style ranges', () => {
  let env: ReturnType<typeof scim>;
  let bigId: string;
  beforeAll(async () => {
    // No member ids kept between reads: every read below asks the directory.
    env = scim(slapd, { baseUrls: [proxy.url], idStrategy: 'entryUUID', idCacheSeconds: 0 });
    const found = await env.call('GET', `/Groups?filter=${enc('displayName eq "big"')}`);
    bigId = String(found.body.Resources?.[0]?.id);
  });
  afterAll(async () => {
    await env.connector.close?.();
  });

  const memberDnsInSlapd = async (dn: string) => list((await rawRead(slapd, dn, ['member']))?.member).map((d) => dnKey(d));

  it('reads a group of more than MaxValRange members whole, by id and in a list', async () => {
    const before = proxy.rangedSearches;
    const got = await env.call('GET', `/Groups/${enc(bigId)}`);
    expect(got.status).toBe(200);
    expect(got.body.members).toHaveLength(25);
    expect(proxy.rangedSearches - before).toBe(2); // ranges 10-19 and 20-24 after the first
    const listed = await env.call('GET', `/Groups?filter=${enc('displayName eq "big"')}`);
    expect(listed.body.Resources?.[0]?.members).toHaveLength(25);
    const page = await env.call('GET', '/Groups?startIndex=1&count=10');
    const big = page.body.Resources?.find((g) => g.displayName === 'big');
    expect(big?.members).toHaveLength(25);
  });

  /** Ids of user00001 … user00025 (cn=big's members), read as users: no group read involved. */
  const bigMemberIds = async () => {
    const res = await env.call('GET', `/Users?filter=${enc('userName le "user00025"')}&count=100`);
    return (res.body.Resources ?? [])
      .sort((a, b) => String(a.userName).localeCompare(String(b.userName)))
      .map((u) => String(u.id));
  };

  it('keeps every member when a PATCH is applied to the list read (a filter other than value eq: value sw)', async () => {
    const ids = await bigMemberIds();
    expect(ids).toHaveLength(25);
    const victim = ids[24] as string; // in the last range
    const res = await env.call(
      'PATCH',
      `/Groups/${enc(bigId)}`,
      patchBody([{ op: 'remove', path: `members[value sw "${victim}"]` }]),
    );
    expect(res.status).toBeLessThan(300);
    const now = await memberDnsInSlapd(BIG_DN);
    expect(now).toHaveLength(24);
    expect(now).not.toContain(dnKey(userDn(25)));
    const again = await env.call(
      'PATCH',
      `/Groups/${enc(bigId)}`,
      patchBody([{ op: 'add', path: 'members', value: [{ value: victim }] }]),
    );
    expect(again.status).toBeLessThan(300);
    expect(await memberDnsInSlapd(BIG_DN)).toHaveLength(25);
  });

  it('removes exactly the members a PUT leaves out', async () => {
    const ids = await bigMemberIds();
    const put = await env.call('PUT', `/Groups/${enc(bigId)}`, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'big',
      members: ids.slice(0, 24).map((value) => ({ value })),
    });
    expect(put.status).toBe(200);
    expect(put.body.members).toHaveLength(24);
    const now = await memberDnsInSlapd(BIG_DN);
    expect(now).toHaveLength(24);
    expect(now).not.toContain(dnKey(userDn(25)));
    await env.call('PATCH', `/Groups/${enc(bigId)}`, patchBody([{ op: 'add', path: 'members', value: [{ value: ids[24] }] }]));
    expect(await memberDnsInSlapd(BIG_DN)).toHaveLength(25);
  });

  it('reads a user in more than MaxValRange groups with all of them', async () => {
    const user = await env.call('GET', `/Users?filter=${enc('userName eq "user00001"')}`);
    const uid = String(user.body.Resources?.[0]?.id);
    for (let i = 0; i < MAX + 2; i++) {
      const g = await env.call('POST', '/Groups', { displayName: `many-${i}`, members: [{ value: uid }] });
      expect(g.status).toBe(201);
    }
    const got = await env.call('GET', `/Users/${enc(uid)}`);
    // cn=big, its population group, and the new ones.
    expect((got.body.groups as unknown[]).length).toBe(MAX + 4);
  });
});

describe.skipIf(!HAVE_SLAPD)('Active Directory’s own limit: a 2,000-member group at MaxValRange 1,500', () => {
  let big: Slapd;
  let adProxy: RangeProxy;
  let env: ReturnType<typeof scim>;
  beforeAll(async () => {
    big = await startSlapd({ preload: populationLdif({ users: 2000, groups: 4, bigGroup: 2000, memberOf: true }) });
    adProxy = await startRangeProxy({ upstreamPort: big.port, maxValRange: 1500 });
    env = scim(big, { baseUrls: [adProxy.url], idStrategy: 'entryUUID' });
  }, 120_000);
  afterAll(async () => {
    await env?.connector.close?.();
    await adProxy?.stop();
    await big?.destroy();
  });

  it('reads all 2,000 members in two ranges, and a member change touches no other', async () => {
    const found = await env.call('GET', `/Groups?filter=${enc('displayName eq "big"')}&excludedAttributes=members`);
    const id = String(found.body.Resources?.[0]?.id);
    const got = await env.call('GET', `/Groups/${enc(id)}`);
    expect(got.body.members).toHaveLength(2000);
    expect(adProxy.rangedAnswers).toBeGreaterThanOrEqual(2);
    const victim = (got.body.members as { value: string }[])[0]?.value as string;
    const res = await env.call(
      'PATCH',
      `/Groups/${enc(id)}`,
      patchBody([{ op: 'remove', path: `members[value eq "${victim}"]` }]),
    );
    expect(res.status).toBeLessThan(300);
    const now = list((await rawRead(big, BIG_DN, ['member']))?.member).map((d) => dnKey(d));
    expect(now).toHaveLength(1999);
    expect(now).toContain(dnKey(userDn(2000)));
    expect(now).not.toContain(dnKey(userDn(1)));
  });
});
