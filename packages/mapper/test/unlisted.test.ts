import { type Change, errors, SchemaRegistry } from '@scimgw/core';
import { parseFilter, serializeFilter } from '@scimgw/core/filter';
import { patchToChanges } from '@scimgw/core/patch';
import { describe, expect, it } from 'vitest';
import {
  connectorSchemas,
  createMapper,
  type MapConfig,
  mapErrorPath,
  MapperConfigError,
  type TranslatedFilter,
} from '../src/index.js';

/** A text flag, a renamed status, a type-keyed e-mail and a list, each with a valueMap; `mode` for the single-valued ones. */
function flagMap(mode?: 'hide' | 'drop'): MapConfig {
  const unlisted = mode ? { unlisted: mode } : {};
  return {
    user: {
      id: { mapTo: 'id' },
      login: { mapTo: 'userName' },
      enabled: { mapTo: 'active', type: 'string', valueMap: { Y: true, N: false }, ...unlisted },
      status: { mapTo: 'title', valueMap: { A: 'Active', R: 'Retired' }, ...unlisted },
      mail: { mapTo: 'emails.work.value', valueMap: { 'a@x': 'a@example.com' }, ...unlisted },
      badges: { mapTo: 'badges', type: 'array', valueMap: { B1: 'Blue', B2: 'Red' }, unlisted: 'drop' },
    },
  };
}

const hiding = createMapper(flagMap(), { resourceType: 'User' });
const explicitHide = createMapper(flagMap('hide'), { resourceType: 'User' });
const dropping = createMapper(flagMap('drop'), { resourceType: 'User' });

const row = { id: '7', login: 'bjensen', enabled: 'Y', status: 'A', mail: 'a@x', badges: ['B1', 'B9', 'B2'] };
const full = {
  id: '7',
  userName: 'bjensen',
  active: true,
  title: 'Active',
  emails: [{ type: 'work', value: 'a@example.com' }],
  badges: ['Blue', 'Red'],
};

describe('unlisted: "hide" (the default on single-valued attributes)', () => {
  it('hides a record holding an unlisted value, whichever attribute holds it', () => {
    for (const m of [hiding, explicitHide]) {
      expect(m.toScim(row)).toEqual(full);
      expect(m.toScim({ ...row, enabled: 'X' })).toBeUndefined();
      expect(m.toScim({ ...row, status: 'Z' })).toBeUndefined();
      expect(m.toScim({ ...row, mail: 'b@x' })).toBeUndefined();
      // An absent value hides nothing.
      expect(m.toScim({ ...row, enabled: undefined })).toEqual({ ...full, active: undefined });
    }
  });

  it('reports itself as hiding and builds the visibility filter', () => {
    expect(hiding.hidesResources).toBe(true);
    expect(hiding.attributes.filter((a) => a.hides).map((a) => a.endpoint)).toEqual(['enabled', 'status', 'mail']);
    expect(serializeFilter(hiding.visibilityFilter()!)).toBe(
      '(enabled eq "Y" or enabled eq "N" or not (enabled pr)) and (status eq "A" or status eq "R" or not (status pr)) and (mail eq "a@x" or not (mail pr))',
    );
    expect(explicitHide.visibilityFilter()).toEqual(hiding.visibilityFilter());
  });
});

