/**
 * Example SOAP services for @scimgw/connector-soap, built with the `soap` package's server:
 *
 * - DirectoryService (wsdl/directory-document.wsdl, document/literal) at /soap/directory
 * - LegacyDirectory  (wsdl/directory-rpc.wsdl, rpc/encoded)           at /soap/legacy
 *
 * Each keeps its users and groups in memory. Run it on its own:
 *
 *     node examples/server.mjs            # http://localhost:8890
 *     PORT=9000 node examples/server.mjs
 *
 * or start it from code (the connector's tests do): `await startExampleServer({ port: 0 })`.
 * Options add HTTP Basic, a WS-Security UsernameToken check, TLS, and a hook that sees every
 * request first (to delay, fail or inspect it).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import soap from 'soap';

const here = dirname(fileURLToPath(import.meta.url));
export const DOCUMENT_WSDL = join(here, 'wsdl', 'directory-document.wsdl');
export const RPC_WSDL = join(here, 'wsdl', 'directory-rpc.wsdl');

/** Throws a SOAP 1.1 fault (HTTP 500). */
function fault(code, reason, detail) {
  throw { Fault: { faultcode: code, faultstring: reason, ...(detail ? { detail } : {}), statusCode: 500 } };
}

/** Equal strings, compared in constant time. */
function same(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * soap writes a value that looks like one CDATA section without escaping it; re-encode such
 * values so they reach the client as the same text (escaped text between empty CDATA sections).
 */
function wire(v) {
  if (typeof v === 'string') {
    if (!(v.startsWith('<![CDATA[') && v.endsWith(']]>'))) return v;
    const esc = v
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\t/g, '&#x9;')
      .replace(/\r/g, '&#xD;')
      .replace(/\n/g, '&#xA;');
    return `<![CDATA[]]>${esc}<![CDATA[]]>`;
  }
  if (Array.isArray(v)) return v.map(wire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)]));
  return v;
}

/** A list element as read from XML: one element is not an array. */
const list = (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);
const lower = (v) => String(v ?? '').toLowerCase();

// ---------------------------------------------------------------------------------------------
// DirectoryService (document/literal): users and groups with ids, partial modify, paging.
// ---------------------------------------------------------------------------------------------

const USER_FIELDS = [
  'userName',
  'externalId',
  'active',
  'name',
  'displayName',
  'nickName',
  'title',
  'locale',
  'email',
  'homeEmail',
  'phone',
  'department',
  'employeeNumber',
  'manager',
  'password',
];
const NAME_FIELDS = ['givenName', 'familyName', 'formatted'];
const GROUP_FIELDS = ['displayName', 'externalId', 'member'];

