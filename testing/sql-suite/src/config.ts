/**
 * The configuration every SQL connector shares: shipped examples validate, defaults, did-you-mean
 * on unknown keys, identifiers checked, layouts checked against the database at startup, and the
 * password never logged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { testContext } from '@scimgw/core/testkit';
import { checkRejects, type SqlDialect } from './dialect.js';
import { check } from './types.js';

type Validation = { ok: true } | { ok: false; issues: readonly { path: readonly PropertyKey[] }[] };

/** Options of {@link configCases}. */
export interface ConfigOptions {
  dialect: SqlDialect;
  /** The package's name, the title of its JSON schema (e.g. `@scimgw/connector-postgres`). */
  packageName: string;
  /** The folder of the shipped example configurations (`{ endpoint }` JSON files). */
  examples: URL;
  /** The package's exports. */
  configSchema: {
    validate(value: unknown): Validation;
    jsonSchema: { title?: string };
    passThroughAuth?(config: never): boolean | undefined;
  };
  parseConfig(value: unknown): {
    connection: { port?: number };
    pool: unknown;
    retry: { attempts: number };
    statementTimeoutMs: number;
  };
  /** The server's default port. */
  defaultPort: number;
  /** `CREATE TABLE people (pid <auto-increment key>, login <text>)` in the dialect. */
  createPeople: string;
  /** A password that must never show in logs or errors. */
  secret: string;
  /** The `endpoint.connection` that works (`db.connection`, with the secret where the server takes it). */
  working(connection: Record<string, unknown>, secret: string): Record<string, unknown>;
  /** An `endpoint.connection` with the secret that the server refuses or cannot be reached with. */
  refused(connection: Record<string, unknown>, secret: string): Record<string, unknown>;
}

const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function configCases(o: ConfigOptions): { name: string; run: () => Promise<void> }[] {
  const { dialect } = o;
  return [
    {
      name: 'accepts every shipped example and fills in defaults',
      async run() {
        const files = readdirSync(o.examples).filter((f) => f.endsWith('.json'));
        check(files.length > 1, `more than one example expected, found ${files.length}`);
        for (const f of files) {
          const endpoint = JSON.parse(readFileSync(new URL(f, o.examples), 'utf8')).endpoint;
          const r = o.configSchema.validate(endpoint);
          check(r.ok, `${f}: ${JSON.stringify(r.ok ? '' : r.issues)}`);
        }
        const c = o.parseConfig({});
        check(c.connection.port === o.defaultPort, `default port ${c.connection.port}, expected ${o.defaultPort}`);
        const pool = { max: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 10_000 };
        check(equal(c.pool, pool), `default pool ${JSON.stringify(c.pool)}`);
        check(c.retry.attempts === 3, `default retry.attempts ${c.retry.attempts}`);
        check(c.statementTimeoutMs === 30_000, `default statementTimeoutMs ${c.statementTimeoutMs}`);
      },
    },
    {
      name: 'reports unknown keys with a did-you-mean and bad identifiers with their path',
      async run() {
        const r = o.configSchema.validate({ pol: { max: 3 }, connection: { hostt: 'x' } });
        check(!r.ok, 'unknown keys accepted');
        const text = JSON.stringify(r.ok ? [] : r.issues);
        check(text.includes('did you mean \\"pool\\"'), `no did-you-mean pool: ${text}`);
        check(text.includes('did you mean \\"host\\"'), `no did-you-mean host: ${text}`);
        const bad = o.configSchema.validate({ layout: { users: { table: 'people; DROP TABLE x', key: 'id' } } });
        check(!bad.ok, 'a table name with SQL in it accepted');
        const paths = bad.ok ? [] : bad.issues.map((i) => i.path.join('.'));
        check(paths.includes('layout.users.table'), `issue paths ${JSON.stringify(paths)}`);
        let thrown: unknown;
        try {
          o.parseConfig({ pool: { max: 0 } });
        } catch (error) {
          thrown = error;
        }
        check(thrown instanceof Error && /endpoint\.pool\.max/.test(thrown.message), `pool.max 0: ${String(thrown)}`);
        check(o.configSchema.jsonSchema.title === `${o.packageName} endpoint`, `title ${o.configSchema.jsonSchema.title}`);
      },
    },
    {
      name: 'says before starting that it checks no passed-through credential (check-config refuses auth.passThrough)',
      async run() {
        // The connector signs in with its own account, whatever the section holds.
        const declared = o.configSchema.passThroughAuth?.(o.parseConfig({}) as never);
        check(declared === false, `configSchema.passThroughAuth answered ${String(declared)}`);
      },
    },
    {
      name: 'a custom layout without its map, or a map key nothing stores, stops startup with the path',
      async run() {
        await checkRejects(
          dialect.createConnector(testContext({ layout: { users: { table: 'people', key: 'pid' } } })),
          /endpoint\.map/,
          'a layout without a map',
        );
        await checkRejects(
          dialect.createConnector(
            testContext({
              checkLayout: false,
              layout: { users: { table: 'people', key: 'pid' } },
              map: { user: { login: { mapTo: 'userName' }, mails: { mapTo: 'emails', type: 'complexArray' } } },
            }),
          ),
          /endpoint\.map\.user\.mails/,
          'a map key nothing stores',
        );
      },
    },
    {
      name: 'a layout naming tables or columns the database lacks stops startup, listing all of them',
      async run() {
        const db = await dialect.createDatabase('cfg');
        try {
          await db.sql(o.createPeople);
          await checkRejects(
            dialect.createConnector(
              testContext({
                connection: db.connection,
                layout: {
                  users: {
                    table: 'people',
                    key: 'pid',
                    version: 'rev',
                    multiValued: { tags: { table: 'tags', owner: 'pid', value: 'tag' } },
                  },
                },
                map: {
                  user: { login: { mapTo: 'userName' }, nick: { mapTo: 'nickName' }, tags: { mapTo: 'roles', type: 'array' } },
                },
              }),
            ),
            /people\.rev.*people\.nick.*table tags|people\.rev.*table tags.*people\.nick|table tags/s,
            'a layout the database lacks',
          );
        } finally {
          await db.drop();
        }
      },
    },
    {
      name: 'never logs the password, neither when it works nor when the server refuses',
      async run() {
        const db = await dialect.createDatabase('secret');
        try {
          const ctx = testContext({ connection: o.working(db.connection, o.secret), createTables: true });
          const connector = await dialect.createConnector(ctx);
          await connector.close?.();
          const refused = testContext({ connection: o.refused(db.connection, o.secret), retry: { attempts: 1 } });
          const error = await checkRejects(dialect.createConnector(refused), undefined, 'a refused connection');
          check(!error.message.includes(o.secret), 'the error carries the password');
          check(!JSON.stringify(ctx.logs).includes(o.secret), 'the password was logged');
          check(!JSON.stringify(refused.logs).includes(o.secret), 'the password was logged on refusal');
          check(
            ctx.logs.some((l) => l.msg === 'SQL connector ready'),
            'no "SQL connector ready" line',
          );
        } finally {
          await db.drop();
        }
      },
    },
  ];
}
