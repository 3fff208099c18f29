/**
 * The layout and the map, compiled once at startup into a catalog: for every endpoint key of the
 * map, where it is stored (a column, a child table, a JSON column, the membership table) and how
 * it compares (type, case sensitivity from the SCIM schema). Every identifier is checked here.
 */
import { type AttributeDefinition, type AttributeType, type ResourceTypeDefinition, SchemaRegistry } from '@scimgw/core';
import {
  connectorSchemas,
  createMapper,
  type MapConfig,
  type Mapper,
  type MappedAttribute,
  type MappedTarget,
} from '@scimgw/mapper';
import { assertIdentifier, assertQualifiedName, IdentifierError } from '../identifier.js';
import { type ColumnNamer, columnNamer } from './columns.js';
import { LAYOUT_SECTIONS, type MultiValuedStorage, type SqlLayout, type TableLayout } from './types.js';

/** Comparison type of a stored value. */
export type ValueType = 'string' | 'boolean' | 'integer' | 'number' | 'datetime';

/**
 * Columns the database declares numeric, by `table.column` (lower case), learnt at startup. A SCIM
 * string kept in one (an `id` the database numbers, a member value referring to such an id)
 * compares as the core compares text, not as SQL compares numbers.
 */
export type NumericColumns = Map<string, 'integer' | 'number'>;

/**
 * The most characters text columns hold (`varchar(255)`), by `table.column` (lower case), learnt at
 * startup: a longer value is refused with 400 naming its attribute before the database refuses it
 * (PostgreSQL's error does not say which column).
 */
export type ColumnLengths = Map<string, number>;

/** What writes check a value for a column against, and how they name the column in a refusal. */
export interface ColumnFacts {
  numeric: NumericColumns;
  lengths: ColumnLengths;
  nameColumn: ColumnNamer;
}

/** Whether a column is numeric in the database (as far as the startup check learnt). */
export function numericColumn(columns: NumericColumns, table: string, column: string): 'integer' | 'number' | undefined {
  return columns.get(`${(table.split('.').pop() as string).toLowerCase()}.${column.toLowerCase()}`);
}

/** One member of the elements of a multi-valued attribute (`emails.type`). */
export interface ElementField {
  /** Canonical sub-attribute name. */
  name: string;
  /** Column in a child table; absent for JSON elements (and for sub-attributes a child table does not store). */
  column?: string;
  type: ValueType;
  caseExact: boolean;
}

/** A scalar endpoint key kept in a column of the main table. */
export interface ColumnStorage {
  kind: 'column';
  key: string;
  column: string;
  /** A generated `LOWER(column)` column to compare case-insensitively with. */
  lower?: string;
  type: ValueType;
  caseExact: boolean;
  writable: boolean;
  /**
   * Holds only write-only attributes (`password`): never read back, so a client cannot send them
   * again, and a PUT that leaves them out keeps the stored value.
   */
  writeOnly: boolean;
}

/** Elements of a multi-valued key, and how each compares. */
interface Elements {
  key: string;
  /** Elements are scalars (`type: "array"`): their type and case sensitivity. */
  scalar?: { type: ValueType; caseExact: boolean } | undefined;
  /** Elements are objects: their members, by lower-cased name. */
  fields: Map<string, ElementField>;
  writable: boolean;
}

/** A multi-valued key in a child table. */
export interface ChildStorage extends Elements {
  kind: 'child';
  table: string;
  owner: string;
  /** Column of scalar elements. */
  valueColumn?: string;
  order?: string;
  unique: boolean;
}

/** A multi-valued (or complex) key in a JSON column of the main table. */
export interface JsonStorage extends Elements {
  kind: 'json';
  column: string;
  /** `complexObject`: one object, not a list. */
  object: boolean;
}

/** Users: the groups holding the user as a member. */
export interface MemberOfStorage extends Elements {
  kind: 'memberOf';
  /** Filled in once both resource types are compiled. */
  via?: { members: ChildStorage; groups: ResourceCatalog; display?: ColumnStorage | undefined };
}

export type KeyStorage = ColumnStorage | ChildStorage | JsonStorage | MemberOfStorage;

/** The column holding each element's `value` (or the scalar element itself) of a child table. */
export function valueColumnOf(s: ChildStorage): string | undefined {
  return s.scalar ? s.valueColumn : s.fields.get('value')?.column;
}