describe('unlisted: "drop"', () => {
  it('leaves an unlisted value out and keeps the record', () => {
    for (const v of ['X', '', '?', ' Y', 'yes', 'true', 'N/A']) {
      const r = dropping.toScim({ ...row, enabled: v });
      expect(r, v).toEqual({ ...full, active: undefined });
      expect(r, v).not.toHaveProperty('active');
    }
    expect(dropping.toScim({ ...row, status: 'Z' })).toEqual(withoutKey(full, 'title'));
    expect(dropping.toScim({ ...row, mail: 'b@x' })).toEqual(withoutKey(full, 'emails'));
    expect(dropping.toScim({ id: '8', enabled: 'X', status: 'Z', mail: 'b@x', badges: ['B9'] })).toEqual({ id: '8' });
  });

  it('reads listed values as before: renamed, case-insensitively, the first listed one of an endpoint list', () => {
    expect(dropping.toScim(row)).toEqual(full);
    expect(dropping.toScim({ ...row, enabled: 'N' })?.active).toBe(false);
    expect(dropping.toScim({ ...row, enabled: 'y' })?.active).toBe(true);
    expect(dropping.toScim({ ...row, enabled: ['X', 'N'] })?.active).toBe(false);
    expect(dropping.toScim({ ...row, enabled: ['X'] })).not.toHaveProperty('active');
  });

  it('hides nothing: no visibility filter, not counted as hiding', () => {
    expect(dropping.hidesResources).toBe(false);
    expect(dropping.visibilityFilter()).toBeUndefined();
    expect(dropping.attributes.map((a) => [a.endpoint, a.valueMapped, a.hides])).toEqual([
      ['id', false, false],
      ['login', false, false],
      ['enabled', true, false],
      ['status', true, false],
      ['mail', true, false],
      ['badges', true, false],
    ]);
  });

  it('mixed with a hiding entry, only that entry is in the visibility filter', () => {
    const m = createMapper(
      {
        user: {
          login: { mapTo: 'userName' },
          enabled: { mapTo: 'active', type: 'string', valueMap: { Y: true, N: false }, unlisted: 'drop' },
          dept: { mapTo: 'title', valueMap: { IT: 'Information Technology' } },
        },
      },
      { resourceType: 'User' },
    );
    expect(m.hidesResources).toBe(true);
    expect(serializeFilter(m.visibilityFilter()!)).toBe('dept eq "IT" or not (dept pr)');
    expect(m.toScim({ login: 'u', enabled: 'X', dept: 'IT' })).toEqual({ userName: 'u', title: 'Information Technology' });
    expect(m.toScim({ login: 'u', enabled: 'Y', dept: 'HR' })).toBeUndefined();
  });

  it('on a list means what a list always did: the element is dropped', () => {
    const defaulted = createMapper(
      { user: { badges: { mapTo: 'badges', type: 'array', valueMap: { B1: 'Blue' } } } },
      { resourceType: 'User' },
    );
    const dropped = createMapper(
      { user: { badges: { mapTo: 'badges', type: 'array', valueMap: { B1: 'Blue' }, unlisted: 'drop' } } },
      { resourceType: 'User' },
    );
    for (const badges of [['B1', 'B9'], ['B9'], ['b1']]) {
      expect(dropped.toScim({ badges })).toEqual(defaulted.toScim({ badges }));
    }
    expect(dropped.toScim({ badges: ['B1', 'B9'] })).toEqual({ badges: ['Blue'] });
    expect(dropped.toScim({ badges: ['B9'] })).toEqual({});
    expect(dropped.visibilityFilter()).toBeUndefined();
  });

  it('generates the same schema as "hide" (canonicalValues from the valueMap)', () => {
    expect(dropping.schemas()).toEqual(hiding.schemas());
    expect(dropping.schema().attributes.find((a) => a.name === 'title')?.canonicalValues).toEqual(['Active', 'Retired']);
  });
});

describe('unlisted: writing stays strict', () => {
  const registry = new SchemaRegistry(connectorSchemas([dropping]));
  const patch = (ops: unknown[]): Change[] =>
    patchToChanges(registry, registry.resourceType('User')!, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: ops,
    });
  const invalid = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(errors.InvalidValueError);
      expect((e as errors.InvalidValueError).status).toBe(400);
      expect((e as errors.InvalidValueError).scimType).toBe('invalidValue');
      return;
    }
    expect.unreachable('should throw');
  };

  it('rejects unlisted values in create/replace and PATCH with 400 invalidValue', () => {
    for (const m of [dropping, hiding]) {
      invalid(() => m.toEndpoint({ userName: 'u', title: 'Other' }));
      invalid(() => m.toEndpoint({ userName: 'u', active: 'maybe' }));
      invalid(() => m.toEndpoint({ userName: 'u', badges: ['Purple'] }));
    }
    invalid(() => dropping.changesToEndpoint(patch([{ op: 'replace', path: 'title', value: 'Other' }])));
    invalid(() => dropping.changesToEndpoint(patch([{ op: 'add', path: 'badges', value: ['Purple'] }])));
    expect(dropping.toEndpoint({ userName: 'u', active: false, title: 'retired' })).toEqual({
      login: 'u',
      enabled: 'N',
      status: 'R',
    });
  });

  it('removing an unlisted value is a no-op', () => {
    const none = { set: {}, add: {}, remove: {}, clear: [] };
    expect(dropping.changesToEndpoint([{ op: 'remove', path: { attr: 'title' }, value: ['Other'] }])).toEqual(none);
    expect(dropping.changesToEndpoint(patch([{ op: 'remove', path: 'badges', value: ['Purple'] }]))).toEqual(none);
    expect(dropping.changesToEndpoint([{ op: 'remove', path: { attr: 'title' }, value: ['Active'] }])).toEqual({
      ...none,
      remove: { status: ['A'] },
    });
  });
});

