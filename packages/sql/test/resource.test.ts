import { errors, SchemaRegistry } from '@scimgw/core';
import { describe, expect, it } from 'vitest';
import { compileCatalog, createSqlConnector, defaultSchema, type SqlDriver } from '../src/index.js';
import { columnNamer } from '../src/layout/columns.js';
import { plausibleId } from '../src/resource.js';
import { fitsColumn, storable } from '../src/write/elements.js';
import { ansiDialect } from './helpers/dialects.js';

describe('ids of database-made keys (RFC 7643 §3.1: an id is an opaque string)', () => {
  const numbered = { keyGeneration: 'database' as const };

  it('are named by their canonical decimal text only', () => {
    for (const id of ['0', '1', '42', '-7', '123456789012345678']) expect(plausibleId(numbered, id), id).toBe(true);
    for (const id of ['01', '001', '-0', '+1', ' 1', '1 ', '1.0', '1e3', '0x1', '', '-', 'abc', '1234567890123456789']) {
      expect(plausibleId(numbered, id), JSON.stringify(id)).toBe(false);
    }
  });

  it('leave ids the gateway makes alone', () => {
    for (const id of ['01', 'abc', '3f0e']) expect(plausibleId({ keyGeneration: 'uuid' }, id)).toBe(true);
    expect(plausibleId({ keyGeneration: 'uuid' }, 'a\u0000b')).toBe(false);
  });

  it('match a numeric column only in canonical form, and text that is not is refused for one', () => {
    for (const v of ['0', '12', '-3', 12, 0]) expect(fitsColumn('integer', v), String(v)).toBe(true);
    for (const v of ['012', '+12', ' 12', '12 ', '12.0', '1e1', '', 1.5]) expect(fitsColumn('integer', v), String(v)).toBe(false);
    for (const v of ['1.5', '-0.25', '3']) expect(fitsColumn('number', v), v).toBe(true);
    for (const v of ['1.50', '01.5', '+1.5', '.5']) expect(fitsColumn('number', v), v).toBe(false);
    const facts = {
      numeric: new Map([['team_members.member', 'integer' as const]]),
      lengths: new Map([['team_members.note', 5]]),
      nameColumn: (_: string | undefined, column: string) => `"members.value" (column ${column})`,
    };
    expect(storable(facts, 'app.team_members', 'member', '12')).toBe('12');
    expect(() => storable(facts, 'team_members', 'member', '012')).toThrow(errors.InvalidValueError);
    expect(() => storable(facts, 'team_members', 'member', '012')).toThrow(/"members\.value" \(column member\)/);
    expect(storable(facts, 'team_members', 'note', 'abcde')).toBe('abcde');
    // Characters, not UTF-16 units; spaces past the end are the database's to cut off.
    expect(storable(facts, 'team_members', 'note', '😀😀😀😀😀')).toBe('😀😀😀😀😀');
    expect(storable(facts, 'team_members', 'note', 'abcde   ')).toBe('abcde   ');
    expect(() => storable(facts, 'team_members', 'note', 'abcdef')).toThrow(/longer than the 5 characters/);
  });
});

describe('columnNamer', () => {
  it('names the attribute a column holds, with the column', () => {
    const def = defaultSchema(ansiDialect, { prefix: 'scim_' });
    const catalog = compileCatalog({ layout: def.layout, map: def.map, registry: new SchemaRegistry() });
    const name = columnNamer(catalog.resources.values());
    expect(name('scim_group_members', 'member_id')).toBe('"members.value" (column scim_group_members.member_id)');
    expect(name('scim_users', 'user_name')).toBe('"userName" (column scim_users.user_name)');
    expect(name(undefined, 'user_name')).toBe('"userName" (column user_name)');
    expect(name('scim_user_emails', 'type')).toBe('"emails.type" (column scim_user_emails.type)');
    // `value` is a column of e-mails and phone numbers: without the table, only the column.
    expect(name(undefined, 'value')).toBe('column value');
    expect(name('other', 'nothing')).toBe('column other.nothing');
  });
});

describe('an unexpected error inside an operation', () => {
  it('reaches the log with its message and stack, and the client as an opaque 500', async () => {
    const driver: SqlDriver = {
      run: (fn) => fn(async () => ({ rows: [], rowCount: 0 })),
      async close() {},
    };
    const { connector } = await createSqlConnector({
      name: 't',
      dialect: ansiDialect,
      driver,
      checkLayout: false,
      // A bug deep inside a write, as the RangeError of a spread over 120,000 statement pieces was.
      newId: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    const lines: { msg: string; data?: Record<string, unknown> }[] = [];
    const log = {
      debug() {},
      info() {},
      warn() {},
      error: (msg: string, data?: Record<string, unknown>) => lines.push({ msg, ...(data ? { data } : {}) }),
    };
    const users = connector.resources.User;
    if (!users?.create || !users.delete) throw new Error('no User handler');
    const e = await Promise.resolve(users.create({ schemas: [], userName: 'x' }, { log })).catch((x: unknown) => x);
    expect(errors.isScimError(e) && e.status).toBe(500);
    expect((e as errors.ScimError).detail).toBe('Internal server error');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.data?.error).toBe('RangeError: Maximum call stack size exceeded');
    expect(String(lines[0]?.data?.stack)).toContain('RangeError');
    expect(lines[0]?.data).toMatchObject({ operation: 'create', resourceType: 'User' });

    // SCIM errors are answers, not accidents: not logged.
    const missing = await Promise.resolve(users.delete('nope', { log })).catch((x: unknown) => x);
    expect(errors.isScimError(missing)).toBe(true);
    expect(lines).toHaveLength(1);
  });
});