/** Everything the SQL layer knows about one resource type. */
export interface ResourceCatalog {
  resourceType: string;
  rt: ResourceTypeDefinition;
  table: string;
  key: string;
  keyGeneration: 'uuid' | 'database';
  version?: string | undefined;
  created?: string | undefined;
  lastModified?: string | undefined;
  /** Column of the stable list order (the key when none is configured). */
  order: string;
  pageIndex?: { table: string; bucketSize: number } | undefined;
  mapper: Mapper;
  /** Storage by endpoint key. */
  storages: Map<string, KeyStorage>;
  /** Scalar columns read with every row (key, version, timestamps included). */
  columns: ColumnStorage[];
  /** Multi-valued storages, read per page of rows. */
  lists: (ChildStorage | JsonStorage | MemberOfStorage)[];
  /** Numeric columns of every table (shared by the resource types; filled by the startup check). */
  numeric: NumericColumns;
  /** Lengths of bounded text columns of every table (shared; filled by the startup check). */
  lengths: ColumnLengths;
  /** The attribute of a column of any table of the catalog, for messages. */
  nameColumn: ColumnNamer;
}

/** The compiled catalog of the resource types configured. */
export interface Catalog {
  resources: Map<string, ResourceCatalog>;
  /** The registry served: the host's plus the mapping's generated schemas. */
  registry: SchemaRegistry;
  /** Numeric columns of every table (filled by the startup check). */
  numeric: NumericColumns;
  /** Lengths of bounded text columns of every table (filled by the startup check). */
  lengths: ColumnLengths;
}

const toValueType = (t: AttributeType | undefined): ValueType =>
  t === 'boolean'
    ? 'boolean'
    : t === 'integer'
      ? 'integer'
      : t === 'decimal'
        ? 'number'
        : t === 'dateTime'
          ? 'datetime'
          : 'string';

const SCALAR_TYPES: ReadonlySet<string> = new Set(['string', 'boolean', 'integer', 'number', 'datetime']);

/** JSON members are named from schemas; these names are safe inside a JSON path literal. */
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/;

function leafOf(registry: SchemaRegistry, rt: ResourceTypeDefinition, t: MappedTarget): AttributeDefinition | undefined {
  const r = registry.resolve(rt, {
    ...(t.extension ? { uri: t.extension } : {}),
    attr: t.attr,
    ...(t.sub ? { sub: t.sub } : {}),
  });
  if (!r) return undefined;
  if (t.sub !== undefined) return r.subDef;
  if (r.attrDef?.type === 'complex') return r.attrDef.subAttributes?.find((s) => s.name === 'value');
  return r.attrDef;
}

function complexOf(registry: SchemaRegistry, rt: ResourceTypeDefinition, t: MappedTarget): AttributeDefinition | undefined {
  const r = registry.resolve(rt, { ...(t.extension ? { uri: t.extension } : {}), attr: t.attr });
  return r?.attrDef?.type === 'complex' ? r.attrDef : undefined;
}

function ciGet<T>(record: Record<string, T> | undefined, name: string): T | undefined {
  if (!record) return undefined;
  const k = Object.keys(record).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : record[k];
}

/** Adds the key, timestamps and (for checks) the mapping of columns the layout names itself. */
function effectiveMap(map: MapConfig, section: string, layout: TableLayout, where: string): MapConfig {
  const entries: Record<string, unknown> = { ...((map[section] as Record<string, unknown> | undefined) ?? {}) };
  const mapsTo = (target: string) =>
    Object.entries(entries).filter(
      ([, e]) =>
        typeof e === 'object' &&
        e !== null &&
        String((e as { mapTo?: unknown }).mapTo ?? '')
          .split(',')
          .some((x) => x.trim().toLowerCase() === target.toLowerCase()),
    );
  const ensure = (column: string | undefined, target: string, extra: Record<string, unknown> = {}) => {
    if (column === undefined) return;
    const found = mapsTo(target);
    if (found.some(([k]) => k !== column)) {
      throw new IdentifierError(`"${target}" must be mapped from column "${column}" (the layout says so)`, `${where}.${section}`);
    }
    if (found.length === 0) entries[column] = { mapTo: target, ...extra };
  };
  ensure(layout.key, 'id');
  ensure(layout.created, 'meta.created', { type: 'datetime' });
  ensure(layout.lastModified, 'meta.lastModified', { type: 'datetime' });
  return { ...map, [section]: entries as MapConfig[string] };
}

function checkTable(layout: TableLayout, where: string): void {
  assertQualifiedName(layout.table, `${where}.table`);
  for (const k of ['key', 'version', 'created', 'lastModified', 'order'] as const) {
    const v = layout[k];
    if (v !== undefined) assertIdentifier(v, `${where}.${k}`);
  }
  if (layout.pageIndex) assertQualifiedName(layout.pageIndex.table, `${where}.pageIndex.table`);
  for (const [col, lower] of Object.entries(layout.lowerCase ?? {})) {
    assertIdentifier(col, `${where}.lowerCase`);
    assertIdentifier(lower, `${where}.lowerCase.${col}`);
  }
}

