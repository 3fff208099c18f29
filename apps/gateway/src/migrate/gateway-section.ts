/**
 * The `scimgateway` section of an older configuration, checked against scimgw's own schema of
 * that section (which keeps the older shape): what validates is carried over, every key it does
 * not know is reported with what to do instead.
 */
import { gatewayConfigSchema } from '@scimgw/server';
import type { ReportEntry } from './report.js';
import { deleteAt, getAt, isJson, type Json, leaves, outermost, pathText, pruneEmpty, type Segments } from './tree.js';

/** What to do about older keys scimgw has no equivalent for, by path pattern. */
const ADVICE: [RegExp, string][] = [
  [
    /^scimgateway\.stream\b/,
    'SCIM Stream is configured differently in scimgw (NATS JetStream publisher/subscriber): set scimgateway.stream anew, see the SCIM Stream guide',
  ],
  [/^scimgateway\.email\b/, 'write the email section anew (auth.type smtp or oauth), see the logging guide'],
  [
    /^scimgateway\.emailOnError\b/,
    'the older top-level emailOnError: write scimgateway.email { auth: { type: smtp | oauth, options }, emailOnError: { enabled, from, to } } anew, see the logging guide',
  ],
  [/^scimgateway\.certificate\.pfx\b/, 'use scimgateway.pfx { bundle, password }'],
  [/^scimgateway\.log\.loglevel\b/, 'levels are off, debug, info, warn, error'],
  [
    /^scimgateway\.auth\.bearerJwt\b/,
    'see the authentication guide for bearerJwt (secret, publicKey, wellKnownUri, azureTenantId, options)',
  ],
];

function advice(path: string): string {
  for (const [re, text] of ADVICE) if (re.test(path)) return text;
  return 'scimgw has no such setting: leave it out (see the configuration reference)';
}

/** A value read when the gateway starts (`process.env.X`, `process.text.F`, `process.file.F`). */
const isReference = (v: unknown): boolean => typeof v === 'string' && /^process\.(env|text|file)\./.test(v);

/**
 * A Basic user whose password is `null` was disabled in the older product; scimgw has no user
 * without a password (check-config refuses one): the entry is left out, and said so.
 */
function dropDisabledUsers(
  root: { scimgateway: Json },
  removed: readonly Segments[],
  todo: ReadonlySet<string>,
  entries: ReportEntry[],
): void {
  const auth = root.scimgateway.auth;
  if (!isJson(auth) || !Array.isArray(auth.basic)) return;
  // Only a password the older file set to null (or empty): one that did not decrypt is a TO DO.
  const nulled = new Set(removed.map((p) => pathText(p)));
  const kept = (auth.basic as unknown[]).filter((e, i) => {
    if (!isJson(e) || e.username === undefined || e.password !== undefined) return true;
    const password = `scimgateway.auth.basic[${i}].password`;
    if (!nulled.has(password) || todo.has(password)) return true;
    entries.push({
      path: `scimgateway.auth.basic[${i}]`,
      status: 'unset',
      note: `user "${String(e.username)}" has no password (disabled in the older product): left out`,
    });
    return false;
  });
  if (kept.length) auth.basic = kept;
  else delete auth.basic;
}

/**
 * `auth.bearerJwtAzure[{ tenantIdGUID, … }]` of older versions is scimgw's (and newer
 * scimgateway's) `auth.bearerJwt[{ azureTenantId, … }]`: moved, with the entry's other keys.
 */
function moveBearerJwtAzure(root: { scimgateway: Json }, entries: ReportEntry[]): void {
  const auth = root.scimgateway.auth;
  if (!isJson(auth) || !Array.isArray(auth.bearerJwtAzure)) return;
  const jwt = Array.isArray(auth.bearerJwt) ? auth.bearerJwt : [];
  for (const [i, old] of (auth.bearerJwtAzure as unknown[]).entries()) {
    if (!isJson(old)) continue;
    const { tenantIdGUID, ...rest } = old;
    const to = jwt.length;
    jwt.push({ ...rest, ...(tenantIdGUID === undefined ? {} : { azureTenantId: tenantIdGUID }) });
    entries.push({
      path: `scimgateway.auth.bearerJwtAzure[${i}]`,
      status: 'moved',
      note: `→ scimgateway.auth.bearerJwt[${to}] (tenantIdGUID → azureTenantId: Entra ID provisioning tokens of that tenant)`,
    });
  }
  auth.bearerJwt = jwt;
  delete auth.bearerJwtAzure;
}

/**
 * Migrates `section` (the older `scimgateway` object, secrets already re-encrypted) and reports
 * every key. Unknown keys and values scimgw refuses are left out, each with advice; a reference
 * (`process.env.X`) is kept as it is, to be read and checked when the gateway starts, as scimgw
 * reads references anywhere.
 */
export function migrateGatewaySection(
  section: unknown,
  /** Paths already reported TO DO (a secret that did not decrypt, left out as `null`). */
  todo: ReadonlySet<string> = new Set(),
): { value: Json; entries: ReportEntry[] } {
  const entries: ReportEntry[] = [];
  const removed: Segments[] = [];
  const value = pruneEmpty(section, ['scimgateway'], removed) as Json;
  for (const p of outermost(removed))
    entries.push({ path: pathText(p), status: 'unset', note: 'not set in the older file (null or empty): left out' });
  const root = { scimgateway: value };
  dropDisabledUsers(root, removed, todo, entries);
  moveBearerJwtAzure(root, entries);
  const references = new Set(
    leaves(root.scimgateway, ['scimgateway'])
      .filter((l) => isReference(l.value))
      .map((l) => pathText(l.path)),
  );
  const reported = new Set<string>();
  // Each round removes what the schema refuses; the schema reports unknown keys one object at a time.
  for (let round = 0; round < 50; round++) {
    const checked = gatewayConfigSchema.safeParse(root.scimgateway);
    if (checked.success) break;
    let changed = false;
    for (const issue of checked.error.issues) {
      const at: Segments = ['scimgateway', ...(issue.path as Segments)];
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          const p = [...at, k];
          entries.push({ path: pathText(p), status: 'unmapped', note: advice(pathText(p)) });
          deleteAt(root, p);
          changed = true;
        }
        continue;
      }
      // A reference is resolved and checked when the gateway starts, not here.
      if (references.has(pathText(at))) continue;
      // The value at fault, or the nearest object holding it (a required key that is missing).
      let p = at;
      while (p.length > 1 && getAt(root, p) === undefined) p = p.slice(0, -1);
      if (p.length <= 1) {
        // A required key the older file does not set: to do, and the rest is still checked.
        if (!reported.has(pathText(at))) entries.push({ path: pathText(at), status: 'todo', note: issue.message });
        reported.add(pathText(at));
        continue;
      }
      entries.push({ path: pathText(p), status: 'dropped', note: `${issue.message} in scimgw; ${advice(pathText(p))}` });
      deleteAt(root, p);
      changed = true;
      break;
    }
    if (!changed) break;
  }
  for (const leaf of leaves(root.scimgateway, ['scimgateway'])) {
    const p = pathText(leaf.path);
    if (entries.some((e) => e.path === p)) continue;
    entries.push(
      references.has(p)
        ? { path: p, status: 'mapped', note: 'a reference: kept, read and checked when the gateway starts' }
        : { path: p, status: 'mapped', note: 'kept as it is' },
    );
  }
  return { value: root.scimgateway, entries };
}
