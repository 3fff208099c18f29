/**
 * plugin-mongodb's `endpoint` → @scimgw/connector-mongodb's. The older plugin named each tenant's
 * server in `entity.<baseEntity>.{baseUrl, username, password}` and its database in
 * `entity.<baseEntity>.database`, `scim` unless set (for every tenant). Here the default tenant's
 * server is `connection`, another tenant's only when it differs, and every tenant keeps the database
 * its data is in (this connector's default would be `<database>_<baseEntity>`).
 */
import type { EndpointResult } from './endpoint-section.js';
import type { ReportEntry } from './report.js';
import { isJson, type Json, pathText, type Segments } from './tree.js';

/** The older plugin's default database, for every tenant. */
const OLDER_DATABASE = 'scim';
const SERVER_KEYS = ['baseUrl', 'username', 'password'] as const;

/** Migrates the older MongoDB plugin's `endpoint` section. */
export function migrateMongodb(endpoint: Json): EndpointResult {
  const entries: ReportEntry[] = [];
  const moved = (from: Segments, to: Segments, note?: string) =>
    entries.push({ path: pathText(from), status: 'moved', note: `→ ${pathText(to)}${note ? ` (${note})` : ''}` });
  const entity = isJson(endpoint.entity) ? endpoint.entity : {};
  const connectionOf = (t: Json): Json | undefined => {
    if (typeof t.baseUrl !== 'string' || t.baseUrl === '') return undefined;
    return {
      url: t.baseUrl,
      ...(t.username === undefined || t.username === null ? {} : { username: t.username }),
      ...(t.password === undefined || t.password === null ? {} : { password: t.password }),
    };
  };
  const base = isJson(entity.undefined) ? entity.undefined : {};
  const connection = connectionOf(base);
  const out: Json = {};
  // Keys of the section this connector takes as they are (an already-migrated file, say).
  for (const [k, v] of Object.entries(endpoint)) {
    if (k === 'entity') continue;
    out[k] = v;
    entries.push({ path: pathText(['endpoint', k]), status: 'mapped', note: 'kept as it is' });
  }
  if (connection && out.connection === undefined) {
    out.connection = connection;
    for (const k of SERVER_KEYS)
      if (base[k] !== undefined && base[k] !== null)
        moved(['endpoint', 'entity', 'undefined', k], ['endpoint', 'connection', k === 'baseUrl' ? 'url' : k]);
  } else if (out.connection === undefined) {
    entries.push({
      path: 'endpoint.connection',
      status: 'todo',
      note: 'the older file names no server for the default tenant (entity.undefined.baseUrl): set endpoint.connection.url',
    });
  }
  if (out.database === undefined) {
    out.database = typeof base.database === 'string' && base.database ? base.database : OLDER_DATABASE;
    if (base.database !== undefined) moved(['endpoint', 'entity', 'undefined', 'database'], ['endpoint', 'database']);
  }
  const outEntity: Json = {};
  for (const [name, raw] of Object.entries(entity)) {
    if (name === 'undefined' || !isJson(raw)) continue;
    const at: Segments = ['endpoint', 'entity', name];
    // The database the tenant's data is in: its own, or the older default.
    const tenant: Json = { database: typeof raw.database === 'string' && raw.database ? raw.database : OLDER_DATABASE };
    if (raw.database !== undefined)
      entries.push({ path: pathText([...at, 'database']), status: 'mapped', note: 'kept as it is' });
    else
      entries.push({
        path: pathText([...at, 'database']),
        status: 'mapped',
        note: `set to "${OLDER_DATABASE}", the older default, where the tenant's data is (this connector's default would be <database>_${name})`,
      });
    const own = connectionOf(raw);
    // The same server and user as the default tenant's (passwords compare only encrypted, each differently).
    const same =
      own !== undefined && connection !== undefined && own.url === connection.url && own.username === connection.username;
    if (own && !same) {
      tenant.connection = own;
      for (const k of SERVER_KEYS)
        if (raw[k] !== undefined && raw[k] !== null) moved([...at, k], [...at, 'connection', k === 'baseUrl' ? 'url' : k]);
    } else if (own) {
      for (const k of SERVER_KEYS)
        if (raw[k] !== undefined && raw[k] !== null)
          entries.push({
            path: pathText([...at, k]),
            status: 'dropped',
            note: "the default tenant's server: endpoint.connection",
          });
    }
    for (const k of Object.keys(raw))
      if (k !== 'database' && !(SERVER_KEYS as readonly string[]).includes(k))
        entries.push({
          path: pathText([...at, k]),
          status: 'unmapped',
          note: 'the MongoDB connector has no such tenant setting',
        });
    outEntity[name] = tenant;
  }
  for (const k of Object.keys(base))
    if (k !== 'database' && !(SERVER_KEYS as readonly string[]).includes(k))
      entries.push({
        path: pathText(['endpoint', 'entity', 'undefined', k]),
        status: 'unmapped',
        note: 'the MongoDB connector has no such setting',
      });
  if (Object.keys(outEntity).length > 0) out.entity = outEntity;
  entries.push({
    path: 'endpoint',
    status: 'todo',
    note: 'before the first start: drop the older unique index id_1 and check the data, as the MongoDB connector\'s page says ("Migrating from the older product\'s MongoDB plugin")',
  });
  return { value: out, entries, copies: [] };
}
