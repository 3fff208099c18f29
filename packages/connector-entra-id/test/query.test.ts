/**
 * Queries pushed down to Graph: which `$filter`, `$select`, `$orderby`, `$top` and advanced-query
 * parameters go out for SCIM filters, and paging of 2,500 users by startIndex/count and by RFC
 * 9865 cursors, one Graph page at a time.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import type { GraphEmulator } from '@scimgw/testing-graph-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFor, type SecretApp, secretConfig, startGraph } from './helpers.js';

let graph: GraphEmulator;
let app: SecretApp;
let connector: Connector;
let h: ScimHandler;
const users: string[] = [];
let group: string;

beforeAll(async () => {
  ({ graph, app } = await startGraph());
  users.push(
    ...graph.state.addUsers(2_500, (i) => ({
      userPrincipalName: `u${String(i).padStart(4, '0')}@contoso.com`,
      displayName: `User ${String(i).padStart(4, '0')}`,
      jobTitle: i % 2 ? 'Engineer' : 'Clerk',
      accountEnabled: i % 10 !== 0,
      mail: `mail${i}@contoso.com`,
      ...(i % 3 === 0 ? { otherMails: [`other${i}@example.com`] } : {}),
      ...(i === 7 ? { onPremisesImmutableId: 'imm-7' } : {}),
    })),
  );
  graph.state.addUser({ userPrincipalName: "o'brien@contoso.com", displayName: "O'Brien" });
  group = graph.state.addGroup({ displayName: 'Engineering' });
  graph.state.addMembers(group, users.slice(0, 30));
  graph.state.addGroup({ displayName: 'Engine room' });
  graph.state.addGroup({ displayName: 'Sales' });
  connector = connectorFor(graph, secretConfig(graph, app, { maxLocalResults: 500 })).connector;
  h = createScimHandler({ connector });
  await get('/Users?count=1');
});
afterAll(async () => {
  await connector?.close?.();
  await graph?.close();
});

async function get(url: string) {
  return (await h.handle({ method: 'GET', url })) as { status: number; body: any };
}
const q = (filter: string) => encodeURIComponent(filter);

/** The Graph calls (decoded) one SCIM request made. */
async function graphCalls(url: string) {
  graph.calls.reset();
  const res = await get(url);
  return { res, calls: graph.calls.list().map((c) => `${c.method} ${decodeURIComponent(c.url)}`) };
}

