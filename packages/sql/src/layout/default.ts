/**
 * The default layout: tables for every attribute of the RFC 7643 User (with the enterprise
 * extension) and Group, the map that goes with them, and the table specification the DDL is
 * written from. `emails`, `phoneNumbers` and group `members` are child tables (filterable and
 * changed row by row); the rarely filtered lists (`addresses`, `roles` …) are JSON columns.
 */
import type { MapConfig } from '@scimgw/mapper';
import type { ColumnKind, SqlDialect } from '../dialect.js';
import { assertIdentifier } from '../identifier.js';
import type { ChildTableStorage, SqlLayout, TableLayout } from './types.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** One column of a table of the default layout. */
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  notNull?: boolean;
  /** Default value as SQL text (code-owned). */
  default?: string;
}

/** One index of a table of the default layout. */
export interface IndexSpec {
  name: string;
  column: string;
  unique?: boolean;
  /** Case-insensitive (`lower(column)`). */
  lowerCase?: boolean;
}

/** One table of the default layout. */
export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  primaryKey: string[];
  /** Unique constraints other than the primary key. */
  unique?: string[][];
  foreignKey?: { column: string; references: string; referencedColumn: string };
  indexes?: IndexSpec[];
  /** Several-column plain indexes. */
  plainIndexes?: { name: string; columns: string[] }[];
}

/** The default layout for one dialect: tables, layout and map. */
export interface DefaultSchema {
  tables: TableSpec[];
  /** Page index tables with the table and order column they count. */
  pageIndexes: { table: string; orderColumn: string; indexTable: string; bucketSize: number }[];
  layout: SqlLayout;
  map: MapConfig;
}

/** Options of {@link defaultSchema}. */
export interface DefaultSchemaOptions {
  /** Prefix of every table name. Default `scim_`. */
  prefix?: string;
  /** Keep page indexes (bucket counts kept by triggers). Default true. */
  pageIndex?: boolean;
}

const text = (name: string, notNull = false): ColumnSpec => ({ name, kind: 'text', ...(notNull ? { notNull } : {}) });
const long = (name: string): ColumnSpec => ({ name, kind: 'longText' });
const json = (name: string): ColumnSpec => ({ name, kind: 'json' });
/** Columns with an index: bounded text (MySQL cannot index TEXT). */
const INDEXED = new Set(['user_name', 'external_id', 'manager_id']);

const USER_SCALARS: [string, string][] = [
  ['user_name', 'userName'],
  ['external_id', 'externalId'],
  ['display_name', 'displayName'],
  ['nick_name', 'nickName'],
  ['profile_url', 'profileUrl'],
  ['title', 'title'],
  ['user_type', 'userType'],
  ['preferred_language', 'preferredLanguage'],
  ['locale', 'locale'],
  ['timezone', 'timezone'],
  ['name_formatted', 'name.formatted'],
  ['name_family_name', 'name.familyName'],
  ['name_given_name', 'name.givenName'],
  ['name_middle_name', 'name.middleName'],
  ['name_honorific_prefix', 'name.honorificPrefix'],
  ['name_honorific_suffix', 'name.honorificSuffix'],
  ['employee_number', `${ENTERPRISE}:employeeNumber`],
  ['cost_center', `${ENTERPRISE}:costCenter`],
  ['organization', `${ENTERPRISE}:organization`],
  ['division', `${ENTERPRISE}:division`],
  ['department', `${ENTERPRISE}:department`],
  ['manager_id', `${ENTERPRISE}:manager.value`],
];
const USER_JSON: [string, string][] = [
  ['addresses', 'addresses'],
  ['ims', 'ims'],
  ['photos', 'photos'],
  ['entitlements', 'entitlements'],
  ['roles', 'roles'],
  ['x509_certificates', 'x509Certificates'],
];
const ELEMENT_COLUMNS = { value: 'value', type: 'type', primary: 'is_primary', display: 'display' };

function elementTable(name: string, owner: string, ownerTable: string): TableSpec {
  return {
    name,
    columns: [
      { name: 'seq', kind: 'serial', notNull: true },
      { name: owner, kind: 'key', notNull: true },
      text('value'),
      text('type'),
      { name: 'is_primary', kind: 'boolean' },
      long('display'),
    ],
    primaryKey: ['seq'],
    foreignKey: { column: owner, references: ownerTable, referencedColumn: 'id' },
    indexes: [
      { name: `${name}_owner`, column: owner },
      { name: `${name}_value`, column: 'value', lowerCase: true },
    ],
  };
}

function mainColumns(): ColumnSpec[] {
  return [
    { name: 'seq', kind: 'serial', notNull: true },
    { name: 'id', kind: 'key', notNull: true },
    { name: 'version', kind: 'bigint', notNull: true, default: '1' },
    { name: 'created', kind: 'timestamp', notNull: true },
    { name: 'last_modified', kind: 'timestamp', notNull: true },
  ];
}

