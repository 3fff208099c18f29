import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry, type ScimResource, URN } from '../src/index.js';
import { applyChanges, type PatchQuirk, patchToChanges } from '../src/patch/index.js';
import { isScimError } from '../src/errors.js';

const registry = new SchemaRegistry();
const userRt = registry.resourceType('User')!;
const groupRt = registry.resourceType('Group')!;
const ENT = URN.EnterpriseUser;

function patch(rt: typeof userRt, doc: ScimResource, ops: unknown[], quirks?: PatchQuirk[]): ScimResource {
  const changes = patchToChanges(registry, rt, { schemas: [URN.PatchOp], Operations: ops }, { onQuirk: (q) => quirks?.push(q) });
  return applyChanges(doc, changes, { registry, resourceType: rt }).resource;
}

const user = (): ScimResource => ({
  id: 'u1',
  userName: 'bjensen',
  displayName: 'Babs',
  active: true,
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'b@work.com', type: 'work', primary: true },
    { value: 'b@home.org', type: 'home' },
  ],
  addresses: [
    { type: 'work', locality: 'Oslo', primary: true },
    { type: 'home', locality: 'Bergen' },
  ],
  [ENT]: { employeeNumber: '1', department: 'Sales' },
});

const group = (): ScimResource => ({
  id: 'g1',
  displayName: 'Admins',
  members: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
});

type Row = { name: string; rt?: 'User' | 'Group'; ops: unknown[]; expect: (r: ScimResource) => void };

