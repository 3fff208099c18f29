/**
 * Built-in roles, as MongoDB documents them ("Built-In Roles"): `read` grants the read actions on
 * one database's non-system collections, `readWrite` adds the writes (insert, update, remove,
 * createIndex, dropIndex, createCollection, dropCollection…), `userAdmin` the user administration
 * actions on one database (createUser, dropUser, grantRole, viewUser…, and nothing to read or write
 * data), `readAnyDatabase`, `readWriteAnyDatabase` and `userAdminAnyDatabase` the same on every
 * database but `local` and `config` (granted on `admin`), `root` everything.
 * Commands are classed by the action they need; a command outside these classes (the handshake,
 * sessions, authentication, server status) needs none beyond being authenticated. A command a
 * user's roles do not cover fails with 13 Unauthorized, "not authorized on <db> to execute command".
 */
import type { Document } from 'bson';
import { commandError, type MongoCommandError } from '../errors.js';
import type { Principal } from './scram.js';

/** The built-in roles this server knows. */
export type BuiltinRole =
  | 'read'
  | 'readWrite'
  | 'userAdmin'
  | 'readAnyDatabase'
  | 'readWriteAnyDatabase'
  | 'userAdminAnyDatabase'
  | 'root';

/** Built-in roles that exist on every database. */
export const DATABASE_ROLES: ReadonlySet<string> = new Set(['read', 'readWrite', 'userAdmin']);
/** Built-in roles that exist on `admin` only. */
export const ADMIN_ROLES: ReadonlySet<string> = new Set([
  'readAnyDatabase',
  'readWriteAnyDatabase',
  'userAdminAnyDatabase',
  'root',
]);
/**
 * MongoDB's other built-in roles, on every database and on `admin` only: real roles this server does
 * not implement, so granting one is refused as unsupported rather than answered RoleNotFound.
 */
export const UNSUPPORTED_DATABASE_ROLES: ReadonlySet<string> = new Set(['dbAdmin', 'dbOwner']);
export const UNSUPPORTED_ADMIN_ROLES: ReadonlySet<string> = new Set([
  'dbAdminAnyDatabase',
  'clusterAdmin',
  'clusterManager',
  'clusterMonitor',
  'hostManager',
  'backup',
  'restore',
  'enableSharding',
  'directShardOperations',
  'searchCoordinator',
  '__queryableBackup',
  '__system',
]);

/** The action class of a command: reading or writing data, or administering users. */
export type Action = 'read' | 'write' | 'userAdmin';

/** A role granted on a database (`admin` for the *AnyDatabase roles and root). */
export interface RoleGrant {
  readonly role: BuiltinRole;
  readonly db: string;
}

const READ = new Set([
  'find',
  'getMore',
  'killCursors',
  'aggregate',
  'count',
  'distinct',
  'listCollections',
  'listIndexes',
  'dbStats',
  'collStats',
]);
const WRITE = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'createIndexes',
  'dropIndexes',
  'create',
  'drop',
  'dropDatabase',
  'collMod',
  'renameCollection',
]);

// createUser and dropUser; usersInfo checks its own (users may always view themselves).
const USER_ADMIN = new Set(['createUser', 'dropUser']);

/**
 * The action class of a command on a database: `read`, `write`, `userAdmin`, or `undefined` (no
 * privilege beyond authentication, or checked by the command itself).
 */
export function actionOf(name: string, body: Document): Action | undefined {
  if (USER_ADMIN.has(name)) return 'userAdmin';
  if (WRITE.has(name)) return 'write';
  if (name === 'aggregate' && Array.isArray(body.pipeline) && body.pipeline.some((s) => s && ('$out' in s || '$merge' in s)))
    return 'write';
  if (READ.has(name)) return 'read';
  return undefined;
}

/** Whether a grant covers an action on `db`. */
function covers(grant: RoleGrant, action: Action, db: string): boolean {
  const anyDatabase = grant.db === 'admin' && db !== 'local' && db !== 'config';
  switch (grant.role) {
    case 'root':
      return grant.db === 'admin';
    case 'readWriteAnyDatabase':
      return anyDatabase && action !== 'userAdmin';
    case 'readAnyDatabase':
      return anyDatabase && action === 'read';
    case 'userAdminAnyDatabase':
      return anyDatabase && action === 'userAdmin';
    case 'readWrite':
      return grant.db === db && action !== 'userAdmin';
    case 'read':
      return grant.db === db && action === 'read';
    case 'userAdmin':
      return grant.db === db && action === 'userAdmin';
    default:
      return false;
  }
}

/** Whether the connection's users may take `action` on `db`. */
export function mayAct(
  principals: readonly Principal[],
  grantsOf: (p: Principal) => readonly RoleGrant[],
  action: Action,
  db: string,
): boolean {
  return principals.some((p) => grantsOf(p).some((g) => covers(g, action, db)));
}

/** MongoDB's answer to a command the connection's users may not run: 13 Unauthorized. */
export function notAuthorized(db: string, name: string, body: Document): MongoCommandError {
  return commandError('Unauthorized', `not authorized on ${db} to execute command { ${name}: ${shown(body[name], 0)} }`);
}

// The command's first value as mongod prints it in that message (`"users"`, `1`, `{ user: "x", db: "y" }`).
function shown(value: unknown, depth: number): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (depth > 2 || value === null || typeof value !== 'object') return '...';
  if (Array.isArray(value)) return value.length ? `[ ${value.map((v) => shown(v, depth + 1)).join(', ')} ]` : '[]';
  const fields = Object.entries(value).map(([k, v]) => `${k}: ${shown(v, depth + 1)}`);
  return fields.length ? `{ ${fields.join(', ')} }` : '{}';
}

/**
 * Refuses a command the connection's users may not run (13 Unauthorized), as MongoDB does.
 *
 * @param grantsOf - the roles of an authenticated user
 */
export function authorize(
  principals: readonly Principal[],
  grantsOf: (p: Principal) => readonly RoleGrant[],
  db: string,
  name: string,
  body: Document,
): void {
  const action = actionOf(name, body);
  if (!action) return;
  if (mayAct(principals, grantsOf, action, db)) return;
  throw notAuthorized(db, name, body);
}