function mainLayout(table: string, pageIndex: boolean): TableLayout {
  return {
    table,
    key: 'id',
    keyGeneration: 'uuid',
    version: 'version',
    created: 'created',
    lastModified: 'last_modified',
    order: 'seq',
    ...(pageIndex ? { pageIndex: { table: `${table}_pages`, bucketSize: 1024 } } : {}),
  };
}

/** The lower-case column a dialect keeps for an index, if it needs one. */
function lowerColumns(dialect: SqlDialect, tables: TableSpec[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const t of tables) {
    for (const ix of t.indexes ?? []) {
      if (!ix.lowerCase) continue;
      const lower = dialect.ddl.index(t.name, ix.name, ix.column, { unique: ix.unique, lowerCase: true }).lowerColumn;
      if (lower) out.set(t.name, { ...(out.get(t.name) ?? {}), [ix.column]: lower });
    }
  }
  return out;
}

/**
 * The default layout for a dialect.
 *
 * @example
 * const { layout, map } = defaultSchema(postgresDialect, { prefix: 'scim_' });
 */
export function defaultSchema(dialect: SqlDialect, options: DefaultSchemaOptions = {}): DefaultSchema {
  const prefix = options.prefix ?? 'scim_';
  const pageIndex = options.pageIndex !== false;
  if (prefix !== '') assertIdentifier(`${prefix}x`, 'prefix');
  const users = `${prefix}users`;
  const groups = `${prefix}groups`;
  const emails = `${prefix}user_emails`;
  const phones = `${prefix}user_phone_numbers`;
  const members = `${prefix}group_members`;

  const tables: TableSpec[] = [
    {
      name: users,
      columns: [
        ...mainColumns(),
        ...USER_SCALARS.map(([c]) => (INDEXED.has(c) ? text(c, c === 'user_name') : long(c))),
        { name: 'active', kind: 'boolean' },
        ...USER_JSON.map(([c]) => json(c)),
      ],
      primaryKey: ['id'],
      unique: [['seq']],
      indexes: [
        { name: `${users}_user_name`, column: 'user_name', unique: true, lowerCase: true },
        { name: `${users}_external_id`, column: 'external_id' },
        { name: `${users}_manager_id`, column: 'manager_id' },
      ],
    },
    elementTable(emails, 'user_id', users),
    elementTable(phones, 'user_id', users),
    {
      name: groups,
      columns: [...mainColumns(), text('display_name', true), text('external_id')],
      primaryKey: ['id'],
      unique: [['seq']],
      indexes: [
        { name: `${groups}_display_name`, column: 'display_name', lowerCase: true },
        { name: `${groups}_external_id`, column: 'external_id' },
      ],
    },
    {
      name: members,
      columns: [
        { name: 'group_id', kind: 'key', notNull: true },
        { name: 'member_id', kind: 'key', notNull: true },
        text('member_type'),
        long('display'),
      ],
      primaryKey: ['group_id', 'member_id'],
      foreignKey: { column: 'group_id', references: groups, referencedColumn: 'id' },
      indexes: [{ name: `${members}_member`, column: 'member_id' }],
    },
  ];
  const lower = lowerColumns(dialect, tables);
  const child = (table: string): ChildTableStorage => ({ table, owner: 'user_id', columns: ELEMENT_COLUMNS, order: 'seq' });

  const usersLayout: TableLayout = {
    ...mainLayout(users, pageIndex),
    ...(lower.get(users) ? { lowerCase: lower.get(users) } : {}),
    multiValued: {
      emails: child(emails),
      phone_numbers: child(phones),
      groups: { memberOf: true },
      ...Object.fromEntries(USER_JSON.map(([c]) => [c, { json: c }])),
    },
  };
  const groupsLayout: TableLayout = {
    ...mainLayout(groups, pageIndex),
    ...(lower.get(groups) ? { lowerCase: lower.get(groups) } : {}),
    multiValued: {
      members: {
        table: members,
        owner: 'group_id',
        columns: { value: 'member_id', type: 'member_type', display: 'display' },
        unique: true,
      },
    },
  };
  const userMap: Record<string, Record<string, unknown>> = {};
  for (const [c, target] of USER_SCALARS) userMap[c] = { mapTo: target };
  userMap.active = { mapTo: 'active', type: 'boolean' };
  userMap.emails = { mapTo: 'emails', type: 'complexArray' };
  userMap.phone_numbers = { mapTo: 'phoneNumbers', type: 'complexArray' };
  for (const [c, target] of USER_JSON) userMap[c] = { mapTo: target, type: 'complexArray' };
  userMap.groups = { mapTo: 'groups', type: 'complexArray' };

  return {
    tables,
    pageIndexes: pageIndex
      ? [users, groups].map((t) => ({ table: t, orderColumn: 'seq', indexTable: `${t}_pages`, bucketSize: 1024 }))
      : [],
    layout: { users: usersLayout, groups: groupsLayout },
    map: {
      user: userMap,
      group: {
        display_name: { mapTo: 'displayName' },
        external_id: { mapTo: 'externalId' },
        members: { mapTo: 'members', type: 'complexArray' },
      },
    },
  };
}