const ROWS: Row[] = [
  {
    name: 'replace a simple attribute',
    ops: [{ op: 'replace', path: 'displayName', value: 'B' }],
    expect: (r) => expect(r.displayName).toBe('B'),
  },
  {
    name: 'add a simple attribute',
    ops: [{ op: 'add', path: 'title', value: 'Guide' }],
    expect: (r) => expect(r.title).toBe('Guide'),
  },
  {
    name: 'remove a simple attribute',
    ops: [{ op: 'remove', path: 'displayName' }],
    expect: (r) => expect(r.displayName).toBeUndefined(),
  },
  {
    name: 'replace a sub-attribute keeps siblings',
    ops: [{ op: 'replace', path: 'name.givenName', value: 'Babs' }],
    expect: (r) => expect(r.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' }),
  },
  {
    name: 'replace a complex attribute merges sub-attributes (RFC 7644 §3.5.2.3)',
    ops: [{ op: 'replace', path: 'name', value: { givenName: 'B' } }],
    expect: (r) => expect(r.name).toEqual({ givenName: 'B', familyName: 'Jensen' }),
  },
  {
    name: 'add to a multi-valued attribute merges',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'new@x.com', type: 'other' }] }],
    expect: (r) => expect((r.emails as unknown[]).length).toBe(3),
  },
  {
    name: 'add an existing element does not duplicate',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'b@home.org', type: 'home' }] }],
    expect: (r) => expect((r.emails as unknown[]).length).toBe(2),
  },
  {
    name: 'replace a multi-valued attribute swaps the list',
    ops: [{ op: 'replace', path: 'emails', value: [{ value: 'only@x.com' }] }],
    expect: (r) => expect(r.emails).toEqual([{ value: 'only@x.com' }]),
  },
  {
    name: 'value-path sub-attribute replace',
    ops: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'w@new.com' }],
    expect: (r) =>
      expect((r.emails as { value: string; type: string }[]).find((e) => e.type === 'work')?.value).toBe('w@new.com'),
  },
  {
    name: 'value path with and + primary',
    ops: [{ op: 'replace', path: 'addresses[type eq "work" and primary eq true].locality', value: 'Trondheim' }],
    expect: (r) => expect((r.addresses as { locality: string }[])[0]?.locality).toBe('Trondheim'),
  },
  {
    name: 'value path upsert for an equality selector with no match (Entra ID)',
    ops: [{ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+47 1' }],
    expect: (r) => expect(r.phoneNumbers).toEqual([{ type: 'mobile', value: '+47 1' }]),
  },
  {
    name: 'remove by value filter',
    ops: [{ op: 'remove', path: 'emails[type eq "home"]' }],
    expect: (r) => expect(r.emails).toEqual([{ value: 'b@work.com', type: 'work', primary: true }]),
  },
  {
    name: 'primary is kept unique',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'p@x.com', type: 'other', primary: true }] }],
    expect: (r) => expect((r.emails as { primary?: boolean }[]).filter((e) => e.primary === true).length).toBe(1),
  },
  {
    name: 'extension attribute by URN path',
    ops: [{ op: 'replace', path: `${ENT}:employeeNumber`, value: '42' }],
    expect: (r) => expect((r[ENT] as Record<string, unknown>).employeeNumber).toBe('42'),
  },
  {
    name: 'extension as a whole',
    ops: [{ op: 'add', path: ENT, value: { costCenter: 'C1' } }],
    expect: (r) => expect(r[ENT]).toEqual({ employeeNumber: '1', department: 'Sales', costCenter: 'C1' }),
  },
  {
    name: 'path-less replace with dotted and URN keys (Entra ID flag mode)',
    ops: [{ op: 'replace', value: { displayName: 'X', 'name.givenName': 'G', [`${ENT}:department`]: 'Ops' } }],
    expect: (r) => {
      expect(r.displayName).toBe('X');
      expect((r.name as Record<string, unknown>).givenName).toBe('G');
      expect((r[ENT] as Record<string, unknown>).department).toBe('Ops');
    },
  },
  {
    name: 'path-less replace with value-path keys (Entra ID flag mode)',
    ops: [
      {
        op: 'replace',
        value: {
          'emails[type eq "work"].value': 'babs@work.com',
          'addresses[type eq "home"].locality': 'Tromsø',
          'phoneNumbers[type eq "mobile"].value': '+47 2',
          [`${ENT}:department`]: 'Ops',
        },
      },
    ],
    expect: (r) => {
      expect(r.emails).toEqual([
        { value: 'babs@work.com', type: 'work', primary: true },
        { value: 'b@home.org', type: 'home' },
      ]);
      expect(r.addresses).toEqual([
        { type: 'work', locality: 'Oslo', primary: true },
        { type: 'home', locality: 'Tromsø' },
      ]);
      expect(r.phoneNumbers).toEqual([{ type: 'mobile', value: '+47 2' }]);
      expect((r[ENT] as Record<string, unknown>).department).toBe('Ops');
    },
  },
  {
    name: 'path-less add with a value-path key inside an extension object',
    ops: [{ op: 'add', value: { [ENT]: { 'manager.value': 'm-2' }, 'emails[type eq "home"]': { display: 'Home' } } }],
    expect: (r) => {
      expect((r[ENT] as Record<string, unknown>).manager).toEqual({ value: 'm-2' });
      expect((r.emails as Record<string, unknown>[])[1]).toEqual({ value: 'b@home.org', type: 'home', display: 'Home' });
    },
  },
  {
    name: 'path-less replace of active false (Okta)',
    ops: [{ op: 'replace', value: { active: false } }],
    expect: (r) => expect(r.active).toBe(false),
  },
  {
    name: 'Entra string boolean with capitalised op',
    ops: [{ op: 'Replace', path: 'active', value: 'False' }],
    expect: (r) => expect(r.active).toBe(false),
  },
  {
    name: 'manager as a bare string (Entra ID)',
    ops: [{ op: 'add', path: `${ENT}:manager`, value: 'mgr-1' }],
    expect: (r) => expect((r[ENT] as Record<string, unknown>).manager).toEqual({ value: 'mgr-1' }),
  },
  {
    name: 'single value wrapped in an array with $ref null (Entra ID)',
    ops: [{ op: 'Add', path: 'displayName', value: [{ $ref: null, value: 'User x' }] }],
    expect: (r) => expect(r.displayName).toBe('User x'),
  },
  {
    name: 'null clears (Entra ID)',
    ops: [{ op: 'Replace', path: 'displayName', value: null }],
    expect: (r) => expect(r.displayName).toBeUndefined(),
  },
  {
    name: 'non-standard op delete',
    ops: [{ op: 'delete', path: 'displayName' }],
    expect: (r) => expect(r.displayName).toBeUndefined(),
  },
  {
    name: 'Entra member removal by value list removes only those',
    rt: 'Group',
    ops: [{ op: 'Remove', path: 'members', value: [{ value: 'b' }] }],
    expect: (r) => expect(r.members).toEqual([{ value: 'a' }, { value: 'c' }]),
  },
  {
    name: 'member removal by filter (Entra flag / Okta)',
    rt: 'Group',
    ops: [{ op: 'remove', path: 'members[value eq "a"]' }],
    expect: (r) => expect(r.members).toEqual([{ value: 'b' }, { value: 'c' }]),
  },
  {
    name: 'removing an absent member changes nothing',
    rt: 'Group',
    ops: [{ op: 'remove', path: 'members[value eq "zzz"]' }],
    expect: (r) => expect(r.members).toEqual(group().members),
  },
  {
    name: 'remove with an empty value list removes nothing',
    rt: 'Group',
    ops: [{ op: 'remove', path: 'members', value: [] }],
    expect: (r) => expect(r.members).toEqual(group().members),
  },
  {
    name: 'replace members [] clears (Okta push groups)',
    rt: 'Group',
    ops: [{ op: 'replace', path: 'members', value: [] }],
    expect: (r) => expect(r.members).toBeUndefined(),
  },
  {
    name: 'add members with $ref null, some already present',
    rt: 'Group',
    ops: [
      {
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: 'a' },
          { $ref: null, value: 'd' },
        ],
      },
    ],
    expect: (r) => expect((r.members as { value: string }[]).map((m) => m.value)).toEqual(['a', 'b', 'c', 'd']),
  },
  {
    name: 'Okta group rename with id in value',
    rt: 'Group',
    ops: [{ op: 'replace', value: { id: 'g1', displayName: 'New' } }],
    expect: (r) => {
      expect(r.displayName).toBe('New');
      expect(r.id).toBe('g1');
    },
  },
  {
    name: 'remove whole members (path-less remove on members path)',
    rt: 'Group',
    ops: [{ op: 'remove', path: 'members' }],
    expect: (r) => expect(r.members).toBeUndefined(),
  },
];