function elementFields(
  def: AttributeDefinition | undefined,
  columns: Record<string, string> | undefined,
  where: string,
): Map<string, ElementField> {
  const fields = new Map<string, ElementField>();
  for (const sub of def?.subAttributes ?? []) {
    if (!FIELD_NAME.test(sub.name)) continue;
    const column = ciGet(columns, sub.name);
    if (column !== undefined) assertIdentifier(column, `${where}.columns.${sub.name}`);
    fields.set(sub.name.toLowerCase(), {
      name: sub.name,
      ...(column !== undefined ? { column } : {}),
      type: toValueType(sub.type),
      caseExact: sub.caseExact === true,
    });
  }
  for (const name of Object.keys(columns ?? {})) {
    if (!fields.has(name.toLowerCase())) {
      throw new IdentifierError(`"${name}" is not a sub-attribute of ${def?.name ?? 'the attribute'}`, `${where}.columns`);
    }
  }
  return fields;
}

function storageOf(
  a: MappedAttribute,
  spec: MultiValuedStorage | undefined,
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  layout: TableLayout,
  entryConfig: Record<string, unknown>,
  where: string,
): KeyStorage {
  const target = a.targets.find((t) => !t.writeOnly) ?? (a.targets[0] as MappedTarget);
  const leaves = a.targets.map((t) => leafOf(registry, rt, t));
  const caseExact = leaves.every((l) => l?.caseExact === true);
  const writable = !a.readOnly;
  if (!spec) {
    if (!SCALAR_TYPES.has(a.type)) {
      throw new IdentifierError(
        `"${a.endpoint}" has type ${a.type}: describe its storage under layout.${LAYOUT_SECTIONS[rt.id as 'User']}.multiValued`,
        where,
      );
    }
    const column = assertIdentifier(a.endpoint, where);
    const lower = ciGet(layout.lowerCase, column);
    return {
      kind: 'column',
      key: a.endpoint,
      column,
      ...(lower ? { lower } : {}),
      type: a.type as ValueType,
      caseExact,
      writable,
      writeOnly: a.targets.every((t) => t.writeOnly),
    };
  }
  const items = (entryConfig.items as { type?: string } | undefined)?.type;
  const scalar =
    a.type === 'array' ? { type: (SCALAR_TYPES.has(items ?? '') ? items : 'string') as ValueType, caseExact } : undefined;
  const complex = complexOf(registry, rt, target);
  if ('memberOf' in spec) {
    if (rt.id !== 'User') throw new IdentifierError('memberOf is for users only', where);
    if (a.type !== 'complexArray') throw new IdentifierError('memberOf needs type complexArray', where);
    return { kind: 'memberOf', key: a.endpoint, fields: elementFields(complex, undefined, where), writable };
  }
  if ('json' in spec) {
    assertIdentifier(spec.json, `${where}.json`);
    if (a.type !== 'array' && a.type !== 'complexArray' && a.type !== 'complexObject') {
      throw new IdentifierError(`a JSON column holds array, complexArray or complexObject values, not ${a.type}`, where);
    }
    return {
      kind: 'json',
      key: a.endpoint,
      column: spec.json,
      object: a.type === 'complexObject',
      scalar,
      fields: scalar ? new Map() : elementFields(complex, undefined, where),
      writable,
    };
  }
  assertQualifiedName(spec.table, `${where}.table`);
  assertIdentifier(spec.owner, `${where}.owner`);
  if (spec.order !== undefined) assertIdentifier(spec.order, `${where}.order`);
  if (a.type === 'array') {
    if (spec.value === undefined) throw new IdentifierError('a child table of scalars needs "value" (its column)', where);
    assertIdentifier(spec.value, `${where}.value`);
  } else if (a.type === 'complexArray') {
    if (!spec.columns || Object.keys(spec.columns).length === 0) {
      throw new IdentifierError('a child table of objects needs "columns" (sub-attribute → column)', where);
    }
  } else throw new IdentifierError(`a child table holds array or complexArray values, not ${a.type}`, where);
  const fields = scalar ? new Map<string, ElementField>() : elementFields(complex, spec.columns, where);
  if (spec.unique && !scalar && !fields.get('value')?.column) {
    throw new IdentifierError('"unique" needs a column for "value"', where);
  }
  return {
    kind: 'child',
    key: a.endpoint,
    table: spec.table,
    owner: spec.owner,
    ...(spec.value !== undefined ? { valueColumn: spec.value } : {}),
    ...(spec.order !== undefined ? { order: spec.order } : {}),
    unique: spec.unique === true,
    scalar,
    fields,
    writable,
  };
}

/** Options of {@link compileCatalog}. */
export interface CatalogOptions {
  layout: SqlLayout;
  map: MapConfig;
  /** The host's registry (custom schemas included). */
  registry?: SchemaRegistry;
  /** JSON path of the endpoint section, for messages. Default `endpoint`. */
  configPath?: string;
}

