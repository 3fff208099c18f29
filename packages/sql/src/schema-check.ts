/**
 * The startup check: every table and column the layout names exists in the database, so that a
 * typo in the configuration stops the gateway with a list of what is missing instead of answering
 * 500 on the first request that touches it.
 */
import type { Session } from './database.js';
import type { Catalog } from './layout/catalog.js';

/** A layout that does not match the database. */
export class LayoutMismatchError extends Error {
  override name = 'LayoutMismatchError';
  readonly missing: readonly string[];
  constructor(missing: string[]) {
    super(
      `the database lacks what the layout names: ${missing.join(', ')} (create the tables with the connector's DDL, or correct the layout)`,
    );
    this.missing = missing;
  }
}

/** `integer`/`number` for numeric SQL types (`bigint`, `int4`, `numeric`, `decimal` …), else undefined. */
export function numericKind(dataType: string): 'integer' | 'number' | undefined {
  const t = dataType.toLowerCase();
  if (/^(tinyint|bool|bit)/.test(t)) return undefined; // booleans in MySQL and SQL Server
  if (/int|serial/.test(t)) return 'integer';
  if (/numeric|decimal|double|real|float|number/.test(t)) return 'number';
  return undefined;
}

/** Tables and their columns a catalog reads or writes. */
export function requiredColumns(catalog: Catalog): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const need = (table: string, column: string | undefined) => {
    if (column === undefined) return;
    let set = out.get(table);
    if (!set) out.set(table, (set = new Set()));
    set.add(column);
  };
  for (const c of catalog.resources.values()) {
    for (const col of [c.key, c.version, c.created, c.lastModified, c.order]) need(c.table, col);
    for (const s of c.storages.values()) {
      if (s.kind === 'column') {
        need(c.table, s.column);
        need(c.table, s.lower);
      } else if (s.kind === 'json') need(c.table, s.column);
      else if (s.kind === 'child') {
        need(s.table, s.owner);
        need(s.table, s.valueColumn);
        need(s.table, s.order);
        for (const f of s.fields.values()) need(s.table, f.column);
      }
    }
    if (c.pageIndex) {
      need(c.pageIndex.table, 'bucket');
      need(c.pageIndex.table, 'n');
    }
  }
  return out;
}

/** Checks the database against the catalog; throws {@link LayoutMismatchError} listing every missing table and column. */
export async function checkLayout(session: Session, catalog: Catalog): Promise<void> {
  const required = requiredColumns(catalog);
  const tables = [...required.keys()].map((t) => {
    const [a, b] = t.split('.');
    return b === undefined ? { table: a as string } : { schema: a, table: b };
  });
  const res = await session.query(session.dialect.listColumns(tables));
  const found = new Map<string, Set<string>>();
  for (const row of res.rows) {
    const table = String(row.table_name ?? row.TABLE_NAME).toLowerCase();
    const column = String(row.column_name ?? row.COLUMN_NAME).toLowerCase();
    let set = found.get(table);
    if (!set) found.set(table, (set = new Set()));
    set.add(column);
    const kind = numericKind(String(row.data_type ?? row.DATA_TYPE ?? ''));
    if (kind) catalog.numeric.set(`${table}.${column}`, kind);
    const length = Number(row.max_length ?? row.MAX_LENGTH);
    if (Number.isSafeInteger(length) && length > 0) catalog.lengths.set(`${table}.${column}`, length);
  }
  const missing: string[] = [];
  for (const [table, columns] of required) {
    const bare = (table.split('.').pop() as string).toLowerCase();
    const have = found.get(bare);
    if (!have) {
      missing.push(`table ${table}`);
      continue;
    }
    for (const c of columns) if (!have.has(c.toLowerCase())) missing.push(`${table}.${c}`);
  }
  if (missing.length) throw new LayoutMismatchError(missing);
}