function show(t: TranslatedFilter): string {
  if (t.kind === 'none') return 'NONE';
  if (t.kind === 'all') return `ALL${t.exact ? '' : ' (post-filter)'}`;
  return `${serializeFilter(t.filter)}${t.exact ? '' : ' (post-filter)'}`;
}

describe('unlisted: filters', () => {
  // [SCIM filter, with "drop", with "hide"]
  const table: [string, string, string][] = [
    // eq of a listed value: records holding an unlisted value are not equal either way.
    ['active eq true', 'enabled eq "Y"', 'enabled eq "Y"'],
    ['active eq "False"', 'enabled eq "N"', 'enabled eq "N"'],
    ['title eq "retired"', 'status eq "R"', 'status eq "R"'],
    // eq of an unlisted value: nothing shows it.
    ['title eq "Other"', 'NONE', 'NONE'],
    ['not (title eq "Other")', 'ALL', 'ALL'],
    ['not (active eq true)', 'not (enabled eq "Y")', 'not (enabled eq "Y")'],
    // ne is the negation of eq (an absent value is "not equal").
    ['active ne true', 'enabled ne "Y"', 'enabled ne "Y"'],
    ['title ne "Active"', 'status ne "A"', 'status ne "A"'],
    ['title ne "Other"', 'ALL', 'ALL'],
    // pr: with "drop" an unlisted value reads as absent; with "hide" its record is filtered out anyway.
    ['active pr', 'enabled eq "Y" or enabled eq "N"', 'enabled pr'],
    ['not (active pr)', 'not (enabled eq "Y" or enabled eq "N")', 'not (enabled pr)'],
    ['title pr', 'status eq "A" or status eq "R"', 'status pr'],
    ['emails pr', 'mail eq "a@x"', 'mail pr'],
    ['emails[type eq "work"]', 'mail eq "a@x"', 'mail pr'],
    ['emails[type eq "work" and value pr]', 'mail eq "a@x"', 'mail pr'],
    ['emails.value eq "A@example.com"', 'mail eq "a@x"', 'mail eq "a@x"'],
    // Lists: unchanged, an element may be present yet unlisted.
    ['badges pr', 'badges pr (post-filter)', 'badges pr (post-filter)'],
    ['badges eq "Red"', 'badges eq "B2"', 'badges eq "B2"'],
    ['badges ne "Red"', 'badges ne "B2"', 'badges ne "B2"'],
    ['badges eq "Purple"', 'NONE', 'NONE'],
    // Other operators are post-filtered.
    ['title co "Act"', 'ALL (post-filter)', 'ALL (post-filter)'],
    ['title sw "R"', 'ALL (post-filter)', 'ALL (post-filter)'],
    ['title gt "A"', 'ALL (post-filter)', 'ALL (post-filter)'],
    ['active eq "yes"', 'ALL (post-filter)', 'ALL (post-filter)'],
    ['active eq true and userName eq "b"', 'enabled eq "Y" and login eq "b"', 'enabled eq "Y" and login eq "b"'],
    ['active pr or userName eq "b"', '(enabled eq "Y" or enabled eq "N") or login eq "b"', 'enabled pr or login eq "b"'],
  ];
  for (const [scim, drop, hide] of table) {
    it(`${scim}  →  drop: ${drop}; hide: ${hide}`, () => {
      expect(show(dropping.translateFilter(parseFilter(scim)))).toBe(drop);
      expect(show(hiding.translateFilter(parseFilter(scim)))).toBe(hide);
    });
  }

  it('pr stays post-filtered when a listed value does not read as a present SCIM value', () => {
    const m = createMapper(
      {
        user: {
          nick: { mapTo: 'nickName', valueMap: { A: 'Alpha', E: '' }, unlisted: 'drop' },
          flag: { mapTo: 'active', type: 'string', valueMap: { Y: true, Q: 'perhaps' }, unlisted: 'drop' },
          code: { mapTo: 'title', type: 'integer', valueMap: { '1': 'One', x: 'Ex' }, unlisted: 'drop' },
        },
      },
      { resourceType: 'User' },
    );
    expect(show(m.translateFilter(parseFilter('nickName pr')))).toBe('nick pr (post-filter)');
    expect(show(m.translateFilter(parseFilter('active pr')))).toBe('flag pr (post-filter)');
    expect(show(m.translateFilter(parseFilter('title pr')))).toBe('code pr (post-filter)');
    expect(show(m.translateFilter(parseFilter('not (title pr)')))).toBe('ALL (post-filter)');
  });
});

