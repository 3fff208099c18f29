/**
 * The MongoDB a test runs against: the wire-protocol test server (started per test file), or a real
 * server when MONGODB_URL is set. Tests that need the test server's extras (`calls`, `restart`,
 * `failNext`) skip against a real server.
 *
 * Users a test asks for (`startBackend({ users })`) are given to the test server at startup. On a
 * real server they are made with MongoDB's `createUser` through MONGODB_URL (which must then name a
 * user allowed to create users, e.g. root), under names unique to the run, and dropped by `stop()`;
 * `backend.user(name)` is the name a test's user has there. SCIMGW_MONGODB_TEST_CREATE_USERS=1 takes
 * that same path on the test server (started with an administrator only), so it is exercised here.
 */
import { randomBytes } from 'node:crypto';
import {
  type MongoWireServer,
  type MongoWireServerOptions,
  type MongoWireUser,
  startMongoWireServer,
} from '@scimgw/testing-mongo-wire-server';
import { MongoClient, MongoServerError } from 'mongodb';
import { createMongoConnector, type MongoConnector, type MongoConnectorOptions } from '../../src/index.js';

/** Set when the suite runs against a real MongoDB. */
export const REAL_URL = process.env.MONGODB_URL;

/** Create the users a test asks for with `createUser`, on the test server too (the real-server path, exercised here). */
export const CREATE_USERS = process.env.SCIMGW_MONGODB_TEST_CREATE_USERS === '1';

export interface Backend {
  url: string;
  /**
   * {@link url} without credentials (nor `authSource`/`authMechanism`): what a test gives the
   * connector when it names the MongoDB user itself, or when nobody should be authenticated.
   */
  bareUrl: string;
  /** A URL allowed to read everything and manage users (MONGODB_URL, or the test server's administrator). */
  adminUrl: string;
  /** The test server; `undefined` against a real MongoDB. */
  srv: MongoWireServer | undefined;
  /** The name the test's user `name` has on this backend (unique to the run when users were created). */
  user(name: string): string;
  stop(): Promise<void>;
}

/** Starts the test server (or names the real one), with the users `options.users` asks for. */
export async function startBackend(options: MongoWireServerOptions = {}): Promise<Backend> {
  const wanted = options.users ?? [];
  if (REAL_URL) return withCreatedUsers(REAL_URL, wanted, undefined, () => dropOwnDatabases(REAL_URL));
  const admin = { username: `admin_${process.pid}`, password: randomBytes(12).toString('hex') };
  if (CREATE_USERS && wanted.length) {
    // As against a real server: an administrator's URL (with its credentials), the users made with createUser.
    const srv = await startMongoWireServer({ ...options, users: [admin] });
    return withCreatedUsers(srv.connectionString(admin), wanted, srv, () => stopServer(srv));
  }
  const srv = await startMongoWireServer(wanted.length ? { ...options, users: [admin, ...wanted] } : options);
  return {
    url: srv.url,
    bareUrl: srv.url,
    adminUrl: wanted.length ? srv.connectionString(admin) : srv.url,
    srv,
    user: namesOf(wanted, ''),
    stop: () => stopServer(srv),
  };
}

/** A backend on `adminUrl` whose `wanted` users are made with createUser, dropped before `release`. */
async function withCreatedUsers(
  adminUrl: string,
  wanted: readonly MongoWireUser[],
  srv: MongoWireServer | undefined,
  release: () => Promise<void>,
): Promise<Backend> {
  const users = wanted.length ? await createUsers(adminUrl, wanted) : NO_USERS;
  return {
    url: adminUrl,
    bareUrl: withoutCredentials(adminUrl),
    adminUrl,
    srv,
    user: users.nameOf,
    async stop() {
      try {
        await users.drop();
      } finally {
        await release();
      }
    },
  };
}

async function stopServer(srv: MongoWireServer): Promise<void> {
  await srv.stop();
  if (srv.internalErrors.length) throw new Error(`test server internal errors: ${JSON.stringify(srv.internalErrors)}`);
}

interface CreatedUsers {
  nameOf(name: string): string;
  drop(): Promise<void>;
}

const NO_USERS: CreatedUsers = { nameOf: namesOf([], ''), drop: async () => {} };

/** `name` → its name on the backend (`prefix` + name), for the users asked for only. */
function namesOf(users: readonly MongoWireUser[], prefix: string): (name: string) => string {
  const names = new Map(users.map((u) => [u.username, prefix + u.username]));
  return (name) => {
    const mapped = names.get(name);
    if (mapped === undefined) throw new Error(`no user "${name}" was asked for from startBackend`);
    return mapped;
  };
}

/**
 * Makes `users` with `createUser` through `adminUrl`, each on its authentication database (`db`,
 * default `admin`, as the test server's option), with its roles (default root, as there) and under a
 * name unique to the run: a real server keeps users between runs. Refuses a server that does not
 * enforce access control: roles would decide nothing there.
 */
