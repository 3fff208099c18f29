import { errors, URN } from '@scimgw/core';
import { describe, expect, it } from 'vitest';
import { createMapper, mapErrorPath, MapperConfigError } from '../src/index.js';
import { directoryMap, ENT } from './fixtures.js';

const users = createMapper(directoryMap, { resourceType: 'User' });
const groups = createMapper(directoryMap, { resourceType: 'Group' });

const record = {
  uid: 'u1',
  sAMAccountName: 'bjensen',
  mail: 'bjensen@example.com',
  mobile: '+47 555',
  givenName: 'Barbara',
  sn: 'Jensen',
  enabled: 'TRUE',
  employeeID: '701984',
  managerId: 'u9',
  memberOf: ['g1', 'g2'],
  passwordProfile: { password: 'never-read' },
  proxyAddresses: ['smtp:b@x', 'SMTP:bj@x'],
  whenCreated: '20240501100000Z',
  accountExpires: '133801632000000000',
  costCenter: '17',
  dept: 'IT',
  badges: ['B1', 'B9', 'B2'],
};

describe('toScim', () => {
  const u = users.toScim(record) as Record<string, unknown>;

  it('renames, nests and fills type-keyed elements', () => {
    expect(u).toMatchObject({
      id: 'u1',
      userName: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ type: 'work', value: 'bjensen@example.com' }],
      phoneNumbers: [{ type: 'mobile', value: '+47 555' }],
      groups: [{ value: 'g1' }, { value: 'g2' }],
      proxyAddresses: [{ value: 'smtp:b@x' }, { value: 'SMTP:bj@x' }],
    });
  });

  it('maps one endpoint attribute to several SCIM attributes (one-to-many)', () => {
    expect(u?.externalId).toBe('bjensen@example.com');
    expect((u.emails as { value: string }[])[0]?.value).toBe('bjensen@example.com');
  });

  it('converts types: string "TRUE" → boolean, integer → SCIM string, datetime formats → ISO', () => {
    expect(u?.active).toBe(true);
    expect((u[ENT] as Record<string, unknown>).employeeNumber).toBe('701984');
    expect((u[ENT] as Record<string, unknown>).manager).toEqual({ value: 'u9' });
    expect(u?.meta).toEqual({ created: '2024-05-01T10:00:00.000Z' });
    expect(u?.accountExpires).toBe('2025-01-01T00:00:00.000Z');
    expect(u?.costCenterNumber).toBe(17);
  });

  it('never reads write-only attributes (password)', () => {
    expect(u?.password).toBeUndefined();
    expect(JSON.stringify(u)).not.toContain('never-read');
  });

  it('renames through valueMap and drops unlisted elements of a list', () => {
    expect(u?.department).toBe('Information Technology');
    expect(u?.badges).toEqual(['Blue', 'Red']);
  });

  it('hides a record whose single-valued valueMapped attribute is not listed', () => {
    expect(users.toScim({ ...record, dept: 'Finance' })).toBeUndefined();
    expect(users.toScim({ ...record, dept: undefined })).toBeDefined();
    expect(groups.toScim({ gid: 'g1', cn: 'Employees', member: ['u1'] })).toEqual({
      id: 'g1',
      displayName: 'Admins',
      members: [{ value: 'u1' }],
    });
    expect(groups.toScim({ gid: 'g2', cn: 'Secret', member: [] })).toBeUndefined();
  });

  it('matches valueMap keys and attribute names case-insensitively', () => {
    expect(groups.toScim({ GID: 'g1', CN: 'employees' })?.displayName).toBe('Admins');
  });

  it('drops values it cannot convert instead of failing the record', () => {
    const r = users.toScim({ ...record, costCenter: 'abc', enabled: 'maybe', whenCreated: 'not a date' });
    expect(r?.costCenterNumber).toBeUndefined();
    expect(r?.active).toBeUndefined();
    expect(r?.meta).toBeUndefined();
    expect(r?.userName).toBe('bjensen');
  });

  it('accepts LDAP-style arrays for single-valued attributes (first value)', () => {
    expect(users.toScim({ sAMAccountName: ['bjensen'], title: ['Boss', 'Other'] })).toMatchObject({
      userName: 'bjensen',
      title: 'Boss',
    });
  });
});