/**
 * Compiles layout and map. Throws `IdentifierError` (or the mapper's `MapperConfigError`) naming
 * the configuration path of the first problem.
 */
export function compileCatalog(options: CatalogOptions): Catalog {
  const root = options.configPath ?? 'endpoint';
  const host = options.registry ?? new SchemaRegistry();
  const mappers: Mapper[] = [];
  const pending: { rtId: string; layout: TableLayout; mapper: Mapper; map: MapConfig; where: string; section: string }[] = [];
  for (const [rtId, section] of Object.entries(LAYOUT_SECTIONS)) {
    const layout = options.layout[section];
    if (!layout) continue;
    const where = `${root}.layout.${section}`;
    checkTable(layout, where);
    const mapSection = rtId.toLowerCase();
    const map = effectiveMap(options.map, mapSection, layout, `${root}.map`);
    const mapper = createMapper(map, {
      resourceType: rtId,
      registry: host,
      nestedEndpointKeys: false,
      configPath: `${root}.map`,
    });
    mappers.push(mapper);
    pending.push({ rtId, layout, mapper, map, where, section: mapSection });
  }
  const registry = host.extend(connectorSchemas(mappers));
  const resources = new Map<string, ResourceCatalog>();
  const numeric: NumericColumns = new Map();
  const lengths: ColumnLengths = new Map();
  // Names columns of every resource type's tables (a user's write changes group member rows), once
  // all of them are compiled.
  let namer: ColumnNamer | undefined;
  const nameColumn: ColumnNamer = (table, column) => namer?.(table, column);
  for (const p of pending) {
    const rt = registry.resourceType(p.rtId) as ResourceTypeDefinition;
    const storages = new Map<string, KeyStorage>();
    const mv = p.layout.multiValued ?? {};
    for (const key of Object.keys(mv)) {
      if (!p.mapper.attributes.some((a) => a.endpoint === key)) {
        throw new IdentifierError(`"${key}" is not a key of map.${p.section}`, `${p.where}.multiValued`);
      }
    }
    for (const a of p.mapper.attributes) {
      const entryConfig = ((p.map[p.section] as Record<string, Record<string, unknown>>)[a.endpoint] ?? {}) as Record<
        string,
        unknown
      >;
      storages.set(
        a.endpoint,
        storageOf(a, mv[a.endpoint], registry, rt, p.layout, entryConfig, `${root}.map.${p.section}.${a.endpoint}`),
      );
    }
    const columns = [...storages.values()].filter((s): s is ColumnStorage => s.kind === 'column');
    const keyColumn = columns.find((c) => c.column === p.layout.key);
    if (!keyColumn) throw new IdentifierError(`the key column "${p.layout.key}" is not mapped`, `${p.where}.key`);
    resources.set(p.rtId, {
      resourceType: p.rtId,
      rt,
      table: p.layout.table,
      key: p.layout.key,
      keyGeneration: p.layout.keyGeneration ?? 'uuid',
      version: p.layout.version,
      created: p.layout.created,
      lastModified: p.layout.lastModified,
      order: p.layout.order ?? p.layout.key,
      pageIndex: p.layout.pageIndex
        ? { table: p.layout.pageIndex.table, bucketSize: p.layout.pageIndex.bucketSize ?? 1024 }
        : undefined,
      mapper: p.mapper,
      storages,
      columns,
      lists: [...storages.values()].filter((s): s is ChildStorage | JsonStorage | MemberOfStorage => s.kind !== 'column'),
      numeric,
      lengths,
      nameColumn,
    });
  }
  linkMemberOf(resources, root);
  namer = columnNamer(resources.values());
  return { resources, registry, numeric, lengths };
}

/** Points users' `memberOf` storages at the groups' members table. */
function linkMemberOf(resources: Map<string, ResourceCatalog>, root: string): void {
  const users = resources.get('User');
  if (!users) return;
  for (const s of users.storages.values()) {
    if (s.kind !== 'memberOf') continue;
    const groups = resources.get('Group');
    const members = groups
      ? [...groups.storages.values()].find(
          (x): x is ChildStorage =>
            x.kind === 'child' &&
            groups.mapper.attributes.some((a) => a.endpoint === x.key && a.targets.some((t) => t.attr === 'members')),
        )
      : undefined;
    if (!groups || !members || !valueColumnOf(members)) {
      throw new IdentifierError(
        'memberOf needs groups whose "members" are kept in a child table with a "value" column',
        `${root}.layout.users.multiValued.${s.key}`,
      );
    }
    const displayKey = groups.mapper.endpointAttributesFor('displayName')[0];
    const display = displayKey ? groups.storages.get(displayKey) : undefined;
    s.via = { members, groups, display: display?.kind === 'column' ? display : undefined };
  }
}