describe('PATCH: resource + operations → resource', () => {
  it.each(ROWS)('$name', (row) => {
    const rt = row.rt === 'Group' ? groupRt : userRt;
    row.expect(patch(rt, row.rt === 'Group' ? group() : user(), row.ops));
  });
});

const ERRORS: [string, unknown, string][] = [
  ['remove without path', { Operations: [{ op: 'remove' }] }, 'noTarget'],
  ['unknown op', { Operations: [{ op: 'move', path: 'title' }] }, 'invalidSyntax'],
  ['missing Operations', { schemas: [URN.PatchOp] }, 'invalidSyntax'],
  ['readOnly id', { Operations: [{ op: 'replace', path: 'id', value: 'x' }] }, 'mutability'],
  ['readOnly groups', { Operations: [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }] }, 'mutability'],
  ['unknown attribute', { Operations: [{ op: 'replace', path: 'nope', value: 1 }] }, 'invalidPath'],
  ['bad path syntax', { Operations: [{ op: 'replace', path: 'emails[type eq', value: 1 }] }, 'invalidPath'],
  ['bad filter in path', { Operations: [{ op: 'replace', path: 'emails[type zz "x"].value', value: 1 }] }, 'invalidFilter'],
  ['wrong type for boolean', { Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }, 'invalidValue'],
  ['add without value', { Operations: [{ op: 'add', path: 'title' }] }, 'invalidValue'],
  ['path-less add with non-object', { Operations: [{ op: 'add', value: 'x' }] }, 'invalidValue'],
  ['path-less key with a bad value path', { Operations: [{ op: 'replace', value: { 'emails[type eq': 'x' } }] }, 'invalidPath'],
  [
    'path-less key with a bad value filter',
    { Operations: [{ op: 'replace', value: { 'emails[type zz "x"].value': 'x' } }] },
    'invalidFilter',
  ],
  [
    'path-less value-path key on an unknown attribute',
    { Operations: [{ op: 'replace', value: { 'nope[type eq "x"].value': 1 } }] },
    'invalidValue',
  ],
  ['several values for single-valued', { Operations: [{ op: 'replace', path: 'title', value: ['a', 'b'] }] }, 'invalidValue'],
  ['body not an object', [], 'invalidSyntax'],
];

