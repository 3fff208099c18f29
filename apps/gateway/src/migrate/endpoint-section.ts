/**
 * The `endpoint` section of an older configuration, for the scimgw connector that takes over
 * from its plugin: the embedded store for plugin-loki, the LDAP connector for plugin-ldap, the
 * same-named connector where scimgw has one, and otherwise the older plugin file itself, run by
 * @scimgw/connector-legacy-plugin.
 */
import { migrateMongodb } from './mongodb-endpoint.js';
import type { ReportEntry } from './report.js';
import { isJson, type Json, leaves, outermost, pathText, pruneEmpty, type Segments } from './tree.js';

/** Older plugins whose job a scimgw connector of another name does. */
const RENAMED: Record<string, string> = {
  scim: '@scimgw/connector-generic',
  generic: '@scimgw/connector-generic',
};
/** Older plugins scimgw has a connector of the same name for. */
const SAME_NAME = new Set(['loki', 'ldap', 'mongodb', 'entra-id', 'soap', 'api']);

/** The connector package for an older plugin name (`plugin-ldap` → `@scimgw/connector-ldap`); `undefined`: run the plugin itself. */
export function connectorFor(pluginName: string, forceLegacy: boolean): string | undefined {
  const short = pluginName.replace(/^plugin-/, '');
  if (forceLegacy) return undefined;
  if (Object.hasOwn(RENAMED, short)) return RENAMED[short];
  return SAME_NAME.has(short) ? `@scimgw/connector-${short}` : undefined;
}

/** The result of migrating one endpoint section. */
export interface EndpointResult {
  value: Json;
  entries: ReportEntry[];
  /** Files to copy from the older install (relative there) to the new one (relative here). */
  copies: { from: string; to: string }[];
}

const mapped = (from: Segments, to: Segments, note?: string): ReportEntry =>
  pathText(from) === pathText(to)
    ? { path: pathText(from), status: 'mapped', ...(note ? { note } : {}) }
    : { path: pathText(from), status: 'moved', note: `→ ${pathText(to)}${note ? ` (${note})` : ''}` };

/** plugin-loki: `entity.<baseEntity>.{dbname, persistence}` → the embedded store, its data imported. */
function migrateLoki(endpoint: Json): EndpointResult {
  const entries: ReportEntry[] = [];
  const copies: EndpointResult['copies'] = [];
  const entity = isJson(endpoint.entity) ? endpoint.entity : { undefined: {} };
  const tenants = Object.entries(entity).map(([name, t]) => [name, isJson(t) ? t : {}] as const);
  const persistent = tenants.some(([, t]) => t.persistence !== false);
  const out: Json = { persistence: persistent, exampleData: !persistent, idStrategy: 'legacy' };
  const outEntity: Json = {};
  for (const [name, t] of tenants) {
    const base: Segments = ['endpoint', 'entity', name];
    const tenant: Json = {};
    if (t.persistence === false && persistent) {
      // scimgw's store persists all its tenants or none: this one now keeps what it gets.
      entries.push({
        path: pathText([...base, 'persistence']),
        status: 'todo',
        note: 'this tenant kept nothing on disk (and had example users); scimgw persists all tenants of a store or none: it is now persistent and starts empty. Move it to a configuration of its own with persistence false if it must stay in memory',
      });
    } else if (t.persistence !== undefined) entries.push(mapped([...base, 'persistence'], ['endpoint', 'persistence']));
    if (t.persistence !== false) {
      const dbname = typeof t.dbname === 'string' && t.dbname !== '' ? t.dbname : 'loki.db';
      const to = `data/import/${name}-${dbname.replace(/[^A-Za-z0-9._-]/g, '_')}`;
      copies.push({ from: `config/${dbname}`, to });
      tenant.importLokiFile = to;
      entries.push({
        path: pathText([...base, 'dbname']),
        status: 'moved',
        note: `the database file is copied to ${to} and imported into the embedded store on first start (→ ${pathText([...base, 'importLokiFile'])})`,
      });
    } else if (t.dbname !== undefined) {
      entries.push({
        path: pathText([...base, 'dbname']),
        status: 'dropped',
        note: 'the older store kept nothing on disk (persistence false)',
      });
    }
    for (const k of Object.keys(t)) {
      if (k !== 'persistence' && k !== 'dbname')
        entries.push({ path: pathText([...base, k]), status: 'unmapped', note: 'the embedded store has no such setting' });
    }
    outEntity[name] = tenant;
  }
  const named = Object.keys(outEntity).filter((n) => n !== 'undefined');
  if (named.length > 0 || Object.values(outEntity).some((t) => Object.keys(t as Json).length > 0)) out.entity = outEntity;
  entries.push({
    path: 'endpoint',
    status: 'mapped',
    note: 'idStrategy "legacy": new users get id = userName and new groups id = displayName, as plugin-loki gave them, so IdPs that stored ids keep working',
  });
  for (const k of Object.keys(endpoint)) {
    if (k !== 'entity')
      entries.push({ path: pathText(['endpoint', k]), status: 'unmapped', note: 'the embedded store has no such setting' });
  }
  return { value: out, entries, copies };
}

/**
 * GUID attributes mapped to SCIM attributes: the older plugin sent their bytes as base64, the LDAP
 * connector sends the dashed GUID form, so an IdP matching on that value needs the new form.
 */
