/**
 * Built-in roles, as MongoDB documents them ("Built-In Roles"): `read` grants the read actions on
 * one database's non-system collections, `readWrite` adds the writes (insert, update, remove,
 * createIndex, dropIndex, createCollection, dropCollection…), `readAnyDatabase` and
 * `readWriteAnyDatabase` the same on every database (granted on `admin`), `root` everything.
 * Commands are classed by the action they need; a command outside both classes (the handshake,
 * sessions, authentication, server status) needs none beyond being authenticated. A command a
 * user's roles do not cover fails with 13 Unauthorized, "not authorized on <db> to execute command".
 */
import type { Document } from 'bson';
import { commandError } from '../errors.js';
import type { Principal } from './scram.js';

/** The built-in roles this server knows. */
export type BuiltinRole = 'read' | 'readWrite' | 'readAnyDatabase' | 'readWriteAnyDatabase' | 'root';

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

/** The action class of a command on a database: `read`, `write`, or `undefined` (no privilege beyond authentication). */
export function actionOf(name: string, body: Document): 'read' | 'write' | undefined {
  if (WRITE.has(name)) return 'write';
  if (name === 'aggregate' && Array.isArray(body.pipeline) && body.pipeline.some((s) => s && ('$out' in s || '$merge' in s)))
    return 'write';
  if (READ.has(name)) return 'read';
  return undefined;
}

/** Whether a grant covers an action on `db`. */
function covers(grant: RoleGrant, action: 'read' | 'write', db: string): boolean {
  switch (grant.role) {
    case 'root':
      return grant.db === 'admin';
    case 'readWriteAnyDatabase':
      return grant.db === 'admin' && db !== 'local' && db !== 'config';
    case 'readAnyDatabase':
      return grant.db === 'admin' && action === 'read' && db !== 'local' && db !== 'config';
    case 'readWrite':
      return grant.db === db;
    case 'read':
      return grant.db === db && action === 'read';
  }
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
  if (principals.some((p) => grantsOf(p).some((g) => covers(g, action, db)))) return;
  const target = body[name];
  const shown = typeof target === 'string' ? `"${target}"` : String(target);
  throw commandError('Unauthorized', `not authorized on ${db} to execute command { ${name}: ${shown} }`);
}
