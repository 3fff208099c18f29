/**
 * A throwaway database on the MariaDB server every machine here runs (127.0.0.1:3306, root without
 * a password): created with a unique name per test file, dropped after.
 */
import mysql from 'mysql2/promise';

export const MY = { host: process.env.MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.MYSQL_PORT ?? 3306), user: 'root' };

export interface TestDatabase {
  database: string;
  /** An `endpoint.connection` for the database. */
  connection: Record<string, unknown>;
  /** Runs SQL as the administrator, inside the database. */
  sql(text: string, values?: unknown[]): Promise<unknown>;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 't'): Promise<TestDatabase> {
  const database = `scimgw_${label}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const admin = await mysql.createConnection({ ...MY, charset: 'utf8mb4_general_ci' });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await admin.query(`USE \`${database}\``);
  return {
    database,
    connection: { ...MY, database },
    sql: async (text, values) => (await admin.query(text, values))[0],
    async drop() {
      try {
        await admin.query(`DROP DATABASE \`${database}\``);
      } finally {
        await admin.end();
      }
    },
  };
}
