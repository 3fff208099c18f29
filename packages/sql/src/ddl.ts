/**
 * DDL of the default layout: `CREATE TABLE IF NOT EXISTS`, indexes (case-insensitive `userName`
 * uniqueness), foreign keys, and the triggers of the page index. Printed for a DBA to review
 * (`printDdl`) or applied at startup (`applyDdl`, the connectors' `createTables` option).
 * Migrations of an existing database are described in the connector guides.
 */
import type { Database, OperationOptions } from './database.js';
import type { SqlDialect } from './dialect.js';
import { type DefaultSchemaOptions, defaultSchema, type TableSpec } from './layout/default.js';
import { raw } from './sql.js';

function tableStatements(d: SqlDialect, t: TableSpec): string[] {
  const q = (n: string) => d.quoteIdentifier(n);
  const columns = t.columns.map((c) => {
    const type = d.ddl.type(c.kind);
    if (c.kind === 'serial') return `${q(c.name)} ${type}`;
    return `${q(c.name)} ${type}${c.notNull ? ' NOT NULL' : ''}${c.default !== undefined ? ` DEFAULT ${c.default}` : ''}`;
  });
  const after: string[] = [];
  const constraints = [`PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`];
  for (const ix of t.indexes ?? []) {
    const r = d.ddl.index(t.name, ix.name, ix.column, { unique: ix.unique, lowerCase: ix.lowerCase });
    for (const c of r.columns) columns.push(c);
    for (const c of r.constraints ?? []) constraints.push(c);
    for (const st of r.statements) after.push(st);
  }
  for (const p of t.plainIndexes ?? []) after.push(d.ddl.plainIndex(t.name, p.name, p.columns));
  for (const u of t.unique ?? []) constraints.push(`UNIQUE (${u.map(q).join(', ')})`);
  if (t.foreignKey) {
    const fk = t.foreignKey;
    constraints.push(
      `FOREIGN KEY (${q(fk.column)}) REFERENCES ${q(fk.references)} (${q(fk.referencedColumn)}) ON DELETE CASCADE`,
    );
  }
  return [d.ddl.createTable(t.name, columns, constraints), ...after];
}

/** The statements that create the default layout, in order. */
export function defaultDdl(dialect: SqlDialect, options: DefaultSchemaOptions = {}): string[] {
  const schema = defaultSchema(dialect, options);
  const out: string[] = [];
  for (const t of schema.tables) for (const st of tableStatements(dialect, t)) out.push(st);
  for (const p of schema.pageIndexes) {
    for (const st of dialect.ddl.pageIndex(p.table, p.orderColumn, p.indexTable, p.bucketSize)) out.push(st);
  }
  return out;
}

/**
 * The DDL of the default layout as one script.
 *
 * @example
 * console.log(printDdl(postgresDialect, { prefix: 'scim_' }));
 */
export function printDdl(dialect: SqlDialect, options: DefaultSchemaOptions = {}): string {
  const t = dialect.ddl.terminator;
  return `${defaultDdl(dialect, options)
    .map((s) => (s.endsWith(t) ? s : `${s}${t}`))
    .join('\n\n')}\n`;
}

/**
 * Applies the DDL of the default layout; every statement is idempotent (`IF NOT EXISTS`), so
 * applying it to a database that has the tables changes nothing.
 */
export async function applyDdl(db: Database, options: DefaultSchemaOptions = {}, op: OperationOptions = {}): Promise<void> {
  const statements = defaultDdl(db.dialect, options);
  await db.read(async (session) => {
    for (const s of statements) await session.query(raw(s));
  }, op);
}
