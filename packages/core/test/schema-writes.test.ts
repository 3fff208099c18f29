/**
 * Schema-true writes (issue 19): what a strict RFC 7643 client and a loosely typed one get back,
 * through the handler as a host calls it.
 */
import { describe, expect, it } from 'vitest';
import { URN } from '../src/index.js';
import { createScimHandler, type ScimHandlerOptions } from '../src/handler/index.js';
import {
  resourceProblems,
  resourceTypeProblems,
  schemaResourceProblems,
  serviceProviderConfigProblems,
} from '../src/testkit/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

type Body = Record<string, any>;
const ENT = URN.EnterpriseUser;

function setup(opts: Partial<ScimHandlerOptions> = {}, withModify = true) {
  const unknown: string[] = [];
  const quirks: string[] = [];
  const h = createScimHandler({
    connector: memoryConnector({ withModify }),
    bulk: { maxOperations: 10 },
    onUnknownAttribute: (p) => unknown.push(p),
    onQuirk: (q) => quirks.push(q),
    ...opts,
  });
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await h.handle({
      method,
      url,
      origin: 'https://gw.example',
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
    });
    return { ...res, body: res.body as Body };
  };
  const user = async (extra: Body = {}) => {
    const r = await call('POST', '/Users', { schemas: [URN.User], userName: `u${Math.random()}`, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  return { h, call, user, unknown, quirks };
}

describe('/Schemas, /ResourceTypes and /ServiceProviderConfig against a strict RFC 7643 model', () => {
  it('have no member RFC 7643 does not define and every value of the right type', async () => {
    const { call } = setup();
    const schemas = await call('GET', '/Schemas');
    for (const s of schemas.body.Resources) expect(schemaResourceProblems(s, s.id)).toEqual([]);
    const types = await call('GET', '/ResourceTypes');
    for (const t of types.body.Resources) expect(resourceTypeProblems(t, t.id)).toEqual([]);
    expect(serviceProviderConfigProblems((await call('GET', '/ServiceProviderConfig')).body)).toEqual([]);
  });

  it('puts canonical values on the type sub-attribute (RFC 7643 §8.7.1), never on the complex attribute', async () => {
    const { call } = setup();
    const user = (await call('GET', `/Schemas/${URN.User}`)).body;
    const a = (n: string) => user.attributes.find((x: Body) => x.name === n);
    for (const [name, values] of [
      ['emails', ['work', 'home', 'other']],
      ['phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']],
      ['addresses', ['work', 'home', 'other']],
      ['photos', ['photo', 'thumbnail']],
    ] as const) {
      expect(a(name).canonicalValues, name).toBeUndefined();
      expect(a(name).subAttributes.find((s: Body) => s.name === 'type').canonicalValues, name).toEqual(values);
    }
  });

  it('the model itself refuses what the issue found', () => {
    expect(
      schemaResourceProblems({
        id: 'urn:x',
        attributes: [
          {
            name: 'emails',
            type: 'complex',
            multiValued: true,
            required: false,
            caseExact: false,
            mutability: 'readWrite',
            returned: 'default',
            uniqueness: 'none',
            canonicalValues: ['work'],
            subAttributes: [],
            extra: 1,
          },
        ],
      }),
    ).toEqual([
      'schema.attributes[0].extra: not a member RFC 7643 defines here',
      'schema.attributes[0].canonicalValues: on a complex attribute',
    ]);
  });
});

describe('values are refused, not coerced', () => {
  const bad: [string, string][] = [
    ['{"userName":123}', 'userName'],
    ['{"userName":["a"]}', 'userName'],
    ['{"userName":1e309}', 'userName'],
    ['{"userName":"ok","emails":"a@b"}', 'emails'],
    ['{"userName":"ok","emails":["a@b"]}', 'emails[0]'],
    ['{"userName":"ok","addresses":["x"]}', 'addresses[0]'],
    ['{"userName":"ok","name":"flat"}', 'name'],
    ['{"userName":"ok","active":"yes"}', 'active'],
    ['{"userName":"ok","active":1}', 'active'],
    ['{"userName":"ok","x509Certificates":[{"value":"not base64!"}]}', 'x509Certificates[0].value'],
    [`{"userName":"ok","${ENT}":{"manager":{"value":7}}}`, 'manager.value'],
    ['{"userName":"ok","emails":[{"value":"a@b","primary":true},{"value":"c@d","primary":true}]}', 'emails'],
    ['{"userName":"ok","phoneNumbers":[{"value":"1","primary":"True"},{"value":"2","primary":true}]}', 'phoneNumbers'],
  ];
  it.each(bad)('POST %s → 400 invalidValue naming %s', async (text, where) => {
    const { call } = setup();
    const r = await call('POST', '/Users', text);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe('invalidValue');
    expect(r.body.detail).toContain(`"${where}`);
    expect((await call('GET', '/Users')).body.totalResults).toBe(0);
  });

  it.each([
    ['userName', 123],
    ['userName', ['a', 'b']],
    ['name', 'flat'],
    ['addresses', ['x']],
    ['active', 'perhaps'],
    ['emails', [{ value: 5 }]],
  ])('PATCH replace %s with %j → 400, resource unchanged', async (path, value) => {
    const { call, user } = setup();
    const u = await user({ name: { givenName: 'G' }, active: true });
    const r = await call('PATCH', `/Users/${u.id}`, { Operations: [{ op: 'replace', path, value }] });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe('invalidValue');
    const after = (await call('GET', `/Users/${u.id}`)).body;
    expect(after).toEqual(u);
  });

  it('one primary value per attribute on POST and PUT; PATCH marking another primary clears the rest', async () => {
    const { call, user } = setup();
    const u = await user({
      emails: [
        { value: 'a@b', primary: true },
        { value: 'c@d', primary: false },
      ],
    });
    const two = {
      userName: u.userName,
      emails: [
        { value: 'a@b', primary: true },
        { value: 'c@d', primary: true },
      ],
    };
    const put = await call('PUT', `/Users/${u.id}`, two);
    expect(put.status).toBe(400);
    expect(put.body.detail).toMatch(/"emails" has more than one value with "primary": true/);
    const patched = await call('PATCH', `/Users/${u.id}`, {
      Operations: [{ op: 'add', path: 'emails', value: [{ value: 'e@f', primary: true }] }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.emails.filter((e: { primary?: boolean }) => e.primary === true)).toEqual([
      { value: 'e@f', primary: true },
    ]);
  });

  it('keeps the dialect rules real clients need: Entra\'s "False", a bare manager id, a wrapped single value', async () => {
    const { call, user, quirks } = setup();
    const m = await user();
    const u = await user({ active: 'True', [ENT]: { manager: m.id } });
    expect(u.active).toBe(true);
    expect(u[ENT].manager.value).toBe(m.id);
    const r = await call('PATCH', `/Users/${u.id}`, {
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'displayName', value: [{ $ref: null, value: 'User x' }] },
      ],
    });
    expect(r.body).toMatchObject({ active: false, displayName: 'User x' });
    expect(quirks).toEqual(expect.arrayContaining(['stringBoolean', 'bareComplexValue', 'wrappedSingleValue']));
  });
});

describe('attributes no schema defines: one policy on POST, PUT, PATCH and Bulk', () => {
  it('ignore (default): left out everywhere, reported once per occurrence to the host', async () => {
    const { call, user, unknown } = setup();
    const u = await user({ bogusCore: 1, [ENT]: { test1: 'x', employeeNumber: '1' } });
    expect(u.bogusCore).toBeUndefined();
    expect(u[ENT]).toEqual({ employeeNumber: '1' });
    const put = await call('PUT', `/Users/${u.id}`, { userName: u.userName, bogusCore: 2 });
    expect(put.status).toBe(200);
    expect(put.body.bogusCore).toBeUndefined();
    const patch = await call('PATCH', `/Users/${u.id}`, {
      Operations: [
        { op: 'add', path: 'bogusCore', value: 3 },
        { op: 'replace', value: { title: 'T', bogusCore: 4 } },
      ],
    });
    expect(patch.status).toBe(200);
    expect(patch.body.title).toBe('T');
    expect(patch.body.bogusCore).toBeUndefined();
    const bulk = await call('POST', '/Bulk', {
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'b', data: { userName: 'bulk1', bogusCore: 5 } }],
    });
    expect(bulk.body.Operations[0].status).toBe('201');
    expect(unknown).toEqual(['bogusCore', `${ENT}:test1`, 'bogusCore', 'bogusCore', 'bogusCore', 'bogusCore']);
  });

  it('reject: 400 everywhere, nothing stored', async () => {
    const { call, user } = setup({ unknownAttributes: 'reject' });
    const u = await user();
    const post = await call('POST', '/Users', { userName: 'x', bogusCore: 1 });
    expect(post.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(post.body.detail).toContain('bogusCore');
    const ext = await call('POST', '/Users', { userName: 'x', [ENT]: { test1: 'x' } });
    expect(ext.body.detail).toContain(`${ENT}:test1`);
    expect((await call('PUT', `/Users/${u.id}`, { userName: u.userName, bogusCore: 2 })).status).toBe(400);
    const patch = await call('PATCH', `/Users/${u.id}`, { Operations: [{ op: 'add', path: 'bogusCore', value: 3 }] });
    expect(patch.body).toMatchObject({ status: '400', scimType: 'invalidPath' });
    const pathless = await call('PATCH', `/Users/${u.id}`, { Operations: [{ op: 'replace', value: { bogusCore: 3 } }] });
    expect(pathless.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    const bulk = await call('POST', '/Bulk', {
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'b', data: { userName: 'bulk1', bogusCore: 5 } }],
    });
    expect(bulk.body.Operations[0].status).toBe('400');
    expect((await call('GET', '/Users')).body.totalResults).toBe(1);
  });

  it('"schemas" inside an extension object of a PATCH value is ignored, not an unknown attribute', async () => {
    const { call, user, unknown } = setup({ unknownAttributes: 'reject' });
    const u = await user();
    const r = await call('PATCH', `/Users/${u.id}`, {
      Operations: [{ op: 'add', path: ENT, value: { schemas: [ENT], department: 'D' } }],
    });
    expect(r.status).toBe(200);
    expect(r.body[ENT]).toEqual({ department: 'D' });
    expect(unknown).toEqual([]);
  });
});

