/**
 * User management, as MongoDB's `createUser`, `dropUser` and `usersInfo` document it: a user lives on
 * the database the command runs on (`$db`) and authenticates there with SCRAM exactly as a user
 * given at startup. Creating or dropping a user takes the `userAdmin` action on that database
 * (`userAdmin` there, `userAdminAnyDatabase` or `root`), granting a role takes it on the role's
 * database; anyone may look themselves up with `usersInfo`.
 */
import saslprep from '@mongodb-js/saslprep';
import type { Document } from 'bson';
import {
  ADMIN_ROLES,
  type BuiltinRole,
  DATABASE_ROLES,
  mayAct,
  notAuthorized,
  type RoleGrant,
  UNSUPPORTED_ADMIN_ROLES,
  UNSUPPORTED_DATABASE_ROLES,
} from '../auth/roles.js';
import { SCRAM_MECHANISMS, type ScramMechanism, type StoredUser } from '../auth/users.js';
import { commandError } from '../errors.js';
import { compileFilter } from '../query/filter.js';
import type { CommandContext, CommandDefinition } from '../state.js';
import { isNumeric, isPlainObject, toNumber, typeName } from '../store/values.js';
import { optionalBool, required } from './args.js';

/** Whether the connection may administer the users of `db` (anyone may, without access control). */
function allowed(ctx: CommandContext, db: string): boolean {
  const { users } = ctx.state;
  return !users.enabled || mayAct(ctx.connection.principals, (p) => users.rolesOf(p.db, p.user), 'userAdmin', db);
}

function nameOf(command: string, body: Document): string {
  const name = body[command];
  if (typeof name !== 'string') {
    throw commandError(
      'TypeMismatch',
      `BSON field '${command}.${command}' is the wrong type '${typeName(name)}', expected type 'string'`,
    );
  }
  if (name === '') throw commandError('BadValue', 'User name must not be empty');
  return name;
}

// The roles of a createUser: "<role>" (on $db) or { role, db }; each must exist on its database.
function parseRoles(ctx: CommandContext): RoleGrant[] {
  const roles = required('createUser', ctx.body, 'roles');
  if (!Array.isArray(roles)) {
    throw commandError(
      'TypeMismatch',
      `BSON field 'createUser.roles' is the wrong type '${typeName(roles)}', expected type 'array'`,
    );
  }
  const grants = roles.map((entry: unknown) => {
    if (typeof entry === 'string') return { role: entry, db: ctx.db };
    if (isPlainObject(entry)) {
      for (const field of ['role', 'db'] as const) {
        if (entry[field] === undefined)
          throw commandError('Location40414', `BSON field 'role.${field}' is missing but a required field`);
        if (typeof entry[field] !== 'string') {
          throw commandError(
            'TypeMismatch',
            `BSON field 'role.${field}' is the wrong type '${typeName(entry[field])}', expected type 'string'`,
          );
        }
      }
      return { role: entry['role'] as string, db: entry['db'] as string };
    }
    throw commandError('BadValue', 'Role names must be either strings or objects');
  });
  // Granting a role takes the grantRole action on the role's database.
  for (const grant of grants) if (!allowed(ctx, grant.db)) throw notAuthorized(ctx.db, 'createUser', ctx.body);
  for (const { role, db } of grants) {
    if (DATABASE_ROLES.has(role) || (ADMIN_ROLES.has(role) && db === 'admin')) continue;
    if (UNSUPPORTED_DATABASE_ROLES.has(role) || (UNSUPPORTED_ADMIN_ROLES.has(role) && db === 'admin')) {
      throw commandError('CommandNotSupported', `role '${role}' is a MongoDB built-in role this test server does not implement`);
    }
    throw commandError('RoleNotFound', `Could not find role: ${role}@${db}`);
  }
  const unique = new Map(grants.map((g) => [`${g.role}@${g.db}`, g]));
  return [...unique.values()].map((g) => ({ role: g.role as BuiltinRole, db: g.db }));
}

function parseMechanisms(body: Document): ScramMechanism[] {
  const value = body['mechanisms'];
  if (value === undefined || value === null) return [...SCRAM_MECHANISMS];
  const list = value as unknown[];
  if (list.length === 0) throw commandError('BadValue', 'mechanisms field must not be empty');
  const out = new Set<ScramMechanism>();
  for (const mechanism of list) {
    if (typeof mechanism !== 'string') {
      throw commandError(
        'TypeMismatch',
        `BSON field 'createUser.mechanisms' is the wrong type '${typeName(mechanism)}', expected type 'string'`,
      );
    }
    if (mechanism !== 'SCRAM-SHA-1' && mechanism !== 'SCRAM-SHA-256') {
      throw commandError('BadValue', `Unknown auth mechanism '${mechanism}'`);
    }
    out.add(mechanism);
  }
  return [...out];
}