describe('toEndpoint', () => {
  const scim = {
    id: 'ignored',
    userName: 'bjensen',
    password: 'S3cret!',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [
      { type: 'home', value: 'home@x' },
      { type: 'work', value: 'w2@x' },
      { type: 'work', value: 'w1@x', primary: true },
    ],
    active: false,
    [ENT]: { employeeNumber: '42', manager: { value: 'u9' } },
    groups: [{ value: 'g1' }],
    proxyAddresses: [{ value: 'smtp:a' }, { value: 'smtp:b' }],
    meta: { created: '2024-01-01T00:00:00Z' },
    accountExpires: '2025-01-01T00:00:00Z',
    department: 'human resources',
    badges: ['Red'],
    nickName: 'unmapped',
  };
  const out = users.toEndpoint(scim);

  it('writes mapped attributes under endpoint names, nested for dotted keys', () => {
    expect(out).toEqual({
      sAMAccountName: 'bjensen',
      passwordProfile: { password: 'S3cret!' },
      givenName: 'Barbara',
      sn: 'Jensen',
      mail: 'w1@x',
      homeMail: 'home@x',
      enabled: 'false',
      employeeID: 42,
      managerId: 'u9',
      proxyAddresses: ['smtp:a', 'smtp:b'],
      accountExpires: '133801632000000000',
      dept: 'HR',
      badges: ['B2'],
    });
  });

  it('leaves out read-only (id, meta, groups) and unmapped attributes', () => {
    expect(out).not.toHaveProperty('uid');
    expect(out).not.toHaveProperty('whenCreated');
    expect(out).not.toHaveProperty('memberOf');
    expect(JSON.stringify(out)).not.toContain('unmapped');
  });

  it('prefers the primary element for a single-valued endpoint attribute', () => {
    expect(out.mail).toBe('w1@x');
  });

  it('rejects values outside a valueMap with 400 invalidValue', () => {
    const err = (() => {
      try {
        groups.toEndpoint({ displayName: 'Not allowed' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(errors.InvalidValueError);
    expect((err as errors.InvalidValueError).status).toBe(400);
    expect((err as errors.InvalidValueError).scimType).toBe('invalidValue');
    expect((err as Error).message).toContain('Not allowed');
  });

  it('rejects values it cannot convert', () => {
    expect(() => users.toEndpoint({ userName: 'x', [ENT]: { employeeNumber: 'A-1' } })).toThrow(errors.InvalidValueError);
  });

  it('takes the first listed target with a value (one-to-many)', () => {
    expect(users.toEndpoint({ userName: 'x', externalId: 'ext@x' }).mail).toBe('ext@x');
    expect(users.toEndpoint({ userName: 'x', externalId: 'ext@x', emails: [{ type: 'work', value: 'w@x' }] }).mail).toBe('w@x');
  });
});

describe('seed configuration shapes', () => {
  it('maps the seed plugin-generic default (complexArray, complexObject, empty valueMap, xvalueMap)', () => {
    const m = createMapper(
      {
        user: {
          id: { mapTo: 'id', type: 'string' },
          userName: { mapTo: 'userName', type: 'string', xvalueMap: { bjensen: 'Xbjensen' } },
          name: { mapTo: 'name', type: 'complexObject', subAttributes: [] },
          emails: { mapTo: 'emails', type: 'complexArray' },
        },
        group: {
          id: { mapTo: 'id', type: 'string' },
          displayName: { mapTo: 'displayName', type: 'string', valueMap: {} },
          members: { mapTo: 'members', type: 'complexArray' },
        },
      },
      { resourceType: 'Group' },
    );
    expect(m.hidesResources).toBe(false);
    const g = { id: 'g', displayName: 'Any', members: [{ value: 'u1', display: 'U 1' }] };
    expect(m.toScim(g)).toEqual(g);
    expect(m.toEndpoint(g)).toEqual({ displayName: 'Any', members: [{ value: 'u1', display: 'U 1' }] });
  });

  it('maps the seed Entra ID shapes (array with typeInbound, items, dotted endpoint keys)', () => {
    const m = createMapper(
      {
        user: {
          businessPhones: { mapTo: 'businessPhones', type: 'array', typeInbound: 'string' },
          proxyAddresses: { mapTo: 'proxyAddresses.value', type: 'array', items: { type: 'string' } },
          'employeeOrgData.costCenter': { mapTo: 'employeeOrgData.costCenter', type: 'string' },
          manager: { mapTo: 'manager.managerId', type: 'string' },
        },
      },
      { resourceType: 'User' },
    );
    const r = m.toScim({
      businessPhones: ['+1 555', '+1 666'],
      proxyAddresses: ['smtp:a'],
      employeeOrgData: { costCenter: 'CC1' },
      manager: 'm1',
    });
    expect(r).toEqual({
      businessPhones: '+1 555',
      proxyAddresses: [{ value: 'smtp:a' }],
      employeeOrgData: { costCenter: 'CC1' },
      manager: { managerId: 'm1' },
    });
    expect(m.toEndpoint(r as never)).toEqual({
      businessPhones: ['+1 555'],
      proxyAddresses: ['smtp:a'],
      employeeOrgData: { costCenter: 'CC1' },
      manager: 'm1',
    });
    const core = m.schema();
    expect(core.attributes.find((a) => a.name === 'businessPhones')).toMatchObject({ type: 'string', multiValued: false });
    expect(core.attributes.find((a) => a.name === 'proxyAddresses')).toMatchObject({ type: 'complex', multiValued: true });
  });

  it('spreads a list of objects over a dotted array key (groups.value + groups.display)', () => {
    const m = createMapper(
      {
        user: {
          userName: { mapTo: 'userName' },
          'groups.value': { mapTo: 'groups.value', type: 'array' },
          'groups.display': { mapTo: 'groups.display', type: 'array', valueMap: { Employees: 'Admins' } },
        },
      },
      { resourceType: 'User' },
    );
    const r = m.toScim({
      userName: 'u',
      groups: [
        { value: 'g1', display: 'Employees' },
        { value: 'g2', display: 'Hidden' },
        { value: 'g3', display: '' },
      ],
    });
    // The elements whose display is not allowlisted (an empty one included) disappear with their value.
    expect(r?.groups).toEqual([{ value: 'g1', display: 'Admins' }]);
  });
});

describe('configuration errors name the JSON path', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ user: { a: { mapTo: 'userName', type: 'float' } } }, 'map.user.a.type', /unknown type "float"/],
    [{ user: { a: { mapTo: 'name.nickname' } } }, 'map.user.a.mapTo', /not a sub-attribute of name/],
    [{ user: { a: { mapTo: 'userName.x' } } }, 'map.user.a.mapTo', /has no sub-attributes/],
    [{ user: { a: { mapTo: 'name.work.givenName' } } }, 'map.user.a.mapTo', /no "type"/],
    [{ user: { a: { mapTo: 'userName', valueMap: { x: 'y', z: 'Y' } } } }, 'map.user.a.valueMap.z', /mapped only once/],
    [{ user: { a: { mapTo: 'emails', type: 'complexArray', valueMap: { x: 'y' } } } }, 'map.user.a.valueMap', /scalar values/],
    [{ user: { a: { mapTo: 'userName', type: 'complexArray' } } }, 'map.user.a.mapTo', /needs a complex attribute/],
    [{ user: { a: { mapTo: 'userName', format: 'unix' } } }, 'map.user.a.format', /must be one of/],
    [{ user: { a: 'userName' } }, 'map.user.a', /must be an object/],
    [{ user: { a: { mapTo: 'foo' }, b: { mapTo: 'foo.bar' } } }, 'map.user.b', /both as a whole/],
    [{ user: { __proto__x: { mapTo: 'x' }, 'a.__proto__': { mapTo: 'y' } } }, 'map.user.a.__proto__', /not allowed/],
    [{ group: {} }, 'map.user', /is missing/],
    // Names Object.prototype has (lower-case, as types are looked up) are no types either.
    [{ user: { a: { mapTo: 'userName', type: 'constructor' } } }, 'map.user.a.type', /unknown type "constructor"/],
    [{ user: { a: { mapTo: 'userName', type: '__proto__' } } }, 'map.user.a.type', /unknown type "__proto__"/],
  ];
  for (const [map, path, msg] of cases) {
    it(`${path}: ${msg}`, () => {
      try {
        createMapper(map as never, { resourceType: 'User' });
        expect.unreachable('should throw');
      } catch (e) {
        expect(e).toBeInstanceOf(MapperConfigError);
        expect((e as MapperConfigError).path).toBe(path);
        expect((e as Error).message).toMatch(msg);
        // The key "a.__proto__" stays one segment; elsewhere the segments are the path split at its dots.
        const segments = path === 'map.user.a.__proto__' ? ['user', 'a.__proto__'] : path.split('.').slice(1);
        expect(mapErrorPath(e as MapperConfigError, map as Record<string, unknown>)).toEqual(segments);
      }
    });
  }

  it('splits paths into segments by the keys of the map, dots in names kept', () => {
    const map = {
      user: {
        'meta.created': { mapTo: 'meta.created', type: 'time' },
        '2.5.4.3': { mapTo: 'displayName', valueMap: { 'a.b': 'x', 'c.d': 'X' } },
      },
    };
    const at = (m: Record<string, unknown>, configPath?: string) => {
      try {
        createMapper(m as never, { resourceType: 'User', nestedEndpointKeys: false, ...(configPath ? { configPath } : {}) });
      } catch (e) {
        return mapErrorPath(e as MapperConfigError, m, configPath);
      }
      return undefined;
    };
    expect(at(map)).toEqual(['user', 'meta.created', 'type']);
    expect(at({ user: { '2.5.4.3': map.user['2.5.4.3'] } }, 'endpoint.entity.a.map')).toEqual([
      'user',
      '2.5.4.3',
      'valueMap',
      'c.d',
    ]);
    expect(at({ group: {} })).toEqual(['user']);
    expect(mapErrorPath(new MapperConfigError('map', 'must be an object'), {})).toEqual([]);
    expect(mapErrorPath(new MapperConfigError('elsewhere.x', 'what'), {})).toEqual([]);
  });

  it('rejects an unknown resource type', () => {
    expect(() => createMapper({ user: {} }, { resourceType: 'Device' })).toThrow(/unknown resource type "Device"/);
  });
});

describe('introspection', () => {
  it('lists endpoint attributes per SCIM path', () => {
    expect(users.endpointAttributesFor('emails')).toEqual(['mail', 'homeMail']);
    expect(users.endpointAttributesFor('emails.value')).toEqual(['mail', 'homeMail']);
    expect(users.endpointAttributesFor('name.givenName')).toEqual(['givenName']);
    expect(users.endpointAttributesFor(`${ENT}:employeeNumber`)).toEqual(['employeeID']);
    expect(users.endpointAttributesFor(`${URN.User}:userName`)).toEqual(['sAMAccountName']);
    expect(users.endpointAttributesFor('nickName')).toEqual([]);
    expect(users.endpointAttributesFor('not a path!')).toEqual([]);
  });

  it('lists readable SCIM paths for filter capabilities (password excluded)', () => {
    const paths = users.scimPaths();
    expect(paths).toEqual(expect.arrayContaining(['userName', 'emails.value', `${ENT}:employeeNumber`, 'groups.value']));
    expect(paths).not.toContain('password');
  });

  it('describes each entry', () => {
    const mail = users.attributes.find((a) => a.endpoint === 'mail');
    expect(mail?.targets.map((t) => [t.path, t.shape, t.typeKey])).toEqual([
      ['emails.value', 'typed', 'work'],
      ['externalId', 'single', undefined],
    ]);
    expect(users.attributes.find((a) => a.endpoint === 'uid')?.readOnly).toBe(true);
  });

  it('reads, writes and deletes endpoint values by key', () => {
    const rec: Record<string, unknown> = {};
    users.setEndpointValue(rec, 'passwordProfile.password', 'p');
    users.setEndpointValue(rec, 'sAMAccountName', 'x');
    expect(rec).toEqual({ passwordProfile: { password: 'p' }, sAMAccountName: 'x' });
    expect(users.getEndpointValue(rec, 'passwordProfile.password')).toBe('p');
    users.deleteEndpointValue(rec, 'passwordProfile.password');
    expect(rec).toEqual({ sAMAccountName: 'x' });
    const g = createMapper(
      {
        user: {
          'groups.value': { mapTo: 'groups.value', type: 'array' },
          'groups.display': { mapTo: 'groups.display', type: 'array' },
        },
      },
      { resourceType: 'User' },
    );
    const r: Record<string, unknown> = {};
    g.setEndpointValue(r, 'groups.value', ['a', 'b']);
    g.setEndpointValue(r, 'groups.display', ['A', 'B']);
    expect(r).toEqual({
      groups: [
        { value: 'a', display: 'A' },
        { value: 'b', display: 'B' },
      ],
    });
    g.deleteEndpointValue(r, 'groups.display');
    expect(r).toEqual({});
  });
});