function guidWarnings(map: Json): ReportEntry[] {
  const out: ReportEntry[] = [];
  for (const [kind, section] of Object.entries(map)) {
    if (!isJson(section)) continue;
    for (const [attr, entry] of Object.entries(section)) {
      if (!['objectguid', 'ms-ds-consistencyguid'].includes(attr.toLowerCase()) || !isJson(entry)) continue;
      out.push({
        path: pathText(['endpoint', 'map', kind, attr]),
        status: 'todo',
        note: `${String(entry.mapTo)} now carries the dashed GUID (xxxxxxxx-xxxx-…), where the older plugin sent base64: an IdP matching on it (Entra ID immutableId) needs the new form`,
      });
    }
  }
  return out;
}

/** plugin-ldap: `entity.<be>.{baseUrls, username, password, tls, ldap}` → `entity.<be>.ldap`; `map` stays. */
function migrateLdap(endpoint: Json): EndpointResult {
  const entries: ReportEntry[] = [];
  const out: Json = {};
  const entity = isJson(endpoint.entity) ? endpoint.entity : {};
  const outEntity: Json = {};
  for (const [name, raw] of Object.entries(entity)) {
    if (!isJson(raw)) continue;
    const base: Segments = ['endpoint', 'entity', name];
    const removed: Segments[] = [];
    const t = pruneEmpty(raw, base, removed) as Json;
    for (const p of outermost(removed))
      entries.push({ path: pathText(p), status: 'unset', note: 'not set in the older file (null or empty): left out' });
    const ldap: Json = isJson(t.ldap) ? { ...t.ldap } : {};
    for (const k of Object.keys(ldap)) entries.push(mapped([...base, 'ldap', k], [...base, 'ldap', k]));
    for (const k of ['baseUrls', 'username', 'password', 'tls'] as const) {
      if (t[k] === undefined) continue;
      ldap[k] = t[k];
      entries.push(mapped([...base, k], [...base, 'ldap', k]));
    }
    for (const k of Object.keys(t)) {
      if (!['ldap', 'baseUrls', 'username', 'password', 'tls', 'map'].includes(k))
        entries.push({ path: pathText([...base, k]), status: 'unmapped', note: 'the LDAP connector has no such tenant setting' });
    }
    const tenant: Json = { ldap };
    if (isJson(t.map)) {
      tenant.map = t.map;
      entries.push(mapped([...base, 'map'], [...base, 'map']));
    }
    outEntity[name] = tenant;
  }
  out.entity = outEntity;
  if (isJson(endpoint.map)) {
    out.map = endpoint.map;
    for (const leaf of leaves(endpoint.map, ['endpoint', 'map'])) entries.push(mapped(leaf.path, leaf.path));
    entries.push(...guidWarnings(endpoint.map));
  }
  for (const k of Object.keys(endpoint)) {
    if (k !== 'entity' && k !== 'map')
      entries.push({ path: pathText(['endpoint', k]), status: 'unmapped', note: 'the LDAP connector has no such setting' });
  }
  return { value: out, entries, copies: [] };
}

/** A connector that kept the older plugin's shape: the section as it is (its configSchema checks it afterwards). */
function asIs(endpoint: Json, note: string): EndpointResult {
  const entries = leaves(endpoint, ['endpoint']).map((l) => ({ path: pathText(l.path), status: 'mapped' as const, note }));
  return { value: endpoint, entries, copies: [] };
}

/** Options of {@link migrateEndpoint}. */
export interface EndpointOptions {
  pluginName: string;
  /** The connector chosen by {@link connectorFor}; `undefined` runs the plugin file. */
  connector: string | undefined;
  /** The plugin file in the older install (relative to it), when there is one. */
  pluginFile: string | undefined;
  /** The older `scimgateway.scim.skipTypeConvert`. */
  skipTypeConvert: boolean;
}

/** Migrates `endpoint` for the connector that takes over (see {@link connectorFor}). */
export function migrateEndpoint(endpoint: Json, options: EndpointOptions): EndpointResult {
  if (options.connector === '@scimgw/connector-loki') return migrateLoki(endpoint);
  if (options.connector === '@scimgw/connector-ldap') return migrateLdap(endpoint);
  if (options.connector === '@scimgw/connector-mongodb') return migrateMongodb(endpoint);
  if (options.connector) return asIs(endpoint, `kept as it is for ${options.connector}`);
  const copies: EndpointResult['copies'] = [];
  const entries: ReportEntry[] = [];
  const legacyPlugin: Json = { file: options.pluginFile ?? `lib/${options.pluginName}.ts` };
  if (options.skipTypeConvert) legacyPlugin.skipTypeConvert = true;
  if (options.pluginFile) {
    copies.push({ from: options.pluginFile, to: options.pluginFile });
    entries.push({
      path: options.pluginFile,
      status: 'copied',
      note: 'run unmodified by @scimgw/connector-legacy-plugin; copy any local files it imports too, and npm install the packages it uses',
    });
  } else {
    entries.push({
      path: `lib/${options.pluginName}.(ts|js)`,
      status: 'todo',
      note: 'the plugin file was not found in the older install: put it there, or set endpoint.legacyPlugin.file',
    });
  }
  const result = asIs(endpoint, 'kept as it is: the plugin reads it with getConfig()');
  return { value: { legacyPlugin, ...result.value }, entries: [...entries, ...result.entries], copies };
}