function directoryService(store) {
  const { users, groups } = store;

  const userOut = (u) => {
    const { password: _secret, ...visible } = u;
    return wire(visible);
  };
  const groupOut = (g) => wire({ ...g, member: [...g.member] });
  const mustUser = (id) => users.get(id) ?? fault('soap:Client', `User ${id} does not exist`, { NotFound: id });
  const mustGroup = (id) => groups.get(id) ?? fault('soap:Client', `Group ${id} does not exist`, { NotFound: id });

  const cleanUser = (input) => {
    const u = {};
    for (const f of USER_FIELDS) {
      if (input?.[f] === undefined || input[f] === null) continue;
      if (f === 'name') {
        const n = {};
        for (const s of NAME_FIELDS) if (input.name?.[s] !== undefined && input.name[s] !== null) n[s] = String(input.name[s]);
        if (Object.keys(n).length) u.name = n;
      } else if (f === 'active') u.active = input.active === true || input.active === 'true';
      else u[f] = String(input[f]);
    }
    return u;
  };
  const checkUser = (u, id) => {
    if (!u.userName || u.userName.trim() === '') fault('soap:Client', 'userName is required', { Invalid: 'userName' });
    for (const other of users.values()) {
      if (other.id !== id && lower(other.userName) === lower(u.userName)) {
        fault('soap:Client', `User name ${u.userName} is already taken`, { Duplicate: 'userName' });
      }
    }
  };
  const clear = (obj, names) => {
    for (const n of list(names?.attribute)) {
      const [head, sub] = String(n).split('.');
      if (sub !== undefined && obj[head] && typeof obj[head] === 'object') {
        delete obj[head][sub];
        if (Object.keys(obj[head]).length === 0) delete obj[head];
      } else delete obj[head];
    }
  };

  const USER_FILTERS = {
    id: (u, v) => u.id === v,
    userName: (u, v) => lower(u.userName) === lower(v),
    externalId: (u, v) => u.externalId === v,
    email: (u, v) => lower(u.email) === lower(v),
    employeeNumber: (u, v) => u.employeeNumber === v,
  };
  const GROUP_FILTERS = {
    id: (g, v) => g.id === v,
    displayName: (g, v) => lower(g.displayName) === lower(v),
    externalId: (g, v) => g.externalId === v,
    member: (g, v) => g.member.has(v),
  };
  const page = (all, args) => {
    const start = Math.max(1, Number(args?.startIndex ?? 1));
    const count = args?.count === undefined || args.count === null ? all.length : Math.max(0, Number(args.count));
    return all.slice(start - 1, start - 1 + count);
  };
  const search = (map, filters, args) => {
    let all = [...map.values()];
    const f = args?.filter;
    if (f) {
      const test = filters[f.attribute];
      if (!test) fault('soap:Client', `Cannot search by ${f.attribute}`, { Invalid: String(f.attribute) });
      all = all.filter((x) => test(x, String(f.value ?? '')));
    }
    return { total: all.length, items: page(all, args) };
  };

  return {
    searchUsers(args) {
      const r = search(users, USER_FILTERS, args);
      return { totalResults: r.total, user: r.items.map(userOut) };
    },
    getUser(args) {
      return { user: userOut(mustUser(args.id)) };
    },
    createUser(args) {
      const u = cleanUser(args.user);
      checkUser(u);
      const stored = { id: randomUUID(), ...u };
      users.set(stored.id, stored);
      return { user: userOut(stored) };
    },
    modifyUser(args) {
      const cur = mustUser(args.id);
      const next = structuredClone(cur);
      clear(next, args.clear);
      const set = cleanUser(args.set ?? {});
      if (set.name) next.name = { ...next.name, ...set.name };
      for (const [k, v] of Object.entries(set)) if (k !== 'name') next[k] = v;
      checkUser(next, cur.id);
      users.set(cur.id, next);
      return { user: userOut(next) };
    },
    replaceUser(args) {
      const cur = mustUser(args.id);
      const next = { id: cur.id, ...cleanUser(args.user) };
      // The password is write-only: a replace without one keeps it.
      if (next.password === undefined && cur.password !== undefined) next.password = cur.password;
      checkUser(next, cur.id);
      users.set(cur.id, next);
      return { user: userOut(next) };
    },
    deleteUser(args) {
      mustUser(args.id);
      users.delete(args.id);
      for (const g of groups.values()) g.member.delete(args.id);
      return {};
    },
    searchGroups(args) {
      const r = search(groups, GROUP_FILTERS, args);
      return { totalResults: r.total, group: r.items.map(groupOut) };
    },
    getGroup(args) {
      return { group: groupOut(mustGroup(args.id)) };
    },
    createGroup(args) {
      const input = args.group ?? {};
      const name = input.displayName === undefined || input.displayName === null ? '' : String(input.displayName);
      if (name.trim() === '') fault('soap:Client', 'displayName is required', { Invalid: 'displayName' });
      for (const g of groups.values()) {
        if (lower(g.displayName) === lower(name))
          fault('soap:Client', `Group ${name} already exists`, { Duplicate: 'displayName' });
      }
      const stored = { id: randomUUID(), displayName: name, member: new Set(list(input.member).map(String)) };
      if (input.externalId !== undefined && input.externalId !== null) stored.externalId = String(input.externalId);
      groups.set(stored.id, stored);
      return { group: groupOut(stored) };
    },
    modifyGroup(args) {
      const g = mustGroup(args.id);
      for (const n of list(args.clear?.attribute)) {
        if (n === 'member') g.member.clear();
        else if (n !== 'displayName') delete g[n];
      }
      const set = args.set ?? {};
      for (const f of GROUP_FIELDS) {
        if (set[f] === undefined || set[f] === null) continue;
        if (f === 'member') g.member = new Set(list(set.member).map(String));
        else g[f] = String(set[f]);
      }
      return { group: groupOut(g) };
    },
    replaceGroup(args) {
      const g = mustGroup(args.id);
      const input = args.group ?? {};
      const next = {
        id: g.id,
        displayName: String(input.displayName ?? g.displayName),
        member: new Set(list(input.member).map(String)),
      };
      if (input.externalId !== undefined && input.externalId !== null) next.externalId = String(input.externalId);
      groups.set(g.id, next);
      return { group: groupOut(next) };
    },
    deleteGroup(args) {
      mustGroup(args.id);
      groups.delete(args.id);
      return {};
    },
    addGroupMember(args) {
      const g = mustGroup(args.groupId);
      mustUser(args.userId);
      g.member.add(String(args.userId));
      return {};
    },
    removeGroupMember(args) {
      mustGroup(args.groupId).member.delete(String(args.userId));
      return {};
    },
  };
}

