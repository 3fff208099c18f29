/**
 * Database-user provisioning: SCIM Users are SAP HANA users mapped to one SAML provider, SCIM
 * Groups are HANA roles. Create is `CREATE USER … WITH IDENTITY … FOR SAML PROVIDER …`, `active`
 * is `ALTER USER … ACTIVATE/DEACTIVATE USER NOW`, delete is `DROP USER`, reads come from
 * `SYS.USERS`, `SYS.SAML_USER_MAPPINGS` and `SYS.GRANTED_ROLES`, and roles are granted and revoked
 * through a user's `roles` / `groups` or a group's `members`.
 *
 * Only users with an identity for the configured provider are visible: SYSTEM, technical users and
 * users of other providers can be neither read nor changed through SCIM.
 */
import {
  type Change,
  defineConnector,
  errors,
  type Logger,
  type ScimResource,
  type SchemaRegistry,
  UndoLog,
  URN,
} from '@scimgw/core';
import { applyChanges } from '@scimgw/core/patch';
import type { HanaClient, HanaSession } from './client.js';
import { toScimError } from './errors.js';
import { identityLiteral, isHanaName, quoteName } from './identifier.js';

/** Settings of the user mode. */
export interface HanaUserModeOptions {
  client: HanaClient;
  /** SAML provider the identities belong to (`CREATE SAML PROVIDER …`). */
  samlProvider: string;
  /** Roles that may be granted and revoked through SCIM; others are neither shown nor touched. */
  rolePattern: RegExp;
  /** `DROP USER … CASCADE` (drops the user's objects too) instead of the default RESTRICT. */
  dropCascade: boolean;
  registry?: SchemaRegistry | undefined;
  /** Where an undo HANA refused is reported (see `ddl` in {@link createHanaUserConnector}). */
  log?: Logger | undefined;
}

/** A DDL statement and the one that undoes it. */
interface Step {
  sql: string;
  undo: string;
}

interface UserRow {
  USER_NAME: string;
  USER_DEACTIVATED: unknown;
  CREATE_TIME?: unknown;
  EXTERNAL_IDENTITY?: unknown;
}

const toIso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(`${v.replace(' ', 'T')}Z`).toISOString() : undefined;
const deactivated = (v: unknown) => v === true || String(v).toUpperCase() === 'TRUE';

