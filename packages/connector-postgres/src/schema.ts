/**
 * The schema of `connection.schema` at startup. It is put first on the search path; when it does
 * not exist, PostgreSQL resolves nothing there and creates nothing there ("no schema has been
 * selected to create in"), so it is made (with `createTables`) or named in a startup error
 * before anything else runs.
 */
import type { SqlDriver } from '@scimgw/sql';

/** Quotes a schema name that passed the configuration's identifier check. */
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** PostgreSQL's message of an error, without anything else (no values are involved here). */
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Creates the schema when `create` and it is missing (`CREATE SCHEMA IF NOT EXISTS`); otherwise
 * throws when it is missing, naming the schema and the configuration keys.
 *
 * @param configPath JSON path of the endpoint section (`endpoint`)
 */
export async function prepareSchema(driver: SqlDriver, schema: string, create: boolean, configPath: string): Promise<void> {
  const key = `${configPath}.connection.schema`;
  const exists = async () =>
    driver.run(async (run) => {
      const r = await run({ text: 'SELECT 1 AS found FROM pg_catalog.pg_namespace WHERE nspname = $1', values: [schema] });
      return r.rows.length > 0;
    });
  if (await exists()) return;
  if (!create) {
    throw new Error(
      `${key}: schema "${schema}" does not exist in the database; create it (CREATE SCHEMA ${quote(schema)}), correct ${key}, or set ${configPath}.createTables to true to have it created with the tables`,
    );
  }
  try {
    await driver.run((run) => run({ text: `CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`, values: [] }));
  } catch (e) {
    // Another gateway starting at the same time may have made it (a unique violation in the catalog).
    if (await exists().catch(() => false)) return;
    throw new Error(`${key}: schema "${schema}" does not exist and could not be created: ${messageOf(e)}`, { cause: e });
  }
}