describe('required, readOnly and immutable after the change', () => {
  it.each([
    [{ op: 'remove', path: 'userName' }],
    [{ op: 'replace', path: 'userName', value: null }],
    [{ op: 'replace', path: 'userName', value: '' }],
    [{ op: 'replace', value: { userName: null } }],
  ])('PATCH %j → 400 and userName kept', async (op) => {
    const { call, user } = setup();
    const u = await user();
    const r = await call('PATCH', `/Users/${u.id}`, { Operations: [op] });
    expect(r.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(r.body.detail).toContain('userName');
    expect((await call('GET', `/Users/${u.id}`)).body.userName).toBe(u.userName);
  });

  it('a group keeps its displayName; a member sub-attribute cannot be replaced (immutable)', async () => {
    const { call, user } = setup();
    const u = await user();
    const g = await call('POST', '/Groups', { displayName: 'G', members: [{ value: u.id, type: 'User' }] });
    const rm = await call('PATCH', `/Groups/${g.body.id}`, { Operations: [{ op: 'remove', path: 'displayName' }] });
    expect(rm.status).toBe(400);
    const imm = await call('PATCH', `/Groups/${g.body.id}`, {
      Operations: [{ op: 'replace', path: `members[value eq "${u.id}"].display`, value: 'x' }],
    });
    expect(imm.body).toMatchObject({ status: '400', scimType: 'mutability' });
  });

  it('read-only values a client sends are ignored on POST and refused as a PATCH path', async () => {
    const { call, user } = setup();
    const u = await user({ id: 'mine', meta: { created: 'x' }, groups: [{ value: 'g' }] });
    expect(u.id).not.toBe('mine');
    expect(u.groups).toBeUndefined();
    const r = await call('PATCH', `/Users/${u.id}`, { Operations: [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }] });
    expect(r.body).toMatchObject({ status: '400', scimType: 'mutability' });
  });
});