/** The user mode as a scimgw connector. */
export function createHanaUserConnector(options: HanaUserModeOptions) {
  const provider = quoteName(options.samlProvider, 'samlProvider');
  const providerName = options.samlProvider;
  let session: Promise<HanaSession> | undefined;
  const db = async () => {
    session ??= options.client.connect().catch((e) => {
      session = undefined;
      throw e;
    });
    return session;
  };
  const exec = async (sql: string, params: unknown[] = []) => (await db()).exec(sql, params);
  const rows = async (sql: string, params: unknown[] = []) => {
    const r = await exec(sql, params);
    return Array.isArray(r) ? r : [];
  };
  const allowedRole = (r: unknown): r is string => isHanaName(r) && options.rolePattern.test(r);

  /**
   * Runs the DDL of one client write. HANA commits DDL one statement at a time, so a write of
   * several (a new identity, `active`, roles) is made whole by hand: when a statement fails, the
   * ones before it are undone, newest first, and the client gets the first error with the user as
   * it was. An undo HANA refuses too is logged as a warning whose `step` is the statement undone.
   */
  async function ddl(steps: Step[]): Promise<void> {
    const undo = new UndoLog(options.log, 'saphana');
    await undo.guard(async () => {
      for (const step of steps) {
        await exec(step.sql);
        undo.push(step.sql, () => exec(step.undo));
      }
    });
  }

  const USERS = `SELECT U.USER_NAME, U.USER_DEACTIVATED, U.CREATE_TIME, M.EXTERNAL_IDENTITY FROM SYS.USERS U JOIN SYS.SAML_USER_MAPPINGS M ON M.USER_NAME = U.USER_NAME AND M.SAML_PROVIDER_NAME = ?`;

  async function rolesOf(names: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(names.map((n) => [n, []]));
    if (names.length === 0) return out;
    const r = await rows(
      `SELECT GRANTEE, ROLE_NAME FROM SYS.GRANTED_ROLES WHERE GRANTEE_TYPE = 'USER' AND GRANTEE IN (${names.map(() => '?').join(', ')})`,
      names,
    );
    for (const row of r) if (allowedRole(row.ROLE_NAME)) out.get(String(row.GRANTEE))?.push(String(row.ROLE_NAME));
    return out;
  }

  function toUser(row: UserRow, roles: string[]): ScimResource {
    const created = toIso(row.CREATE_TIME);
    return {
      schemas: [URN.User],
      id: row.USER_NAME,
      userName: row.USER_NAME,
      ...(row.EXTERNAL_IDENTITY ? { externalId: String(row.EXTERNAL_IDENTITY) } : {}),
      active: !deactivated(row.USER_DEACTIVATED),
      ...(roles.length ? { roles: roles.map((r) => ({ value: r })), groups: roles.map((r) => ({ value: r, display: r })) } : {}),
      meta: { resourceType: 'User', ...(created ? { created, lastModified: created } : {}) },
    } as ScimResource;
  }

  async function readUser(id: string): Promise<ScimResource | undefined> {
    if (!isHanaName(id)) return undefined;
    const [row] = (await rows(`${USERS} WHERE U.USER_NAME = ?`, [providerName, id])) as unknown as UserRow[];
    if (!row) return undefined;
    return toUser(row, (await rolesOf([row.USER_NAME])).get(row.USER_NAME) ?? []);
  }

  /** Roles a resource asks for, from `roles` and `groups` (values), checked. */
  function wantedRoles(resource: Record<string, unknown>): Set<string> {
    const out = new Set<string>();
    for (const key of ['roles', 'groups']) {
      const list = resource[key];
      if (!Array.isArray(list)) continue;
      for (const el of list) {
        const v = (el as { value?: unknown } | null)?.value;
        quoteName(v, `${key}.value`);
        if (!allowedRole(v)) throw new errors.InvalidValueError(`${key}.value: the role is not managed through SCIM`);
        out.add(v as string);
      }
    }
    return out;
  }

  function activeStep(name: string, active: boolean): Step {
    const alter = (on: boolean) => `ALTER USER ${quoteName(name, 'userName')} ${on ? 'ACTIVATE' : 'DEACTIVATE'} USER NOW`;
    return { sql: alter(active), undo: alter(!active) };
  }

  function roleSteps(name: string, before: Set<string>, after: Set<string>): Step[] {
    const user = quoteName(name, 'userName');
    const grant = (r: string) => `GRANT ${quoteName(r, 'role')} TO ${user}`;
    const revoke = (r: string) => `REVOKE ${quoteName(r, 'role')} FROM ${user}`;
    return [
      ...[...after].filter((r) => !before.has(r)).map((r) => ({ sql: grant(r), undo: revoke(r) })),
      ...[...before].filter((r) => !after.has(r)).map((r) => ({ sql: revoke(r), undo: grant(r) })),
    ];
  }

  /**
   * The roles after a change. A user shows its roles twice (`roles` and `groups`); a PATCH changes one
   * of them, and that one wins. A PUT carries the whole user: the union of both lists.
   */
  function nextRoles(current: ScimResource, next: Record<string, unknown>, put: boolean): Set<string> {
    const now = wantedRoles(current);
    if (put) return wantedRoles(next);
    const eq = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
    const roles = wantedRoles({ roles: next.roles });
    if (!eq(roles, now)) return roles;
    const groups = wantedRoles({ groups: next.groups });
    return eq(groups, now) ? now : groups;
  }

  async function write(
    id: string,
    current: ScimResource,
    next: Record<string, unknown>,
    put = false,
  ): Promise<ScimResource | undefined> {
    if (next.userName !== undefined && next.userName !== current.userName)
      throw new errors.MutabilityError('userName of a SAP HANA user cannot change (it is the database user name)');
    const user = quoteName(id, 'userName');
    const steps: Step[] = [];
    const nextIdentity = next.externalId ?? current.userName;
    const currentIdentity = current.externalId ?? current.userName;
    if (nextIdentity !== currentIdentity) {
      const add = (literal: string) => `ALTER USER ${user} ADD IDENTITY ${literal} FOR SAML PROVIDER ${provider}`;
      const drop = `ALTER USER ${user} DROP IDENTITY FOR SAML PROVIDER ${provider}`;
      steps.push(
        { sql: drop, undo: add(identityLiteral(currentIdentity, 'externalId')) },
        { sql: add(identityLiteral(nextIdentity, 'externalId')), undo: drop },
      );
    }
    const active = next.active !== false;
    if (active !== (current.active !== false)) steps.push(activeStep(id, active));
    steps.push(...roleSteps(id, wantedRoles(current), nextRoles(current, next, put)));
    await ddl(steps);
    return readUser(id);
  }

  const guard = async <T>(what: string, f: () => Promise<T>) => {
    try {
      return await f();
    } catch (e) {
      throw toScimError(e, what);
    }
  };

  return defineConnector({
    name: 'connector-saphana',
    coreVersion: '^1.0.0',
    ...(options.registry ? { registry: options.registry } : {}),
    resources: {
      User: {
        capabilities: { filter: { operators: ['eq'], attributes: ['userName', 'id'] } },
        async query(request) {
          return guard('user', async () => {
            const f = request.filter;
            let list: UserRow[];
            if (f?.type === 'compare' && f.op === 'eq' && (f.path.attr === 'userName' || f.path.attr === 'id') && !f.path.sub) {
              list = isHanaName(f.value)
                ? ((await rows(`${USERS} WHERE U.USER_NAME = ?`, [providerName, f.value])) as unknown as UserRow[])
                : [];
            } else {
              list = (await rows(`${USERS} ORDER BY U.USER_NAME`, [providerName])) as unknown as UserRow[];
            }
            const roles = await rolesOf(list.map((u) => u.USER_NAME));
            return { resources: list.map((u) => toUser(u, roles.get(u.USER_NAME) ?? [])) };
          });
        },
        get: (id) => guard('user', () => readUser(id)),
        async create(resource) {
          const name = resource.userName;
          const user = quoteName(name, 'userName');
          const identity = identityLiteral(
            resource.externalId ?? name,
            resource.externalId === undefined ? 'userName' : 'externalId',
          );
          const roles = wantedRoles(resource);
          await guard('a user with this userName', () =>
            exec(`CREATE USER ${user} WITH IDENTITY ${identity} FOR SAML PROVIDER ${provider}`),
          );
          try {
            await ddl([
              ...(resource.active === false ? [activeStep(name as string, false)] : []),
              ...roleSteps(name as string, new Set(), roles),
            ]);
          } catch (e) {
            // HANA commits DDL one statement at a time: undo the half-made user.
            await exec(`DROP USER ${user}`).catch(() => {});
            throw toScimError(e, 'user');
          }
          const stored = await readUser(name as string);
          if (!stored) throw new Error('the new HANA user is not visible (is the SAML provider mapping readable?)');
          return stored;
        },
        async modify(id, changes: readonly Change[]) {
          return guard('user', async () => {
            const current = await readUser(id);
            if (!current) return undefined;
            const { resource } = applyChanges(current, changes);
            return write(id, current, resource as Record<string, unknown>);
          });
        },
        async replace(id, resource) {
          return guard('user', async () => {
            const current = await readUser(id);
            if (!current) throw new errors.NotFoundError(`User ${id} not found`);
            const stored = await write(id, current, resource as Record<string, unknown>, true);
            if (!stored) throw new errors.NotFoundError(`User ${id} not found`);
            return stored;
          });
        },
        async delete(id) {
          return guard('user', async () => {
            if (!(await readUser(id))) throw new errors.NotFoundError(`User ${id} not found`);
            await exec(`DROP USER ${quoteName(id, 'id')}${options.dropCascade ? ' CASCADE' : ''}`);
          });
        },
      },
      Group: {
        async query() {
          return guard('role', async () => {
            const roles = (await rows('SELECT ROLE_NAME FROM SYS.ROLES ORDER BY ROLE_NAME'))
              .map((r) => String(r.ROLE_NAME))
              .filter(allowedRole);
            return { resources: await Promise.all(roles.map((r) => readRole(r) as Promise<ScimResource>)) };
          });
        },
        get: (id) => guard('role', () => readRole(id)),
        async modify(id, changes: readonly Change[]) {
          return guard('role', async () => {
            const current = await readRole(id);
            if (!current) return undefined;
            const { resource } = applyChanges(current, changes);
            const before = new Set(((current.members as { value: string }[] | undefined) ?? []).map((m) => m.value));
            const after = new Set<string>();
            for (const m of (resource.members as { value?: unknown }[] | undefined) ?? []) {
              quoteName(m.value, 'members.value');
              if (!(await readUser(m.value as string))) throw new errors.InvalidValueError('members.value: no such user');
              after.add(m.value as string);
            }
            const role = quoteName(id, 'id');
            const grant = (u: string) => `GRANT ${role} TO ${quoteName(u, 'members.value')}`;
            const revoke = (u: string) => `REVOKE ${role} FROM ${quoteName(u, 'members.value')}`;
            await ddl([
              ...[...after].filter((u) => !before.has(u)).map((u) => ({ sql: grant(u), undo: revoke(u) })),
              ...[...before].filter((u) => !after.has(u)).map((u) => ({ sql: revoke(u), undo: grant(u) })),
            ]);
            return readRole(id);
          });
        },
      },
    },
    async close() {
      const s = await session?.catch(() => undefined);
      session = undefined;
      await s?.close();
    },
  });

  async function readRole(id: string): Promise<ScimResource | undefined> {
    if (!allowedRole(id)) return undefined;
    const found = await rows('SELECT ROLE_NAME FROM SYS.ROLES WHERE ROLE_NAME = ?', [id]);
    if (found.length === 0) return undefined;
    const grantees = await rows(
      `SELECT G.GRANTEE FROM SYS.GRANTED_ROLES G JOIN SYS.SAML_USER_MAPPINGS M ON M.USER_NAME = G.GRANTEE AND M.SAML_PROVIDER_NAME = ? WHERE G.GRANTEE_TYPE = 'USER' AND G.ROLE_NAME = ? ORDER BY G.GRANTEE`,
      [providerName, id],
    );
    return {
      schemas: [URN.Group],
      id,
      displayName: id,
      members: grantees.map((g) => ({ value: String(g.GRANTEE), display: String(g.GRANTEE), type: 'User' })),
      meta: { resourceType: 'Group' },
    } as ScimResource;
  }
}
