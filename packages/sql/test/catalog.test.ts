import { describe, expect, it } from 'vitest';
import { compileCatalog, defaultSchema, IdentifierError, layoutSchema, type SqlLayout } from '../src/index.js';
import { ansiDialect } from './helpers/dialects.js';

const base = (): { layout: SqlLayout; map: Record<string, Record<string, Record<string, unknown>>> } => ({
  layout: {
    users: {
      table: 'people',
      key: 'pid',
      keyGeneration: 'database',
      version: 'rev',
      multiValued: { mails: { json: 'mails' }, tags: { table: 'person_tags', owner: 'pid', value: 'tag' } },
    },
  },
  map: {
    user: {
      login: { mapTo: 'userName' },
      mails: { mapTo: 'emails', type: 'complexArray' },
      tags: { mapTo: 'urn:x:Tags:tags', type: 'array' },
    },
  },
});

describe('compileCatalog', () => {
  it('compiles the default layout of a dialect', () => {
    const { layout, map } = defaultSchema(ansiDialect);
    const catalog = compileCatalog({ layout, map });
    const users = catalog.resources.get('User');
    expect(users?.table).toBe('scim_users');
    expect(users?.storages.get('user_name')).toMatchObject({ kind: 'column', column: 'user_name', caseExact: false });
    expect(users?.storages.get('external_id')).toMatchObject({ kind: 'column', caseExact: true });
    expect(users?.storages.get('emails')).toMatchObject({ kind: 'child', table: 'scim_user_emails', owner: 'user_id' });
    expect(users?.storages.get('roles')).toMatchObject({ kind: 'json', column: 'roles' });
    expect(users?.storages.get('groups')?.kind).toBe('memberOf');
    expect(catalog.resources.get('Group')?.storages.get('members')).toMatchObject({ kind: 'child', unique: true });
  });

  it('compiles a custom layout with database keys, a JSON column and a child table of scalars', () => {
    const { layout, map } = base();
    const c = compileCatalog({ layout, map }).resources.get('User');
    expect(c?.keyGeneration).toBe('database');
    expect(c?.storages.get('pid')).toMatchObject({ kind: 'column', column: 'pid' });
    expect(c?.storages.get('tags')).toMatchObject({ kind: 'child', valueColumn: 'tag', scalar: { type: 'string' } });
    expect(c?.storages.get('mails')).toMatchObject({ kind: 'json' });
  });

  it('names the configuration path of every bad identifier', () => {
    const cases: [string, (l: ReturnType<typeof base>) => void, RegExp][] = [
      ['table', (l) => ((l.layout.users as { table: string }).table = 'people; DROP TABLE x'), /layout\.users\.table/],
      ['key', (l) => ((l.layout.users as { key: string }).key = 'p id'), /layout\.users\.key/],
      ['version', (l) => ((l.layout.users as { version?: string }).version = 'rev"'), /layout\.users\.version/],
      [
        'column from the map',
        (l) => ((l.map.user as Record<string, unknown>)['login` = 1; --'] = { mapTo: 'displayName' }),
        /map\.user\.login/,
      ],
      [
        'child table',
        (l) => ((l.layout.users?.multiValued?.tags as { table: string }).table = 'a.b.c'),
        /multiValued|tags\.table/,
      ],
      ['child column', (l) => ((l.layout.users?.multiValued?.tags as { value: string }).value = "tag'"), /tags\.value/],
      ['json column', (l) => ((l.layout.users?.multiValued?.mails as { json: string }).json = '--'), /mails\.json/],
    ];
    for (const [what, mutate, where] of cases) {
      const l = base();
      mutate(l);
      expect(() => compileCatalog(l), what).toThrow(IdentifierError);
      expect(() => compileCatalog(l), what).toThrow(where);
    }
  });

  it('refuses layouts whose storage does not fit the mapping', () => {
    const scalarInJson = base();
    (scalarInJson.map.user as Record<string, unknown>).nick = { mapTo: 'nickName' };
    (scalarInJson.layout.users as { multiValued: Record<string, unknown> }).multiValued.nick = { json: 'nick' };
    expect(() => compileCatalog(scalarInJson)).toThrow(/JSON column holds/);
    const listInColumn = base();
    (listInColumn.map.user as Record<string, unknown>).phones = { mapTo: 'phoneNumbers', type: 'complexArray' };
    expect(() => compileCatalog(listInColumn)).toThrow(/describe its storage/);
    const unknownKey = base();
    (unknownKey.layout.users as { multiValued: Record<string, unknown> }).multiValued.ghost = { json: 'ghost' };
    expect(() => compileCatalog(unknownKey)).toThrow(/"ghost" is not a key of map\.user/);
    const memberOfWithoutGroups = base();
    (memberOfWithoutGroups.map.user as Record<string, unknown>).groups = { mapTo: 'groups', type: 'complexArray' };
    (memberOfWithoutGroups.layout.users as { multiValued: Record<string, unknown> }).multiValued.groups = { memberOf: true };
    expect(() => compileCatalog(memberOfWithoutGroups)).toThrow(/memberOf needs groups/);
    const badSub = base();
    (badSub.map.user as Record<string, unknown>).phones = { mapTo: 'phoneNumbers', type: 'complexArray' };
    (badSub.layout.users as { multiValued: Record<string, unknown> }).multiValued.phones = {
      table: 'phones',
      owner: 'pid',
      columns: { value: 'v', colour: 'c' },
    };
    expect(() => compileCatalog(badSub)).toThrow(/"colour" is not a sub-attribute/);
  });

  it('the configuration schema refuses bad identifiers before anything is compiled', () => {
    const r = layoutSchema.safeParse({ users: { table: 'x; DROP TABLE y', key: 'id' } });
    expect(r.success).toBe(false);
    expect(
      layoutSchema.safeParse({ users: { table: 'scim.users', key: 'id', multiValued: { e: { json: 'a b' } } } }).success,
    ).toBe(false);
    expect(layoutSchema.safeParse({ users: { table: 'scim.users', key: 'id', tabel: 'x' } }).success).toBe(false);
    expect(layoutSchema.safeParse({ users: { table: 'scim.users', key: 'id' } }).success).toBe(true);
  });
});
