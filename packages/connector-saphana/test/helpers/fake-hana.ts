/**
 * A stand-in for SAP HANA at the driver boundary (the `HanaClient` interface over
 * `@sap/hana-client`): it accepts only the statements this connector may send, each checked
 * against a strict grammar in which every name is a double-quoted HANA identifier and every literal
 * a quote-free string, and keeps users, SAML mappings, roles and grants in memory with HANA's error
 * codes. It is not HANA: it proves what text reaches the driver, not what HANA does with it.
 */
import type { HanaClient, HanaSession } from '../../src/index.js';

const NAME = '"([A-Za-z_][A-Za-z0-9_#$.@-]{0,126})"';
const LIT = "'([\\x21\\x23-\\x26\\x28-\\x5b\\x5d-\\x7e]{1,256})'";

class HanaError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface User {
  deactivated: boolean;
  created: Date;
  identities: Map<string, string>;
}

export interface FakeHana extends HanaClient {
  users: Map<string, User>;
  roles: Set<string>;
  grants: Map<string, Set<string>>;
  /** Every statement the connector sent, with its parameters. */
  log: { sql: string; params: unknown[] }[];
  /** Statements refused by the grammar (a test failure when not empty, unless expected). */
  refused: string[];
}

export function fakeHana(options: { roles?: string[] } = {}): FakeHana {
  const users = new Map<string, User>([['SYSTEM', { deactivated: false, created: new Date(0), identities: new Map() }]]);
  const roles = new Set(options.roles ?? ['SCIM_READER', 'SCIM_WRITER', 'CONTENT_ADMIN']);
  const grants = new Map<string, Set<string>>([['SYSTEM', new Set(['CONTENT_ADMIN'])]]);
  const log: FakeHana['log'] = [];
  const refused: string[] = [];

  const user = (n: string) => {
    const u = users.get(n);
    if (!u) throw new HanaError(332, `invalid user name: ${n}`);
    return u;
  };
  const userRows = (provider: string, only?: string) =>
    [...users.entries()]
      .filter(([n, u]) => u.identities.has(provider) && (only === undefined || n === only))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([n, u]) => ({
        USER_NAME: n,
        USER_DEACTIVATED: u.deactivated ? 'TRUE' : 'FALSE',
        CREATE_TIME: u.created,
        EXTERNAL_IDENTITY: u.identities.get(provider),
      }));

  const USERS =
    'SELECT U.USER_NAME, U.USER_DEACTIVATED, U.CREATE_TIME, M.EXTERNAL_IDENTITY FROM SYS.USERS U JOIN SYS.SAML_USER_MAPPINGS M ON M.USER_NAME = U.USER_NAME AND M.SAML_PROVIDER_NAME = ?';

  function run(sql: string, p: unknown[]): Record<string, unknown>[] | number {
    let m: RegExpMatchArray | null;
    if (sql === USERS + ' ORDER BY U.USER_NAME') return userRows(String(p[0]));
    if (sql === USERS + ' WHERE U.USER_NAME = ?') return userRows(String(p[0]), String(p[1]));
    if (
      (m = sql.match(
        /^SELECT GRANTEE, ROLE_NAME FROM SYS\.GRANTED_ROLES WHERE GRANTEE_TYPE = 'USER' AND GRANTEE IN \(\?(, \?)*\)$/,
      ))
    ) {
      return p.flatMap((g) => [...(grants.get(String(g)) ?? [])].map((r) => ({ GRANTEE: g, ROLE_NAME: r })));
    }
    if (sql === 'SELECT ROLE_NAME FROM SYS.ROLES ORDER BY ROLE_NAME') return [...roles].sort().map((r) => ({ ROLE_NAME: r }));
    if (sql === 'SELECT ROLE_NAME FROM SYS.ROLES WHERE ROLE_NAME = ?')
      return roles.has(String(p[0])) ? [{ ROLE_NAME: p[0] }] : [];
    if (
      sql ===
      "SELECT G.GRANTEE FROM SYS.GRANTED_ROLES G JOIN SYS.SAML_USER_MAPPINGS M ON M.USER_NAME = G.GRANTEE AND M.SAML_PROVIDER_NAME = ? WHERE G.GRANTEE_TYPE = 'USER' AND G.ROLE_NAME = ? ORDER BY G.GRANTEE"
    ) {
      return [...grants.entries()]
        .filter(([u, rs]) => rs.has(String(p[1])) && users.get(u)?.identities.has(String(p[0])))
        .map(([u]) => ({ GRANTEE: u }))
        .sort((a, b) => (a.GRANTEE < b.GRANTEE ? -1 : 1));
    }
    if (p.length) throw new HanaError(257, 'sql syntax error: parameters in DDL');
    if ((m = sql.match(new RegExp(`^CREATE USER ${NAME} WITH IDENTITY ${LIT} FOR SAML PROVIDER ${NAME}$`)))) {
      const [, n, ident, prov] = m as unknown as string[];
      if (users.has(n as string)) throw new HanaError(331, `user name already exists: ${n}`);
      users.set(n as string, {
        deactivated: false,
        created: new Date(),
        identities: new Map([[prov as string, ident as string]]),
      });
      grants.set(n as string, new Set());
      return 0;
    }
    if ((m = sql.match(new RegExp(`^ALTER USER ${NAME} (ACTIVATE|DEACTIVATE) USER NOW$`)))) {
      user(m[1] as string).deactivated = m[2] === 'DEACTIVATE';
      return 0;
    }
    if ((m = sql.match(new RegExp(`^ALTER USER ${NAME} DROP IDENTITY FOR SAML PROVIDER ${NAME}$`)))) {
      user(m[1] as string).identities.delete(m[2] as string);
      return 0;
    }
    if ((m = sql.match(new RegExp(`^ALTER USER ${NAME} ADD IDENTITY ${LIT} FOR SAML PROVIDER ${NAME}$`)))) {
      user(m[1] as string).identities.set(m[3] as string, m[2] as string);
      return 0;
    }
    if ((m = sql.match(new RegExp(`^DROP USER ${NAME}( CASCADE)?$`)))) {
      user(m[1] as string);
      users.delete(m[1] as string);
      grants.delete(m[1] as string);
      return 0;
    }
    if ((m = sql.match(new RegExp(`^(GRANT|REVOKE) ${NAME} (TO|FROM) ${NAME}$`)))) {
      const [, op, r, dir, u] = m as unknown as string[];
      if ((op === 'GRANT') !== (dir === 'TO')) throw new HanaError(257, 'sql syntax error');
      if (!roles.has(r as string)) throw new HanaError(389, `invalid role name: ${r}`);
      user(u as string);
      const set = grants.get(u as string) ?? new Set<string>();
      if (op === 'GRANT') set.add(r as string);
      else set.delete(r as string);
      grants.set(u as string, set);
      return 0;
    }
    refused.push(sql);
    throw new HanaError(257, `sql syntax error: ${sql.slice(0, 40)}`);
  }

  return {
    users,
    roles,
    grants,
    log,
    refused,
    async connect(): Promise<HanaSession> {
      return {
        async exec(sql, params = []) {
          log.push({ sql, params: [...params] });
          return run(sql, [...params]);
        },
        setAutoCommit() {},
        async commit() {},
        async rollback() {},
        async close() {},
      };
    },
  };
}
