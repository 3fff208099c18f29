import { MongoClient, type MongoClientOptions, MongoServerError } from 'mongodb';
import { expect } from 'vitest';
import { type MongoWireServer, type MongoWireServerOptions, startMongoWireServer } from '../src/index.js';

/** A server and a connected client for one test file. */
export interface Harness {
  readonly srv: MongoWireServer;
  readonly client: MongoClient;
  close(): Promise<void>;
}

/** Starts a server and connects the official driver to it. */
export async function harness(options: MongoWireServerOptions = {}, clientOptions: MongoClientOptions = {}): Promise<Harness> {
  const srv = await startMongoWireServer(options);
  const client = new MongoClient(srv.url, { serverSelectionTimeoutMS: 5000, ...clientOptions });
  await client.connect();
  return {
    srv,
    client,
    async close() {
      await client.close();
      await srv.stop();
      expect(srv.internalErrors).toEqual([]);
    },
  };
}

/** Runs `fn` with a client of its own on `url` (its credentials, say), closed afterwards. */
export async function withClient<T>(url: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 3000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Runs `fn`, expects a MongoServerError, and returns it. */
export async function serverError(fn: () => Promise<unknown>): Promise<MongoServerError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof MongoServerError) return error;
    throw error;
  }
  throw new Error('expected a MongoServerError, but the operation succeeded');
}

let counter = 0;
/** A database name unique to this run. */
export function uniqueDb(prefix = 'db'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}