describe('PATCH errors', () => {
  it.each(ERRORS)('%s → %s', (_n, body, scimType) => {
    let err: unknown;
    try {
      patchToChanges(registry, userRt, body);
    } catch (e) {
      err = e;
    }
    expect(isScimError(err)).toBe(true);
    expect((err as { scimType: string }).scimType).toBe(scimType);
    expect((err as { status: number }).status).toBe(400);
  });

  it('replace with a non-equality filter that matches nothing is noTarget', () => {
    expect(() => patch(userRt, user(), [{ op: 'replace', path: 'emails[value co "nomatch"].type', value: 'x' }])).toThrow(
      expect.objectContaining({ scimType: 'noTarget' }),
    );
  });
});

describe('PATCH properties', () => {
  const opArb = fc.record({
    op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'delete', 'bogus'),
    path: fc.option(
      fc.constantFrom(
        'displayName',
        'emails',
        'emails[type eq "work"].value',
        'members',
        'name.givenName',
        'active',
        `${ENT}:manager`,
        'x[',
        'id',
      ),
      { nil: undefined },
    ),
    value: fc.option(fc.jsonValue(), { nil: undefined }),
  });
  it('never throws anything but a ScimError, and never mutates its input', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 4 }), (ops) => {
        const doc = user();
        const before = JSON.stringify(doc);
        const body = { Operations: ops };
        const bodyBefore = JSON.stringify(body);
        try {
          applyChanges(doc, patchToChanges(registry, userRt, body), { registry, resourceType: userRt });
        } catch (e) {
          if (!isScimError(e)) throw e;
        }
        expect(JSON.stringify(doc)).toBe(before);
        expect(JSON.stringify(body)).toBe(bodyBefore);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('applyChanges copies on write', () => {
  function deepFreeze<T>(v: T): T {
    if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) deepFreeze(x);
      Object.freeze(v);
    }
    return v;
  }
  const validOp = fc.oneof(
    fc.record({ op: fc.constant('replace'), path: fc.constant('displayName'), value: fc.string() }),
    fc.record({ op: fc.constant('replace'), path: fc.constant('name.givenName'), value: fc.string() }),
    fc.record({ op: fc.constant('remove'), path: fc.constant('name.familyName') }),
    fc.record({ op: fc.constant('replace'), path: fc.constant('emails[type eq "work"].value'), value: fc.emailAddress() }),
    fc.record({
      op: fc.constant('add'),
      path: fc.constant('emails'),
      value: fc.constant([{ value: 'n@x.org', type: 'other', primary: true }]),
    }),
    fc.record({ op: fc.constant('remove'), path: fc.constant('emails[type eq "home"]') }),
    fc.record({ op: fc.constant('replace'), path: fc.constant('addresses[type eq "home"].locality'), value: fc.string() }),
    fc.record({ op: fc.constant('replace'), path: fc.constant(`${ENT}:department`), value: fc.string() }),
    fc.record({ op: fc.constant('remove'), path: fc.constant(`${ENT}:employeeNumber`) }),
    fc.record({ op: fc.constant('add'), value: fc.record({ title: fc.string(), nickName: fc.string() }) }),
  );
  it('never writes into the (frozen) input, and gives what a deep copy would', () => {
    fc.assert(
      fc.property(fc.array(validOp, { minLength: 1, maxLength: 6 }), (ops) => {
        const frozen = deepFreeze(user());
        const changes = patchToChanges(registry, userRt, { schemas: [URN.PatchOp], Operations: ops });
        // A frozen input throws a TypeError (strict mode) on any write into it.
        const shared = applyChanges(frozen, changes, { registry, resourceType: userRt }).resource;
        const fromCopy = applyChanges(structuredClone(user()), changes, { registry, resourceType: userRt }).resource;
        expect(shared).toEqual(fromCopy);
        expect(frozen).toEqual(user());
      }),
      { numRuns: 1000 },
    );
  });

  it('shares the attributes no change touched', () => {
    const doc = user();
    const out = patch(userRt, doc, [{ op: 'replace', path: 'displayName', value: 'B' }]);
    expect(out.emails).toBe(doc.emails);
    expect(out.name).toBe(doc.name);
    const out2 = patch(userRt, doc, [{ op: 'replace', path: 'name.givenName', value: 'Bee' }]);
    expect(out2.name).not.toBe(doc.name);
    expect((doc.name as { givenName: string }).givenName).toBe('Barbara');
  });
});