const createUser: CommandDefinition = {
  fields: {
    pwd: 'string',
    customData: 'object',
    roles: 'array',
    digestPassword: 'bool',
    mechanisms: 'array',
    authenticationRestrictions: 'array',
  },
  async run(ctx) {
    const { body, db } = ctx;
    const username = nameOf('createUser', body);
    if (db === 'local') throw commandError('BadValue', 'Cannot create users in the local database');
    if (db === '$external') {
      throw commandError(
        'CommandNotSupported',
        'users on $external (x509, LDAP, Kerberos) are not supported by this test server',
      );
    }
    const roles = parseRoles(ctx);
    const password = body['pwd'];
    if (typeof password !== 'string') {
      throw commandError(
        'BadValue',
        "Must provide a 'pwd' field for all user documents, except those with '$external' as the user's source db",
      );
    }
    if (password === '') throw commandError('BadValue', 'User passwords must not be empty');
    const mechanisms = parseMechanisms(body);
    if (!optionalBool(body, 'digestPassword', true)) {
      if (mechanisms.includes('SCRAM-SHA-256'))
        throw commandError('BadValue', 'Use of SCRAM-SHA-256 requires undigested passwords');
      throw commandError('CommandNotSupported', 'digestPassword: false is not supported by this test server');
    }
    const restrictions = body['authenticationRestrictions'];
    if (Array.isArray(restrictions) && restrictions.length > 0) {
      throw commandError('CommandNotSupported', 'authenticationRestrictions are not supported by this test server');
    }
    const customData = isPlainObject(body['customData']) ? (body['customData'] as Document) : undefined;
    if (mechanisms.includes('SCRAM-SHA-256')) {
      try {
        saslprep(password); // SCRAM-SHA-256 takes the SASLprep'd password, which refuses prohibited characters
      } catch (error) {
        throw commandError('BadValue', `Error preflighting normalization: ${(error as Error).message}`);
      }
    }
    const created = await ctx.state.users.create({ username, password, db, mechanisms, roles, customData });
    if (!created) throw commandError('Location51003', `User "${username}@${db}" already exists`);
    return {};
  },
};

const dropUser: CommandDefinition = {
  fields: {},
  run(ctx) {
    const username = nameOf('dropUser', ctx.body);
    if (!ctx.state.users.drop(ctx.db, username)) throw commandError('UserNotFound', `User '${username}@${ctx.db}' not found`);
    return {};
  },
};

/** One user as `usersInfo` shows it. */
function userDocument(user: StoredUser, showCustomData: boolean): Document {
  const doc: Document = { _id: `${user.db}.${user.username}`, userId: user.userId, user: user.username, db: user.db };
  doc['mechanisms'] = [...user.mechanisms];
  if (showCustomData && user.customData !== undefined) doc['customData'] = user.customData;
  doc['roles'] = user.roles.map((g) => ({ role: g.role, db: g.db }));
  return doc;
}

type Lookup = { kind: 'database' } | { kind: 'all' } | { kind: 'names'; names: { user: string; db: string }[] };

function lookupOf(value: unknown, db: string): Lookup {
  if (isNumeric(value) && toNumber(value) === 1) return { kind: 'database' };
  if (isPlainObject(value) && value['forAllDBs'] === true) return { kind: 'all' };
  const entries = Array.isArray(value) ? value : [value];
  const names = entries.map((entry: unknown) => {
    if (typeof entry === 'string') return { user: entry, db };
    if (isPlainObject(entry) && typeof entry['user'] === 'string' && typeof entry['db'] === 'string') {
      return { user: entry['user'], db: entry['db'] };
    }
    throw commandError('BadValue', 'User and role names must be either strings or objects');
  });
  return { kind: 'names', names };
}

const usersInfo: CommandDefinition = {
  fields: {
    showCredentials: 'bool',
    showCustomData: 'bool',
    showPrivileges: 'bool',
    showAuthenticationRestrictions: 'bool',
    filter: 'object',
  },
  run(ctx) {
    const { body, db, state, connection } = ctx;
    for (const option of ['showCredentials', 'showPrivileges', 'showAuthenticationRestrictions']) {
      if (optionalBool(body, option, false)) {
        throw commandError('CommandNotSupported', `usersInfo option '${option}' is not supported by this test server`);
      }
    }
    const lookup = lookupOf(body['usersInfo'], db);
    const self = (user: string, userDb: string) => connection.principals.some((p) => p.user === user && p.db === userDb);
    let users: StoredUser[];
    if (lookup.kind === 'all') {
      const cluster =
        !state.users.enabled ||
        connection.principals.some((p) =>
          state.users
            .rolesOf(p.db, p.user)
            .some((g) => g.db === 'admin' && (g.role === 'root' || g.role === 'userAdminAnyDatabase')),
        );
      if (!cluster) throw notAuthorized(db, 'usersInfo', body);
      users = state.users.all();
    } else if (lookup.kind === 'database') {
      if (!allowed(ctx, db)) throw notAuthorized(db, 'usersInfo', body);
      users = state.users.all().filter((u) => u.db === db);
    } else {
      for (const name of lookup.names) {
        if (!self(name.user, name.db) && !allowed(ctx, name.db)) throw notAuthorized(db, 'usersInfo', body);
      }
      users = [];
      for (const name of lookup.names) {
        const user = state.users.get(name.db, name.user);
        if (user && !users.includes(user)) users.push(user);
      }
    }
    const showCustomData = optionalBool(body, 'showCustomData', true);
    const matches = compileFilter(body['filter']);
    return { users: users.map((u) => userDocument(u, showCustomData)).filter(matches) };
  },
};

/** `createUser`, `dropUser`, `usersInfo`. */
export const userCommands: Record<string, CommandDefinition> = { createUser, dropUser, usersInfo };
