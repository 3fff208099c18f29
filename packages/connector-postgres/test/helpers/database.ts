/**
 * A throwaway schema on the PostgreSQL server every machine here runs (127.0.0.1:5432, trust
 * authentication, database `test`): created with a unique name per test file, dropped after.
 */
import pg from 'pg';

export const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), database: 'test' };

export interface TestSchema {
  schema: string;
  /** An `endpoint.connection` for the schema. */
  connection: Record<string, unknown>;
  /** Runs SQL as the administrator, inside the schema. */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

export async function createTestSchema(label = 't'): Promise<TestSchema> {
  const schema = `scimgw_${label}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const admin = new pg.Client({ ...PG, user: process.env.PGUSER ?? 'root' });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(`SET search_path = "${schema}"`);
  return {
    schema,
    connection: { ...PG, user: process.env.PGUSER ?? 'root', schema },
    sql: (text, values) => admin.query(text, values),
    async drop() {
      try {
        await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
