/**
 * `scimgw migrate <older install>`: reads the older scimgateway product's `config/plugin-*.json`
 * files, writes scimgw configuration files (secrets re-encrypted with scimgw's scheme), copies what
 * they need (certificates, Loki databases, custom plugin files) and prints a report of every key.
 * `--dry-run` writes nothing.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { JsonSyntaxError, parseJsonText } from '@scimgw/config';
import { configSeed } from '@scimgw/server';
import { loadConnectorModule } from '../connector-loader.js';
import { connectorFor, migrateEndpoint } from './endpoint-section.js';
import { migrateGatewaySection } from './gateway-section.js';
import { reconcilePassThrough } from './pass-through.js';
import { legacySeed } from './legacy-secrets.js';
import { type FileReport, formatReport, type ReportEntry } from './report.js';
import { reencryptSecrets } from './secrets-pass.js';
import { isJson, type Json } from './tree.js';

/** Options of {@link runMigrate}. */
export interface MigrateOptions {
  /** The older install (the folder holding its `config/`). */
  from: string;
  /** Where to write (`config/…`, `data/…`, `lib/…`). Default the working directory. */
  out: string;
  dryRun: boolean;
  /** Plugin names (`plugin-ldap` or `ldap`) to run as they are even where scimgw has a connector. */
  legacy: string[];
  /** Overwrite files that exist. */
  force: boolean;
  env: NodeJS.ProcessEnv;
  /** Where connector packages resolve from, to check the endpoint sections written. */
  cwd: string;
}

/** What {@link runMigrate} did. */
export interface MigrateResult {
  files: FileReport[];
  /** Every file written (or that a dry run would write), absolute. */
  written: string[];
  report: string;
}

const PLUGIN_FILE_EXT = ['.ts', '.mts', '.js', '.mjs', '.cjs'];

function findPluginFile(from: string, pluginName: string): string | undefined {
  for (const ext of PLUGIN_FILE_EXT) {
    const rel = `lib/${pluginName}${ext}`;
    if (existsSync(join(from, rel))) return rel;
  }
  return undefined;
}