describe('filters', () => {
  it('userName eq → one call with $filter on userPrincipalName and a $select of the mapped properties', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q('userName eq "u0042@contoso.com"')}`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].displayName).toBe('User 0042');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain("$filter=userPrincipalName eq 'u0042@contoso.com'");
    expect(calls[0]).toMatch(/\$select=id,userPrincipalName,onPremisesImmutableId,accountEnabled/);
    expect(calls[0]).not.toContain('$count=true');
  });

  it('escapes quotes: values are literals, never query syntax', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q(`userName eq "o'brien@contoso.com"`)}`);
    expect(res.body.totalResults).toBe(1);
    expect(calls[0]).toContain("userPrincipalName eq 'o''brien@contoso.com'");
    const evil = await get(`/Users?filter=${q(`userName eq "x' or userPrincipalName ne 'y"`)}`);
    expect(evil.status).toBe(200);
    expect(evil.body.totalResults).toBe(0);
  });

  it('an or of eq on one attribute becomes in (…)', async () => {
    const { res, calls } = await graphCalls(
      `/Users?filter=${q('userName eq "u0001@contoso.com" or userName eq "u0002@contoso.com"')}`,
    );
    expect(res.body.totalResults).toBe(2);
    expect(calls[0]).toContain("userPrincipalName in ('u0001@contoso.com','u0002@contoso.com')");
  });

  it('sw → startsWith; and → and; booleans unquoted', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q('userName sw "u001" and active eq false')}&count=100`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].userName).toBe('u0010@contoso.com');
    expect(calls[0]).toContain("(startsWith(userPrincipalName,'u001')) and (accountEnabled eq false)");
  });

  it('externalId (onPremisesImmutableId) is an advanced query: ConsistencyLevel eventual + $count', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q('externalId eq "imm-7"')}`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(calls[0]).toContain('$count=true');
  });

  it('emails.value eq looks at mail and otherMails', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q('emails.value eq "other3@example.com"')}`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].userName).toBe('u0003@contoso.com');
    expect(calls[0]).toContain("otherMails/any(v:v eq 'other3@example.com')");
  });

  it('pr and not are advanced queries', async () => {
    const pr = await graphCalls(`/Users?filter=${q('userName sw "u000" and title pr')}&count=1`);
    expect(pr.res.body.totalResults).toBe(10);
    expect(pr.calls[0]).toContain('(jobTitle ne null)');
    expect(pr.calls[0]).toContain('$count=true');
    const not = await graphCalls(`/Users?filter=${q('not (title eq "Engineer") and userName sw "u000"')}`);
    expect(not.res.body.totalResults).toBe(5);
    expect(not.calls[0]).toContain('not(jobTitle eq');
    expect(not.calls[0]).toContain('$count=true');
  });

  it('what Graph cannot filter (co) is filtered here while streaming, with exact totals', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q('displayName co "ser 249"')}&count=5`);
    expect(res.body.totalResults).toBe(10);
    expect(res.body.Resources).toHaveLength(5);
    expect(calls.every((c) => !c.includes('$filter'))).toBe(true);
    expect(calls.every((c) => c.includes('$top=999'))).toBe(true);
  });

  it('a filter finished here reads what it needs, whatever `attributes` returns (RFC 7644 §3.4.2.5)', async () => {
    const asked = await graphCalls(`/Users?filter=${q('displayName co "ser 249"')}&attributes=id&count=5`);
    expect(asked.res.body.totalResults).toBe(10);
    expect(asked.res.body.Resources).toHaveLength(5);
    expect(Object.keys(asked.res.body.Resources[0]).sort()).toEqual(['id', 'schemas']);
    expect(asked.calls[0]).toMatch(/\$select=[^&]*displayName/);
    const sorted = await get(`/Users?filter=${q('displayName co "ser 249"')}&attributes=id&sortBy=title&count=10`);
    expect(sorted.body.totalResults).toBe(10);
    const groups = await get(`/Groups?filter=${q('displayName co "ngine"')}&attributes=id`);
    expect(groups.body.totalResults).toBe(2);
  });

  it('an id that is no GUID matches nothing without asking Graph', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q('id eq "not-a-guid"')}`);
    expect(res.body.totalResults).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it('groups.value eq reads the group’s members, not every user', async () => {
    const { res, calls } = await graphCalls(`/Users?filter=${q(`groups.value eq "${group}"`)}&count=10`);
    expect(res.body.totalResults).toBe(30);
    expect(res.body.Resources).toHaveLength(10);
    expect(calls.every((c) => c.startsWith(`GET /groups/${group}/members`))).toBe(true);
  });

  it('members.value eq on Groups reads the member’s memberOf', async () => {
    const { res, calls } = await graphCalls(`/Groups?filter=${q(`members.value eq "${users[3]}"`)}&excludedAttributes=members`);
    expect(res.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Engineering']);
    expect(calls[0]).toContain(`/users/${users[3]}/memberOf/microsoft.graph.group`);
  });

  it('displayName sw on groups', async () => {
    const res = await get(`/Groups?filter=${q('displayName sw "Engine"')}&sortBy=displayName&attributes=displayName`);
    expect(res.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Engine room', 'Engineering']);
  });

  it('filters on roles or entitlements are refused clearly', async () => {
    const res = await get(`/Users?filter=${q('roles.value eq "x"')}`);
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidFilter');
  });
});

describe('paging', () => {
  it('startIndex/count map onto $top; the total comes from Graph’s count', async () => {
    const first = await graphCalls('/Users?startIndex=1&count=100&attributes=userName');
    expect(first.res.body.totalResults).toBe(2_501);
    expect(first.res.body.Resources).toHaveLength(100);
    expect(first.calls[0]).toContain('$top=100');
    expect(first.calls.some((c) => c.startsWith('GET /users/$count'))).toBe(true);
    const late = await graphCalls('/Users?startIndex=2401&count=100&attributes=userName');
    expect(late.res.body.Resources).toHaveLength(100);
    expect(late.res.body.startIndex).toBe(2401);
    expect(late.calls.filter((c) => c.startsWith('GET /users?') || c.startsWith('GET /users?')).length).toBeLessThanOrEqual(3);
  });

  it('cursors walk all users page by page without repeats', async () => {
    const seen = new Set<string>();
    let cursor = '';
    let pages = 0;
    for (;;) {
      const res = await get(`/Users?cursor=${encodeURIComponent(cursor)}&count=999&attributes=userName`);
      expect(res.status).toBe(200);
      expect(res.body.totalResults).toBe(2_501);
      expect(res.body.Resources.length).toBeLessThanOrEqual(999);
      for (const r of res.body.Resources) seen.add(r.id);
      pages++;
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(pages).toBe(3);
    expect(seen.size).toBe(2_501);
  });

  it('a forged cursor is 400 invalidCursor', async () => {
    for (const bad of [
      '%%%',
      Buffer.from('{"s":5}').toString('base64url'),
      Buffer.from('{"s":"forged"}').toString('base64url'),
    ]) {
      const res = await get(`/Users?cursor=${encodeURIComponent(bad)}&count=10`);
      expect(res.status, bad).toBe(400);
      expect(res.body.scimType).toBe('invalidCursor');
    }
  });

  it('sorts by userName through $orderby, descending too', async () => {
    const { res, calls } = await graphCalls(
      `/Users?filter=${q('userName sw "u000"')}&sortBy=userName&sortOrder=descending&count=3`,
    );
    expect(res.body.Resources.map((r: { userName: string }) => r.userName)).toEqual([
      'u0009@contoso.com',
      'u0008@contoso.com',
      'u0007@contoso.com',
    ]);
    expect(calls[0]).toContain('$orderby=userPrincipalName desc');
  });

  it('sorts by other attributes locally, up to maxLocalResults, then 400 tooMany', async () => {
    const small = await get(`/Users?filter=${q('userName sw "u000"')}&sortBy=title&count=10&attributes=title`);
    expect(small.body.Resources.map((r: { title: string }) => r.title)).toEqual([
      ...Array(5).fill('Clerk'),
      ...Array(5).fill('Engineer'),
    ]);
    const big = await get('/Users?sortBy=title&count=10');
    expect(big.status).toBe(400);
    expect(big.body.scimType).toBe('tooMany');
  });
});

describe('relations in lists', () => {
  it('groups are read in $batch calls, only when asked for', async () => {
    const plain = await graphCalls(`/Users?filter=${q('userName sw "u000"')}`);
    expect(plain.calls.some((c) => c.includes('$batch'))).toBe(false);
    const withGroups = await graphCalls(`/Users?filter=${q('userName sw "u000"')}&attributes=userName,groups`);
    expect(withGroups.calls.filter((c) => c.includes('$batch'))).toHaveLength(1);
    expect(withGroups.res.body.Resources[0].groups).toEqual([{ value: group, display: 'Engineering' }]);
  });
});

describe('any query', () => {
  it('answers 200 or a 4xx SCIM error, never a 5xx (fast-check over filters, sorts and cursors)', async () => {
    const fc = (await import('fast-check')).default;
    const attr = fc.constantFrom(
      'userName',
      'displayName',
      'title',
      'active',
      'emails.value',
      'emails',
      'externalId',
      'id',
      'name.givenName',
      'meta.created',
      'groups.value',
      'roles',
      'nickName',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
    );
    const value = fc.oneof(
      fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
      fc.constantFrom('true', 'false', 'null', '7', '"2024-01-01T00:00:00Z"'),
    );
    const leaf = fc.oneof(
      fc
        .tuple(attr, fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'), value)
        .map(([a, o, v]) => `${a} ${o} ${v}`),
      attr.map((a) => `${a} pr`),
    );
    const filter = fc.oneof(
      leaf,
      fc.tuple(leaf, fc.constantFrom('and', 'or'), leaf).map(([a, o, b]) => `${a} ${o} ${b}`),
      leaf.map((l) => `not (${l})`),
    );
    await fc.assert(
      fc.asyncProperty(
        filter,
        fc.option(fc.constantFrom('userName', 'title', 'displayName')),
        fc.option(fc.string({ maxLength: 16 })),
        async (f, sortBy, cursor) => {
          const url = `/Users?filter=${encodeURIComponent(f)}&count=3${sortBy ? `&sortBy=${sortBy}` : ''}${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const res = await get(url);
          if (res.status >= 500) throw new Error(`${url} → ${res.status} ${JSON.stringify(res.body)}`);
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });
});