describe('unlisted: configuration', () => {
  const at = (entry: Record<string, unknown>) => {
    try {
      createMapper({ user: { login: { mapTo: 'userName' }, flag: { mapTo: 'nickName', ...entry } } } as MapConfig, {
        resourceType: 'User',
      });
    } catch (e) {
      expect(e).toBeInstanceOf(MapperConfigError);
      return e as MapperConfigError;
    }
    return undefined;
  };

  it('accepts "hide" and "drop" on single-valued attributes, "drop" on lists', () => {
    expect(at({ valueMap: { a: 'b' }, unlisted: 'hide' })).toBeUndefined();
    expect(at({ valueMap: { a: 'b' }, unlisted: 'drop' })).toBeUndefined();
    expect(at({ valueMap: { a: 'b' }, unlisted: null })).toBeUndefined();
    expect(at({ type: 'array', valueMap: { a: 'b' }, unlisted: 'drop' })).toBeUndefined();
  });

  it('rejects "hide" on a list, naming the path', () => {
    const e = at({ mapTo: 'badges', type: 'array', valueMap: { a: 'b' }, unlisted: 'hide' });
    expect(e?.path).toBe('map.user.flag.unlisted');
    expect(e?.message).toMatch(/"hide" needs a single-valued attribute/);
  });

  it('rejects any other value, naming the path', () => {
    for (const bad of ['keep', 'Drop', 'HIDE', '', true, 1, ['drop'], { mode: 'drop' }]) {
      const e = at({ valueMap: { a: 'b' }, unlisted: bad });
      expect(e?.path, JSON.stringify(bad)).toBe('map.user.flag.unlisted');
      expect(e?.message).toMatch(/must be one of hide, drop/);
      expect(mapErrorPath(e as MapperConfigError, { user: { login: {}, flag: {} } })).toEqual(['user', 'flag', 'unlisted']);
    }
    expect(at({ unlisted: 'sometimes' })?.path).toBe('map.user.flag.unlisted');
  });

  it('is ignored without a valueMap (absent, or the seed\'s "valueMap": {})', () => {
    expect(at({ unlisted: 'drop' })).toBeUndefined();
    expect(at({ unlisted: 'hide' })).toBeUndefined();
    expect(at({ valueMap: {}, unlisted: 'hide', type: 'array' })).toBeUndefined();
    expect(at({ mapTo: 'emails', type: 'complexArray', unlisted: 'hide' })).toBeUndefined();
    const m = createMapper(
      {
        user: {
          nick: { mapTo: 'nickName', valueMap: {}, unlisted: 'hide' },
          tags: { mapTo: 'tags', type: 'array', unlisted: 'hide' },
        },
      },
      { resourceType: 'User' },
    );
    expect(m.hidesResources).toBe(false);
    expect(m.toScim({ nick: 'anything', tags: ['x'] })).toEqual({ nickName: 'anything', tags: ['x'] });
  });
});

function withoutKey<T extends Record<string, unknown>>(o: T, key: string): Record<string, unknown> {
  const { [key]: _, ...rest } = o;
  return rest;
}

describe('an empty endpoint value under a hiding valueMap', () => {
  // The visibility filter lets a record without the attribute through, and SQL's and LDAP's
  // `pr` (like SCIM's) read '' as absent: so does reading, or a listing would count records that
  // a read by id then hides.
  it('reads as absent where the attribute may be absent, and hides the record where it is required', () => {
    const seen = hiding.toScim({ ...row, status: '' });
    expect(seen).toBeDefined();
    expect(seen?.title).toBeUndefined();
    expect(serializeFilter(hiding.visibilityFilter() as never)).toMatch(/not \(status pr\)/);
    const required = createMapper(
      { user: { id: { mapTo: 'id' }, login: { mapTo: 'userName', valueMap: { bj: 'bjensen' } } } },
      { resourceType: 'User' },
    );
    expect(required.toScim({ id: '1', login: '' })).toBeUndefined();
    expect(required.toScim({ id: '1', login: 'bj' })?.userName).toBe('bjensen');
    // A listed '' maps as written.
    const listed = createMapper(
      {
        user: {
          id: { mapTo: 'id' },
          login: { mapTo: 'userName' },
          st: { mapTo: 'title', valueMap: { '': 'None', A: 'Active' } },
        },
      },
      { resourceType: 'User' },
    );
    expect(listed.toScim({ id: '1', login: 'x', st: '' })?.title).toBe('None');
  });
});