/** Checks the endpoint section written with the connector's own `configSchema`, when that package is installed. */
async function checkEndpoint(connector: string, endpoint: Json, cwd: string): Promise<ReportEntry[]> {
  let schema:
    | { validate?: (v: unknown) => { ok: boolean; issues?: { path: (string | number)[]; message: string }[] } }
    | undefined;
  try {
    schema = (await loadConnectorModule(connector, cwd)).exports.configSchema as typeof schema;
  } catch {
    return [{ path: 'endpoint', status: 'todo', note: `npm install ${connector}, then run scimgw check-config on this file` }];
  }
  const res = schema?.validate?.(endpoint);
  if (!res || res.ok) return [];
  return (res.issues ?? []).map((i) => ({
    path: ['endpoint', ...i.path]
      .map((p) => (typeof p === 'number' ? `[${p}]` : p))
      .join('.')
      .replace(/\.\[/g, '['),
    status: 'todo' as const,
    note: `${connector} says: ${i.message}`,
  }));
}

async function migrateFile(
  file: string,
  options: MigrateOptions,
  seeds: ReturnType<typeof legacySeed>,
): Promise<{
  report: FileReport;
  config: Json;
  copies: { from: string; to: string }[];
}> {
  const pluginName = basename(file).replace(/\.json$/i, '');
  let raw: unknown;
  try {
    raw = parseJsonText(readFileSync(file, 'utf8'), file);
  } catch (e) {
    const where = e instanceof JsonSyntaxError ? `:${e.line}:${e.column}: ${e.problem}` : `: ${(e as Error).message}`;
    throw new Error(`cannot read ${file}${where}`);
  }
  if (!isJson(raw)) throw new Error(`${file}: not a JSON object`);
  const forceLegacy = options.legacy.some((n) => n === pluginName || `plugin-${n}` === pluginName);
  const connector = connectorFor(pluginName, forceLegacy);
  const short = pluginName.replace(/^plugin-/, '');
  const newName = `connector-${short}`;
  const entries: ReportEntry[] = reencryptSecrets(raw, file, {
    legacy: seeds.seed,
    legacySource: seeds.source,
    current: configSeed(options.env),
    newName,
  });
  const gateway = migrateGatewaySection(
    raw.scimgateway ?? {},
    new Set(entries.filter((e) => e.status === 'todo').map((e) => e.path)),
  );
  const skipTypeConvert =
    isJson(raw.scimgateway) && isJson(raw.scimgateway.scim) && raw.scimgateway.scim.skipTypeConvert === true;
  const pluginFile = connector ? undefined : findPluginFile(options.from, pluginName);
  const endpoint = migrateEndpoint(isJson(raw.endpoint) ? raw.endpoint : {}, {
    pluginName,
    connector,
    pluginFile,
    skipTypeConvert,
  });
  const passThrough = reconcilePassThrough(gateway.value, endpoint.value, connector);
  const reported = new Set(entries.map((e) => e.path));
  for (const e of [...gateway.entries, ...endpoint.entries].filter((g) => !passThrough.some((p) => p.path === g.path)))
    if (!reported.has(e.path) || e.status !== 'mapped') entries.push(e);
  entries.push(...passThrough);
  for (const k of Object.keys(raw)) {
    if (k !== 'scimgateway' && k !== 'endpoint')
      entries.push({ path: k, status: 'unmapped', note: 'not part of a configuration file: left out' });
  }
  const pkg = connector ?? '@scimgw/connector-legacy-plugin';
  entries.push(...(await checkEndpoint(pkg, endpoint.value, options.cwd)));
  const copies = [...endpoint.copies];
  if (existsSync(join(options.from, 'config', 'certs'))) copies.push({ from: 'config/certs', to: 'config/certs' });
  for (const c of copies) {
    if (!existsSync(join(options.from, c.from))) {
      entries.push({ path: c.from, status: 'todo', note: `not found in the older install: nothing to copy to ${c.to}` });
    } else if (!entries.some((e) => e.path === c.from)) entries.push({ path: c.from, status: 'copied', note: `→ ${c.to}` });
  }
  const target = join(resolve(options.out), 'config', `${newName}.json`);
  const config: Json = { connector: pkg, scimgateway: gateway.value, endpoint: endpoint.value };
  return { report: { source: file, target, connector: pkg, entries }, config, copies };
}

/**
 * Migrates every `config/plugin-*.json` of `options.from`. Throws an Error with a message for the
 * user when the folder holds none or a file cannot be read; nothing is written then.
 */
export async function runMigrate(options: MigrateOptions): Promise<MigrateResult> {
  const from = resolve(options.from);
  const out = resolve(options.out);
  const configDir = join(from, 'config');
  const names = existsSync(configDir)
    ? readdirSync(configDir)
        .filter((f) => /^plugin-.+\.json$/i.test(f))
        .sort()
    : [];
  if (names.length === 0)
    throw new Error(`${from} has no config/plugin-*.json: name the folder of the older scimgateway install`);
  if (from === out && !options.dryRun)
    throw new Error('write the scimgw configuration to another folder (--out DIR): the older install stays as it is');
  const seeds = legacySeed(options.env);
  const migrated = [];
  for (const n of names) migrated.push(await migrateFile(join(configDir, n), { ...options, from }, seeds));
  const written: string[] = [];
  const plan: { to: string; write: () => void }[] = [];
  for (const m of migrated) {
    plan.push({
      to: m.report.target,
      write: () => writeFileSync(m.report.target, `${JSON.stringify(m.config, null, 2)}\n`, { mode: 0o600 }),
    });
    for (const c of m.copies) {
      const src = join(from, c.from);
      const dst = join(out, c.to);
      if (!existsSync(src) || plan.some((p) => p.to === dst)) continue;
      plan.push({ to: dst, write: () => cpSync(src, dst, { recursive: true, force: options.force, errorOnExist: false }) });
    }
  }
  const clashes = plan.filter((p) => existsSync(p.to) && !p.to.endsWith(`${join('config', 'certs')}`));
  if (clashes.length > 0 && !options.force && !options.dryRun) {
    throw new Error(`these files exist already (--force overwrites them): ${clashes.map((c) => c.to).join(', ')}`);
  }
  const files = migrated.map((m) => m.report);
  let report = formatReport(files, options.dryRun);
  if (!options.env.SEED) {
    report +=
      "warning: SEED is not set, so the secrets written are encrypted with scimgw's built-in key: set SEED to your own random string and migrate again for production\n";
  }
  for (const p of plan) {
    written.push(p.to);
    if (options.dryRun) continue;
    mkdirSync(dirname(p.to), { recursive: true });
    p.write();
  }
  if (!options.dryRun) {
    const reportFile = join(out, 'migration-report.txt');
    writeFileSync(reportFile, report);
    written.push(reportFile);
  }
  return { files, written, report };
}