async function createUsers(adminUrl: string, users: readonly MongoWireUser[]): Promise<CreatedUsers> {
  const prefix = `scimgw_${process.pid}_${Date.now().toString(36)}_`;
  const client = new MongoClient(adminUrl, { serverSelectionTimeoutMS: 5000 });
  const created: { name: string; db: string }[] = [];
  const drop = async () => {
    try {
      for (const { name, db } of created.splice(0)) {
        try {
          await client.db(db).command({ dropUser: name });
        } catch (e) {
          if (!(e instanceof MongoServerError && e.code === 11)) throw e; // 11 UserNotFound: already gone
        }
      }
    } finally {
      await client.close();
    }
  };
  try {
    await refuseOpenServer(adminUrl);
    await dropStaleUsers(client);
    for (const u of users) {
      const name = prefix + u.username;
      const db = u.db ?? 'admin';
      const command = {
        createUser: name,
        pwd: u.password,
        roles: (u.roles ?? [{ role: 'root', db: 'admin' }]).map((g) => ({ role: g.role, db: g.db })),
        ...(u.mechanisms ? { mechanisms: [...u.mechanisms] } : {}),
      };
      try {
        await client.db(db).command(command);
      } catch (e) {
        if (e instanceof MongoServerError && e.code === 13) {
          throw new Error(
            `MONGODB_URL must name a user allowed to create users (userAdminAnyDatabase or root): createUser on ${db} answered 13 Unauthorized`,
          );
        }
        throw e;
      }
      created.push({ name, db });
    }
  } catch (e) {
    await drop();
    throw e;
  }
  return { nameOf: namesOf(users, prefix), drop };
}

/** How old a run's users must be before a later run drops them (a run takes minutes). */
export const STALE_USERS_MS = 60 * 60 * 1000;

const RUN_USER = /^scimgw_[0-9]+_([0-9a-z]+)_/;

/**
 * Drops the users of earlier runs that died before their `stop()` (killed, timed out): those named
 * as {@link createUsers} names them and made over {@link STALE_USERS_MS} before `now`. Users of a run
 * still going (newer) and everyone else's stay. Resolves to the names dropped.
 */
export async function dropStaleUsers(client: MongoClient, now = Date.now()): Promise<string[]> {
  const info = await client.db('admin').command({ usersInfo: { forAllDBs: true } });
  const dropped: string[] = [];
  for (const u of (info['users'] ?? []) as { user: string; db: string }[]) {
    const made = RUN_USER.exec(u.user)?.[1];
    if (made === undefined || now - Number.parseInt(made, 36) <= STALE_USERS_MS) continue;
    try {
      await client.db(u.db).command({ dropUser: u.user });
      dropped.push(`${u.db}.${u.user}`);
    } catch (e) {
      if (!(e instanceof MongoServerError && e.code === 11)) throw e; // another run dropped it first
    }
  }
  return dropped;
}

// Without access control (mongod without --auth) every client may do everything: tests of roles
// would pass or fail for nothing. An unauthenticated read must be refused.
async function refuseOpenServer(adminUrl: string): Promise<void> {
  const anonymous = new MongoClient(withoutCredentials(adminUrl), { serverSelectionTimeoutMS: 5000 });
  try {
    await anonymous.db('admin').command({ listCollections: 1, nameOnly: true });
  } catch (e) {
    if (e instanceof MongoServerError && e.code === 13) return;
    throw e;
  } finally {
    await anonymous.close();
  }
  throw new Error(
    'MONGODB_URL names a server without access control (start mongod with --auth): users and roles decide nothing there',
  );
}

/**
 * The connection string without user information and what only goes with it: the path's database
 * (the default `authSource` once credentials are given), `authSource`, `authMechanism` and
 * `authMechanismProperties`. Hosts and every other option (TLS, replica set…) stay.
 *
 * @example
 * withoutCredentials('mongodb://root:pw@db1,db2/admin?authSource=admin&replicaSet=rs0') // 'mongodb://db1,db2/?replicaSet=rs0'
 */
export function withoutCredentials(url: string): string {
  const scheme = /^mongodb(?:\+srv)?:\/\//.exec(url)?.[0];
  if (!scheme) throw new Error('not a mongodb:// connection string');
  let rest = url.slice(scheme.length);
  // Everything up to the last "@" before the path or options is user information.
  const end = rest.search(/[/?]/);
  const at = rest.lastIndexOf('@', end < 0 ? rest.length : end);
  if (at >= 0) rest = rest.slice(at + 1);
  const hostsEnd = rest.search(/[/?]/);
  const hosts = hostsEnd < 0 ? rest : rest.slice(0, hostsEnd);
  const q = rest.indexOf('?');
  const params = (q < 0 ? '' : rest.slice(q + 1))
    .split('&')
    .filter((p) => p && !/^auth(Source|Mechanism|MechanismProperties)=/i.test(p));
  return `${scheme}${hosts}/${params.length ? `?${params.join('&')}` : ''}`;
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
