/**
 * The MongoDB a test runs against: the wire-protocol test server (started per test file), or a real
 * server when MONGODB_URL is set. Tests that need the test server's extras (`calls`, `restart`,
 * `failNext`) skip against a real server.
 */
import { type MongoWireServer, type MongoWireServerOptions, startMongoWireServer } from '@scimgw/testing-mongo-wire-server';
import { MongoClient } from 'mongodb';
import { createMongoConnector, type MongoConnector, type MongoConnectorOptions } from '../../src/index.js';

/** Set when the suite runs against a real MongoDB. */
export const REAL_URL = process.env.MONGODB_URL;

export interface Backend {
  url: string;
  /** The test server; `undefined` against a real MongoDB. */
  srv: MongoWireServer | undefined;
  stop(): Promise<void>;
}

/** Starts the test server (or names the real one). */
export async function startBackend(options: MongoWireServerOptions = {}): Promise<Backend> {
  if (REAL_URL) return { url: REAL_URL, srv: undefined, stop: () => dropOwnDatabases(REAL_URL) };
  const srv = await startMongoWireServer(options);
  return {
    url: srv.url,
    srv,
    async stop() {
      await srv.stop();
      if (srv.internalErrors.length) throw new Error(`test server internal errors: ${JSON.stringify(srv.internalErrors)}`);
    },
  };
}

/** A real server keeps what tests wrote: drop the databases this process created (tenant databases included). */
async function dropOwnDatabases(url: string): Promise<void> {
  const client = new MongoClient(url);
  try {
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of databases)
      if (name.startsWith('t_') && name.includes(`_${process.pid}_`)) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

let n = 0;
/** A database name unique to this run (real servers keep data between runs). */
export function uniqueDb(prefix: string): string {
  n += 1;
  return `t_${prefix}_${process.pid}_${Date.now().toString(36)}_${n}`;
}

/** A connector on `url` with short timeouts, in a database of its own. */
export function connectorOn(url: string, options: Partial<MongoConnectorOptions> = {}): MongoConnector {
  const { connection, ...rest } = options;
  return createMongoConnector({
    database: uniqueDb('c'),
    ...rest,
    connection: { url, ...connection, timeouts: { serverSelectionMS: 3000, ...connection?.timeouts } },
  });
}
