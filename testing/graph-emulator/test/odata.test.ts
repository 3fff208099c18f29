/** OData query options on /users and /groups: filters and the advanced-query rules, $select, $top, $count, $orderby, $search, paging. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EVENTUAL, type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
const SKU = '6fd2c87f-b296-42f0-b197-1e91e994b900';
let ids: Record<string, string>;

beforeAll(async () => {
  t = await startTenant({ skus: [{ skuId: SKU, skuPartNumber: 'ENTERPRISEPACK', enabledUnits: 5 }] });
  const d = t.graph.domains[0];
  const s = t.graph.state;
  ids = {
    alice: s.addUser({
      userPrincipalName: `alice@${d}`,
      displayName: 'Alice Adams',
      givenName: 'Alice',
      department: 'Sales',
      mail: `alice@${d}`,
      employeeId: 'E100',
      companyName: 'Contoso',
      otherMails: ['alice@example.org'],
    }),
    bob: s.addUser({
      userPrincipalName: `bob@${d}`,
      displayName: 'Bob Brown',
      givenName: 'Bob',
      department: 'Engineering',
      accountEnabled: false,
      mail: `bob@${d}`,
      employeeId: 'E200',
    }),
    carol: s.addUser({
      userPrincipalName: `carol@${d}`,
      displayName: 'Carol Clark',
      givenName: 'Carol',
      department: 'Sales',
      mobilePhone: '+1 555 0100',
      assignedLicenses: [{ skuId: SKU, disabledPlans: [] }],
    }),
  };
});
afterAll(() => t.graph.close());

const names = (json: { value: Array<{ displayName: string }> }) => json.value.map((u) => u.displayName).sort();

describe('$filter', () => {
  test.each([
    ["department eq 'Sales'", ['Alice Adams', 'Carol Clark']],
    ["startsWith(displayName,'b')", ['Bob Brown']],
    ['accountEnabled eq false', ['Bob Brown']],
    ["givenName in ('Alice','Bob')", ['Alice Adams', 'Bob Brown']],
    ["department eq 'Sales' and startsWith(givenName,'C')", ['Carol Clark']],
    ["department eq 'Engineering' or employeeId eq 'E100'", ['Alice Adams', 'Bob Brown']],
    [`assignedLicenses/any(x:x/skuId eq ${SKU})`, ['Carol Clark']],
    ["otherMails/any(m:m eq 'alice@example.org')", ['Alice Adams']],
    ["proxyAddresses/any(p:startsWith(p,'SMTP:bob'))", ['Bob Brown']],
    ["userPrincipalName eq 'ALICE@" + '__D__' + "'", ['Alice Adams']],
  ])('default query %s', async (filter, expected) => {
    const r = await t.call('GET', `/users?$filter=${encodeURIComponent(filter.replace('__D__', t.graph.domains[0] as string))}`);
    expect(r.status).toBe(200);
    expect(names(r.json)).toEqual(expected);
  });

  test.each([
    ["department ne 'Sales'", ['Bob Brown']],
    ["not(department eq 'Sales')", ['Bob Brown']],
    ["endsWith(mail,'@__D__')", ['Alice Adams', 'Bob Brown']],
    ['mail eq null', ['Carol Clark']],
    ["companyName eq 'Contoso'", ['Alice Adams']],
    ["mobilePhone eq '+1 555 0100'", ['Carol Clark']],
    ['assignedLicenses/$count eq 0', ['Alice Adams', 'Bob Brown']],
    ["proxyAddresses/any(p:endsWith(p,'@__D__'))", ['Alice Adams', 'Bob Brown']],
  ])('advanced query %s needs ConsistencyLevel eventual and $count=true', async (raw, expected) => {
    const filter = encodeURIComponent(raw.replace('__D__', t.graph.domains[0] as string));
    const refused = await t.call('GET', `/users?$filter=${filter}`);
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('Request_UnsupportedQuery');
    const headerOnly = await t.call('GET', `/users?$filter=${filter}`, undefined, EVENTUAL);
    expect(headerOnly.status).toBe(400);
    const countOnly = await t.call('GET', `/users?$filter=${filter}&$count=true`);
    expect(countOnly.status).toBe(400);
    const ok = await t.call('GET', `/users?$filter=${filter}&$count=true`, undefined, EVENTUAL);
    expect(ok.status).toBe(200);
    expect(names(ok.json)).toEqual(expected);
    expect(ok.json['@odata.count']).toBe(expected.length);
  });

  test('the documented error text for operators that need advanced parameters', async () => {
    const r = await t.call('GET', `/users?$filter=${encodeURIComponent("endsWith(mail,'@x.com')")}`);
    expect(r.json.error.message).toMatch(
      /^Operator 'endsWith' is not supported because the required parameters might be missing\./,
    );
  });

  test.each([
    ["nickname eq 'x'", 'Request_BadRequest', /Could not find a property named 'nickname' on type 'microsoft.graph.user'/],
    ["accountEnabled eq 'true'", 'Request_BadRequest', /incompatible types.*Edm.Boolean.*Edm.String/],
    [`assignedLicenses/any(x:x/skuId eq '${SKU}')`, 'Request_BadRequest', /Edm.Guid/],
    ["proxyAddresses eq 'SMTP:x'", 'Request_BadRequest', /Collection\(Edm.String\)/],
    ["contains(displayName,'a')", 'Request_UnsupportedQuery', /displayName/],
    ["passwordProfile/password eq 'x'", 'Request_UnsupportedQuery', /passwordProfile\/password/],
    ["displayName eq 'a' and", 'Request_BadRequest', /Syntax error/],
    [
      `givenName in (${Array.from({ length: 16 }, (_, i) => `'n${i}'`).join(',')})`,
      'Request_UnsupportedQuery',
      /Max allowed: 15/,
    ],
  ])('%s is refused', async (filter, code, message) => {
    const r = await t.call('GET', `/users?$filter=${encodeURIComponent(filter)}&$count=true`, undefined, EVENTUAL);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(code);
    expect(r.json.error.message).toMatch(message);
  });

  test('groups have their own table: description needs advanced parameters', async () => {
    t.graph.state.addGroup({ displayName: 'Sales team', description: 'People who sell' });
    const refused = await t.call('GET', `/groups?$filter=${encodeURIComponent("description eq 'People who sell'")}`);
    expect(refused.status).toBe(400);
    const ok = await t.call(
      'GET',
      `/groups?$filter=${encodeURIComponent("description eq 'People who sell'")}&$count=true`,
      undefined,
      EVENTUAL,
    );
    expect(ok.json.value).toHaveLength(1);
  });
});

describe('$select, $top, $count, $orderby, $search', () => {
  test('$select returns exactly the selected properties; unknown names are 400', async () => {
    const r = await t.call('GET', `/users/${ids.alice}?$select=displayName,employeeId,ACCOUNTENABLED`);
    expect(r.json).toEqual({
      '@odata.context': `${t.graph.graphUrl}/$metadata#users(displayName,employeeId,accountEnabled)/$entity`,
      displayName: 'Alice Adams',
      employeeId: 'E100',
      accountEnabled: true,
    });
    const bad = await t.call('GET', '/users?$select=displayName,nope');
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/Could not find a property named 'nope' on type 'microsoft.graph.user'/);
  });

  test('$top is 1..999; $skip is not supported; repeated options are refused', async () => {
    expect((await t.call('GET', '/users?$top=999')).status).toBe(200);
    const over = await t.call('GET', '/users?$top=1000');
    expect(over.json.error.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
    expect((await t.call('GET', '/users?$top=0')).status).toBe(400);
    expect((await t.call('GET', '/users?$skip=1')).status).toBe(400);
    expect((await t.call('GET', '/users?$top=1&$top=2')).status).toBe(400);
    expect((await t.call('GET', '/users?$bogus=1')).status).toBe(400);
  });

  test('$count=true is silently ignored without the header; /users/$count needs it', async () => {
    const ignored = await t.call('GET', '/users?$count=true');
    expect(ignored.status).toBe(200);
    expect(ignored.json['@odata.count']).toBeUndefined();
    const counted = await t.call('GET', '/users?$count=true', undefined, EVENTUAL);
    expect(counted.json['@odata.count']).toBe(t.graph.state.userCount);
    const segment = await t.call('GET', '/users/$count');
    expect(segment.status).toBe(400);
    expect(segment.json.error.message).toBe('$count is not currently supported.');
    const text = await t.call('GET', `/users/$count?$filter=${encodeURIComponent("department eq 'Sales'")}`, undefined, EVENTUAL);
    expect(text.text).toBe('2');
  });

  test('$orderby on displayName by default, with $filter only as an advanced query', async () => {
    const sorted = await t.call('GET', '/users?$orderby=displayName desc&$select=displayName');
    expect(sorted.json.value.map((u: { displayName: string }) => u.displayName)).toEqual([
      'Carol Clark',
      'Bob Brown',
      'Alice Adams',
    ]);
    const unsupported = await t.call('GET', '/users?$orderby=jobTitle');
    expect(unsupported.status).toBe(400);
    const withFilter = `/users?$orderby=displayName&$filter=${encodeURIComponent("department eq 'Sales'")}`;
    expect((await t.call('GET', withFilter)).status).toBe(400);
    expect((await t.call('GET', `${withFilter}&$count=true`, undefined, EVENTUAL)).status).toBe(200);
  });

  test('$search needs ConsistencyLevel eventual and matches word prefixes', async () => {
    const refused = await t.call('GET', '/users?$search="displayName:car"');
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/ConsistencyLevel: eventual/);
    const found = await t.call(
      'GET',
      `/users?$search=${encodeURIComponent('"displayName:clar" OR "displayName:bro"')}`,
      undefined,
      EVENTUAL,
    );
    expect(names(found.json)).toEqual(['Bob Brown', 'Carol Clark']);
    const bad = await t.call('GET', '/users?$search=displayName:car', undefined, EVENTUAL);
    expect(bad.status).toBe(400);
  });

  test('$expand is not supported together with advanced queries', async () => {
    const r = await t.call('GET', '/users?$expand=manager&$count=true', undefined, EVENTUAL);
    expect(r.status).toBe(400);
  });
});

describe('paging', () => {
  test('2,500 users through @odata.nextLink; the skiptoken is opaque and tamper-evident', async () => {
    const p = await startTenant();
    try {
      p.graph.state.addUsers(2500, (i) => ({ displayName: `Paged ${String(i).padStart(4, '0')}` }));
      const seen: string[] = [];
      let url: string | undefined = `${p.graph.graphUrl}/users?$select=id,displayName&$top=999`;
      let pages = 0;
      while (url) {
        const response = await p.graph.fetch(url, { headers: { authorization: `Bearer ${p.token}` } });
        const body = (await response.json()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
        seen.push(...body.value.map((u) => u.id));
        url = body['@odata.nextLink'];
        pages++;
        if (pages === 1) {
          // Objects created while paging do not shift the pages already served.
          p.graph.state.addUsers(3, (i) => ({ displayName: `Late ${i}` }));
          expect(url).toMatch(/\$select=id%2CdisplayName&\$top=999&\$skiptoken=/);
          const tampered = (url as string).replace(/\$skiptoken=(.)/, (_m, c: string) => `$skiptoken=${c === 'A' ? 'B' : 'A'}`);
          const bad = await p.graph.fetch(tampered, { headers: { authorization: `Bearer ${p.token}` } });
          expect(bad.status).toBe(400);
        }
      }
      expect(pages).toBe(3);
      expect(seen).toHaveLength(2503);
      expect(new Set(seen).size).toBe(2503);
      const defaultPage = await p.call('GET', '/users');
      expect(defaultPage.json.value).toHaveLength(100);
    } finally {
      await p.graph.close();
    }
  });

  test('sorted pages stay stable when objects are inserted between requests', async () => {
    const p = await startTenant();
    try {
      p.graph.state.addUsers(30, (i) => ({ displayName: `S${String(i * 2).padStart(3, '0')}` }));
      const first = await p.call('GET', '/users?$orderby=displayName&$top=10&$select=displayName');
      p.graph.state.addUser({ displayName: 'S001' });
      p.graph.state.addUser({ displayName: 'S999' });
      const next = await p.graph.fetch(first.json['@odata.nextLink'], { headers: { authorization: `Bearer ${p.token}` } });
      const second = (await next.json()) as { value: Array<{ displayName: string }> };
      expect(first.json.value.at(-1).displayName).toBe('S018');
      expect(second.value[0]?.displayName).toBe('S020');
    } finally {
      await p.graph.close();
    }
  });
});
