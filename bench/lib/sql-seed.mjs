// Seeding the SQL connectors' default layout directly in the database: a million users through the
// gateway would take far longer than the measurements, and the point of the scale run is what
// happens after. The tables are the connector's own DDL; rows are made by the server itself
// (generate_series on PostgreSQL, the sequence engine on MariaDB).
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoDir } from './proc.mjs';

const load = (pkg) => import(pathToFileURL(join(repoDir, 'packages', pkg, 'dist', 'index.js')).href);

/** Where the bench's databases live (the services every machine here runs). */
export const SQL_TARGETS = {
  postgres: {
    package: 'connector-postgres',
    connection: (name) => ({ host: '127.0.0.1', port: 5432, database: 'test', user: process.env.PGUSER ?? 'root', schema: name }),
  },
  mysql: {
    package: 'connector-mysql',
    connection: (name) => ({ host: '127.0.0.1', port: 3306, user: 'root', database: name }),
  },
};

async function driverFor(kind) {
  if (kind === 'postgres') {
    const m = await load('connector-postgres');
    return {
      m,
      driver: m.postgresDriver({
        host: '127.0.0.1',
        port: 5432,
        database: 'test',
        user: process.env.PGUSER ?? 'root',
        pool: { max: 1 },
      }),
    };
  }
  const m = await load('connector-mysql');
  return { m, driver: m.mysqlDriver({ host: '127.0.0.1', port: 3306, user: 'root', pool: { max: 1 } }) };
}

const exec = (driver, statements) =>
  driver.run(async (run) => {
    for (const text of statements) await run({ text, values: [] });
  });

/** Drops the schema (PostgreSQL) or database (MariaDB) `name` and all in it. */
async function dropSqlSchema(kind, name) {
  const { driver } = await driverFor(kind);
  try {
    await exec(driver, [kind === 'postgres' ? `DROP SCHEMA "${name}" CASCADE` : `DROP DATABASE \`${name}\``]);
  } finally {
    await driver.close();
  }
}

/**
 * Creates a schema (PostgreSQL) or database (MariaDB) named `name` with the default layout and
 * `users` users (each with a work email); returns how their names and ids are made and a `drop()`.
 */
export async function seedSql(kind, { name, users, prefix }) {
  const { m, driver } = await driverFor(kind);
  const t0 = Date.now();
  const sql = await load('sql');
  try {
    const dialect = kind === 'postgres' ? m.postgresDialect : m.mysqlDialect('mariadb');
    const ddl = sql.defaultDdl(dialect);
    // Page-index statements go after the rows: their last statement counts what is there.
    const pageIndex = ddl.filter((s) => /_pages/.test(s));
    const tables = ddl.filter((s) => !/_pages/.test(s));
    if (kind === 'postgres') {
      await exec(driver, [`CREATE SCHEMA "${name}"`, `SET search_path = "${name}"`, ...tables]);
      await exec(driver, [
        `SET search_path = "${name}"`,
        `INSERT INTO scim_users (id, version, created, last_modified, user_name, external_id, name_given_name, name_family_name, active)
         SELECT '${prefix}-u' || i, 1, now(), now(), '${prefix}-user-' || i, 'ext-${prefix}-' || i, 'Given' || i, 'Family' || (i % 997), true
         FROM generate_series(0, ${users - 1}) AS i`,
        `INSERT INTO scim_user_emails (user_id, value, type, is_primary)
         SELECT '${prefix}-u' || i, '${prefix}-user-' || i || '@example.com', 'work', true FROM generate_series(0, ${users - 1}) AS i`,
        ...pageIndex,
        'VACUUM ANALYZE scim_users',
        'VACUUM ANALYZE scim_user_emails',
        'CHECKPOINT',
      ]);
    } else {
      await exec(driver, [`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`, `USE \`${name}\``, ...tables]);
      // The sequence engine makes at most a few million rows per query; insert in chunks.
      const chunk = 200_000;
      for (let from = 0; from < users; from += chunk) {
        const to = Math.min(users, from + chunk) - 1;
        await exec(driver, [
          `USE \`${name}\``,
          `INSERT INTO scim_users (id, version, created, last_modified, user_name, external_id, name_given_name, name_family_name, active)
           SELECT CONCAT('${prefix}-u', seq), 1, NOW(3), NOW(3), CONCAT('${prefix}-user-', seq), CONCAT('ext-${prefix}-', seq), CONCAT('Given', seq), CONCAT('Family', seq % 997), TRUE
           FROM seq_${from}_to_${to}`,
          `INSERT INTO scim_user_emails (user_id, value, type, is_primary)
           SELECT CONCAT('${prefix}-u', seq), CONCAT('${prefix}-user-', seq, '@example.com'), 'work', TRUE FROM seq_${from}_to_${to}`,
        ]);
      }
      await exec(driver, [`USE \`${name}\``, ...pageIndex, 'ANALYZE TABLE scim_users, scim_user_emails']);
    }
  } finally {
    await driver.close();
  }
  return {
    /** The seeded users' names and ids are derived, not listed: a million strings would weigh on the bench. */
    userName: (i) => `${prefix}-user-${i}`,
    userId: (i) => `${prefix}-u${i}`,
    prefix,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    drop: () => dropSqlSchema(kind, name),
  };
}

/**
 * Creates an empty schema (PostgreSQL) or database (MariaDB) named `name`, for a gateway that makes
 * its tables itself (`createTables`); returns its name and a `drop()`.
 */
export async function emptySqlSchema(kind, name) {
  const { driver } = await driverFor(kind);
  try {
    await exec(driver, [kind === 'postgres' ? `CREATE SCHEMA "${name}"` : `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`]);
  } finally {
    await driver.close();
  }
  return {
    name,
    drop: () => dropSqlSchema(kind, name),
  };
}
