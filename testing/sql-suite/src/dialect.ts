/**
 * One SQL connector package as the dialect-parameterized suites ({@link configCases},
 * {@link timeoutCases}, {@link connectThrough}) see it: its server, its throwaway databases and its
 * `createConnector`.
 */
import type { Connector, ConnectorFactoryContext } from '@scimgw/core';
import { testContext } from '@scimgw/core/testkit';
import type { FreshConnector } from './types.js';

/** A throwaway database (or schema) on the real server, made by the package's test helpers. */
export interface TestDatabase {
  /** An `endpoint.connection` for it. */
  connection: Record<string, unknown>;
  /** Runs SQL as the administrator, inside it. */
  sql(text: string): Promise<unknown>;
  /** Drops it (and closes the administrator's connection). */
  drop(): Promise<void>;
}

/** What the suites need of one SQL connector package. */
export interface SqlDialect<Db extends TestDatabase = TestDatabase> {
  /** Where the real server listens. */
  server: { host: string; port: number };
  /** A fresh, empty database or schema; `label` goes into its name. */
  createDatabase(label: string): Promise<Db>;
  /** The package's connector factory. */
  // biome-ignore lint/suspicious/noExplicitAny: each package's factory takes its own config type
  createConnector(ctx: ConnectorFactoryContext<any>): Promise<Connector>;
}

/**
 * For {@link restartCases}: a connector on a fresh database that connects through `port` (the
 * proxy), with a small pool and quick retries; `done` closes it and drops the database.
 */
export function connectThrough(dialect: SqlDialect, label: string): (port: number) => Promise<FreshConnector> {
  return async (port) => {
    const db = await dialect.createDatabase(label);
    const connector = await dialect.createConnector(
      testContext({
        connection: { ...db.connection, port },
        createTables: true,
        pool: { max: 4, connectionTimeoutMs: 1000 },
        retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
      }),
    );
    return {
      connector,
      async done() {
        await connector.close?.();
        await db.drop();
      },
    };
  };
}

/** Awaits `promise` and throws unless it rejected with a message matching `pattern`. */
export async function checkRejects(promise: Promise<unknown>, pattern: RegExp | undefined, what: string): Promise<Error> {
  let outcome: { error: unknown } | undefined;
  try {
    await promise;
  } catch (error) {
    outcome = { error };
  }
  if (!outcome) throw new Error(`${what}: resolved, a rejection was expected`);
  const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  if (pattern && !pattern.test(message)) throw new Error(`${what}: rejected with "${message}", expected ${pattern}`);
  return outcome.error instanceof Error ? outcome.error : new Error(message);
}