// ---------------------------------------------------------------------------------------------
// LegacyDirectory (rpc/encoded): accounts and roles, one part per argument, whole-record saves.
// ---------------------------------------------------------------------------------------------

const ACCOUNT_FIELDS = [
  'loginName',
  'correlationId',
  'enabled',
  'firstName',
  'lastName',
  'fullName',
  'displayName',
  'jobTitle',
  'emailAddress',
  'phoneNumber',
  'department',
  'employeeID',
  'managerID',
  'password',
];

function legacyService(store) {
  const { accounts, roles } = store;
  let next = 1000;
  const newId = (prefix) => `${prefix}${++next}`;

  const accountOut = (a) => {
    const { password: _secret, ...visible } = a;
    return wire(visible);
  };
  const roleOut = (r) =>
    wire({
      groupID: r.groupID,
      groupName: r.groupName,
      ...(r.correlationId ? { correlationId: r.correlationId } : {}),
      members: { item: [...r.members] },
    });
  const mustAccount = (id) => accounts.get(String(id)) ?? fault('tns:ObjectNotFound', `no account ${id}`);
  const mustRole = (id) => roles.get(String(id)) ?? fault('tns:ObjectNotFound', `no role ${id}`);
  const cleanAccount = (input) => {
    const a = {};
    for (const f of ACCOUNT_FIELDS) {
      if (input?.[f] === undefined || input[f] === null) continue;
      a[f] = f === 'enabled' ? input[f] === true || input[f] === 'true' : String(input[f]);
    }
    return a;
  };
  const checkAccount = (a, id) => {
    if (!a.loginName || a.loginName.trim() === '') fault('tns:InvalidInput', 'loginName must not be empty');
    for (const other of accounts.values()) {
      if (other.userID !== id && lower(other.loginName) === lower(a.loginName))
        fault('tns:DuplicateKey', `loginName ${a.loginName} is in use`);
    }
  };

  return {
    listAccounts() {
      return { accounts: { item: [...accounts.values()].map(accountOut) } };
    },
    lookupAccount(args) {
      return { account: accountOut(mustAccount(args.userID)) };
    },
    addAccount(args) {
      const a = cleanAccount(args.account);
      checkAccount(a);
      const stored = { userID: newId('U'), ...a };
      accounts.set(stored.userID, stored);
      return { userID: stored.userID };
    },
    saveAccount(args) {
      const cur = mustAccount(args.userID);
      const a = { userID: cur.userID, ...cleanAccount(args.account) };
      if (a.password === undefined && cur.password !== undefined) a.password = cur.password;
      checkAccount(a, cur.userID);
      accounts.set(cur.userID, a);
      return { done: true };
    },
    removeAccount(args) {
      mustAccount(args.userID);
      accounts.delete(String(args.userID));
      for (const r of roles.values()) r.members.delete(String(args.userID));
      return { done: true };
    },
    listRoles() {
      return { roles: { item: [...roles.values()].map(roleOut) } };
    },
    lookupRole(args) {
      return { role: roleOut(mustRole(args.groupID)) };
    },
    addRole(args) {
      const input = args.role ?? {};
      const name = input.groupName === undefined || input.groupName === null ? '' : String(input.groupName);
      if (name.trim() === '') fault('tns:InvalidInput', 'groupName must not be empty');
      for (const r of roles.values())
        if (lower(r.groupName) === lower(name)) fault('tns:DuplicateKey', `groupName ${name} is in use`);
      const stored = { groupID: newId('G'), groupName: name, members: new Set(list(input.members?.item).map(String)) };
      if (input.correlationId !== undefined && input.correlationId !== null) stored.correlationId = String(input.correlationId);
      roles.set(stored.groupID, stored);
      return { groupID: stored.groupID };
    },
    saveRole(args) {
      const r = mustRole(args.groupID);
      if (args.groupName !== undefined && args.groupName !== null) r.groupName = String(args.groupName);
      if (args.correlationId !== undefined && args.correlationId !== null) r.correlationId = String(args.correlationId);
      else delete r.correlationId;
      return { done: true };
    },
    removeRole(args) {
      mustRole(args.groupID);
      roles.delete(String(args.groupID));
      return { done: true };
    },
    assignUserToGroup(args) {
      const r = mustRole(args.groupID);
      mustAccount(args.userID);
      r.members.add(String(args.userID));
      return { done: true };
    },
    removeUserFromGroup(args) {
      mustRole(args.groupID).members.delete(String(args.userID));
      return { done: true };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The HTTP server.
// ---------------------------------------------------------------------------------------------

/** Checks a WS-Security UsernameToken (PasswordText or PasswordDigest). */
function usernameTokenCheck(expected) {
  return (security) => {
    const token = security?.UsernameToken;
    if (!token) return false;
    const user = typeof token.Username === 'object' ? token.Username?.$value : token.Username;
    const pw = token.Password;
    const value = typeof pw === 'object' ? pw?.$value : pw;
    const type = typeof pw === 'object' ? String(pw?.attributes?.Type ?? '') : '';
    if (!same(user ?? '', expected.username)) return false;
    if (type.endsWith('#PasswordDigest')) {
      const nonce = typeof token.Nonce === 'object' ? token.Nonce?.$value : token.Nonce;
      const created = typeof token.Created === 'object' ? token.Created?.$value : token.Created;
      return same(value ?? '', soap.passwordDigest(nonce, created, expected.password));
    }
    return same(value ?? '', expected.password);
  };
}

/**
 * soap's server looks up the schema of a request by the name of its body element. An rpc request
 * element is named after the operation, which soap finds no message for, and rpc parts declared
 * with `type=` have no element types; either way a value of only spaces would be lost. Give each
 * operation name its input message, described.
 */
function typeRequests(definitions) {
  for (const message of Object.values(definitions.messages ?? {})) {
    if (message.element || !message.parts) continue;
    for (const [name, node] of Object.entries(message.parts)) {
      if (node && typeof node === 'object' && typeof node.description === 'function') {
        message.parts[name] = node.description(definitions, node.xmlns);
      }
    }
  }
  for (const portType of Object.values(definitions.portTypes ?? {})) {
    for (const [operation, method] of Object.entries(portType.methods ?? {})) {
      const input = definitions.messages[method.input?.$name];
      if (!input || definitions.messages[operation]) continue;
      definitions.messages[operation] = {
        description: (defs) => (input.element ? input.description(defs) : { [operation]: input.parts }),
      };
    }
  }
}

/** Starts both services on one HTTP(S) server. */
function listenService(server, path, services, wsdlFile, authenticate) {
  return new Promise((resolve, reject) => {
    const s = soap.listen(server, {
      path,
      services,
      xml: readFileSync(wsdlFile, 'utf8'),
      suppressStack: true,
      callback: (err) => {
        if (err) return reject(err);
        typeRequests(s.wsdl.definitions);
        resolve(s);
      },
    });
    // soap's server trims text unless asked not to; leading and trailing spaces are data.
    s.wsdl.options.preserveWhitespace = true;
    if (authenticate) s.authenticate = authenticate;
  });
}

/**
 * Starts the example services.
 *
 * @param {object} [options]
 * @param {number} [options.port] default 8890; 0 picks a free port
 * @param {string} [options.host] default 127.0.0.1
 * @param {{ username: string, password: string }} [options.basicAuth] require HTTP Basic
 * @param {{ username: string, password: string }} [options.usernameToken] require a WS-Security UsernameToken
 * @param {{ key: string, cert: string, ca?: string, requestCert?: boolean }} [options.tls] serve HTTPS (PEM text)
 * @param {(req: { path: string, body: string, headers: import('node:http').IncomingHttpHeaders }, res: import('node:http').ServerResponse) => boolean | Promise<boolean>} [options.onRequest]
 *   sees every request first; return true when it answered (or dropped) it itself
 */
export async function startExampleServer(options = {}) {
  const store = {
    directory: { users: new Map(), groups: new Map() },
    legacy: { accounts: new Map(), roles: new Map() },
  };
  const server = options.tls
    ? https.createServer({
        key: options.tls.key,
        cert: options.tls.cert,
        ca: options.tls.ca,
        requestCert: options.tls.requestCert ?? false,
        rejectUnauthorized: options.tls.requestCert ?? false,
      })
    : http.createServer();
  const authenticate = options.usernameToken ? usernameTokenCheck(options.usernameToken) : undefined;
  await listenService(
    server,
    '/soap/directory',
    { DirectoryService: { DirectoryPort: directoryService(store.directory) } },
    DOCUMENT_WSDL,
    authenticate,
  );
  await listenService(
    server,
    '/soap/legacy',
    { LegacyDirectory: { LegacyDirectoryPort: legacyService(store.legacy) } },
    RPC_WSDL,
    authenticate,
  );

  // Read each body before soap does, for Basic auth and the hook.
  const soapHandler = server.listeners('request')[0];
  server.removeAllListeners('request');
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('request', async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    if (options.basicAuth) {
      const want = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
      if (!same(req.headers.authorization ?? '', want)) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="example"', 'content-type': 'text/plain' });
        res.end('authentication required');
        return;
      }
    }
    if (options.onRequest) {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (await options.onRequest({ path, body: body.toString('utf8'), headers: req.headers }, res)) return;
    }
    req.body = body;
    soapHandler.call(server, req, res);
  });

  // Longer than any client's idle keep-alive, so a client never sends on a socket being closed.
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve) => server.listen(options.port ?? 8890, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address();
  const origin = `${options.tls ? 'https' : 'http'}://${options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1')}:${port}`;
  return {
    port,
    origin,
    /** Base URL the services hang under: <origin>/soap. */
    url: `${origin}/soap`,
    store,
    /** Stops listening and cuts open connections. */
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// `node examples/server.mjs`: serve until stopped.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const s = await startExampleServer({ port: Number(process.env.PORT ?? 8890), host: process.env.HOST ?? '127.0.0.1' });
  console.log(`DirectoryService (document/literal): ${s.url}/directory   WSDL: ${s.url}/directory?wsdl`);
  console.log(`LegacyDirectory   (rpc/encoded):     ${s.url}/legacy      WSDL: ${s.url}/legacy?wsdl`);
}