describe('group members', () => {
  it('are answered with $ref, their type checked against the canonical values, display kept, the rest reported', async () => {
    const { call, user, unknown } = setup();
    const u = await user();
    const bad = await call('POST', '/Groups', { displayName: 'G0', members: [{ value: u.id, type: 'Robot' }] });
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    const g = await call('POST', '/Groups', {
      displayName: 'G',
      members: [{ value: u.id, type: 'user', display: 'Babs', displayName: 'Babs J' }],
    });
    expect(g.status).toBe(201);
    expect(g.body.members).toEqual([{ value: u.id, type: 'User', display: 'Babs', $ref: `https://gw.example/Users/${u.id}` }]);
    expect(unknown).toEqual(['members[0].displayName']);
    expect(resourceProblems(createScimHandler({ connector: memoryConnector() }).registry, 'Group', g.body)).toEqual([]);
  });
});

describe('filters that compare the wrong type', () => {
  it.each([
    'meta.lastModified gt "not-a-date"',
    'userName gt true',
    'userName eq 1e999',
    'active eq "perhaps"',
    'active eq 1',
    `${ENT}:manager.value eq false`,
    'emails[primary eq "x"]',
  ])('%s → 400 invalidFilter', async (f) => {
    const { call } = setup();
    const r = await call('GET', `/Users?filter=${encodeURIComponent(f)}`);
    expect(r.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  it.each([
    ['active eq "True"', 1],
    ['roles[primary eq "True"]', 0],
    ['meta.lastModified gt "2000-01-01T00:00:00Z"', 0],
    ['userName eq 12345', 1],
    ['bogus eq "x"', 0],
    ['not (bogus pr)', 1],
  ])('%s → 200 with %i', async (f, n) => {
    const { call, user } = setup();
    await user({ userName: '12345', active: true });
    const r = await call('GET', `/Users?filter=${encodeURIComponent(f)}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.totalResults).toBe(n);
  });
});

describe('bodies and queries', () => {
  it('invalid UTF-8 → 400 invalidSyntax, nothing stored', async () => {
    const { call } = setup();
    const bytes = new Uint8Array([...Buffer.from('{"userName":"a'), 0xff, 0xfe, ...Buffer.from('"}')]);
    const r = await call('POST', '/Users', bytes);
    expect(r.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await call('GET', '/Users')).body.totalResults).toBe(0);
  });

  it('attributes=emails[type eq "work"] is read as emails (Microsoft)', async () => {
    const { call, user } = setup();
    const u = await user({ emails: [{ value: 'a@b', type: 'work' }], title: 'T' });
    const r = await call('GET', `/Users/${u.id}?attributes=${encodeURIComponent('emails[type eq "work"],userName')}`);
    expect(r.status).toBe(200);
    expect(r.body.emails).toEqual([{ value: 'a@b', type: 'work' }]);
    expect(r.body.title).toBeUndefined();
  });

  it('Bulk: failed PATCH and DELETE entries carry the location they addressed', async () => {
    const { call, user } = setup();
    const u = await user();
    const r = await call('POST', '/Bulk', {
      Operations: [
        { method: 'PATCH', path: `/Users/${u.id}`, data: { Operations: [{ op: 'remove', path: 'userName' }] } },
        { method: 'DELETE', path: '/Users/missing' },
        { method: 'PUT', path: `/Users/${u.id}`, data: { userName: 7 } },
      ],
    });
    expect(r.body.Operations.map((o: Body) => [o.status, o.location])).toEqual([
      ['400', `https://gw.example/Users/${u.id}`],
      ['404', 'https://gw.example/Users/missing'],
      ['400', `https://gw.example/Users/${u.id}`],
    ]);
  });
});
