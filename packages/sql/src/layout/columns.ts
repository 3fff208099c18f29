/**
 * Which SCIM attribute a column holds, for messages: a value the database refused (too long, out of
 * range, NULL where it may not be) is named by attribute and column, so a client can tell which of
 * the values it sent to shorten, and an operator which column to widen.
 */
import type { ResourceCatalog } from './catalog.js';

/** Names a column (`table` as the database reports it, or `undefined` when it does not). */
export type ColumnNamer = (table: string | undefined, column: string) => string | undefined;

const bare = (table: string) => (table.split('.').pop() as string).toLowerCase();

/**
 * The attribute held by each column of the given catalogs, described as `"userName" (column
 * user_name)`. A column name found in several tables is named only with its table, or when every
 * table holding it holds the same attribute.
 */
export function columnNamer(catalogs: Iterable<ResourceCatalog>): ColumnNamer {
  const byColumn = new Map<string, Map<string, string>>();
  const add = (table: string, column: string | undefined, attribute: string | undefined) => {
    if (column === undefined || attribute === undefined) return;
    const c = column.toLowerCase();
    let tables = byColumn.get(c);
    if (!tables) byColumn.set(c, (tables = new Map()));
    if (!tables.has(bare(table))) tables.set(bare(table), attribute);
  };
  for (const catalog of catalogs) {
    const attributeOf = (key: string) => {
      const paths = catalog.mapper.attributes.find((a) => a.endpoint === key)?.targets.map((t) => t.path) ?? [];
      return paths.length ? paths.join(', ') : undefined;
    };
    add(catalog.table, catalog.key, 'id');
    add(catalog.table, catalog.version, 'meta.version');
    for (const s of catalog.storages.values()) {
      if (s.kind === 'column') {
        add(catalog.table, s.column, attributeOf(s.key));
        add(catalog.table, s.lower, attributeOf(s.key));
      } else if (s.kind === 'json') add(catalog.table, s.column, attributeOf(s.key));
      else if (s.kind === 'child') {
        const attribute = attributeOf(s.key);
        add(s.table, s.valueColumn, attribute);
        for (const f of s.fields.values()) add(s.table, f.column, attribute && `${attribute}.${f.name}`);
      }
    }
  }
  return (table, column) => {
    const tables = byColumn.get(column.toLowerCase());
    if (!tables) return `column ${table === undefined ? column : `${bare(table)}.${column}`}`;
    let attribute = table === undefined ? undefined : tables.get(bare(table));
    if (attribute === undefined && table === undefined) {
      const all = new Set(tables.values());
      if (all.size === 1) attribute = [...all][0];
    }
    const where = table === undefined ? column : `${bare(table)}.${column}`;
    return attribute === undefined ? `column ${where}` : `"${attribute}" (column ${where})`;
  };
}
