/** Loading a configuration file: parse, encrypt secrets in place, resolve references, decrypt, validate. */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { configSection, formatConfigPath, JsonSyntaxError, parseJsonText } from '@scimgw/config';
import { ConfigError, ConfigErrors } from './errors.js';
import { replaceStringValues } from './encrypt-text.js';
import { validateWithEnvText } from './env-text.js';
import { resolveReferences } from './references.js';
import { configFileSchema } from './schema.js';
import { configSeed, decryptSecret, encryptSecret, isEncrypted, isLeftAsIs, isSecretKey, usesBuiltInSeed } from './secrets.js';
import type { LoadedConfig } from './types.js';

export { parseSize } from './size.js';

/** The file's validator: every problem with its path, unknown keys with a did-you-mean. */
const fileSection = configSection(configFileSchema);

/** `a.b[0].c` from a parent path and a key. */
const joinPath = (base: string, key: string | number) => formatConfigPath([key], base);

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Encrypt clear-text secrets in the file (default true). */
  encryptInPlace?: boolean;
}

function encryptTree(node: unknown, seed: string): boolean {
  let changed = false;
  if (Array.isArray(node)) {
    for (const v of node) if (encryptTree(v, seed)) changed = true;
  } else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' && isSecretKey(k) && !isLeftAsIs(v)) {
        o[k] = encryptSecret(v, seed);
        changed = true;
      } else if (encryptTree(v, seed)) changed = true;
    }
  }
  return changed;
}

/** True when any value in the tree is an encrypted secret. */
function hasEncrypted(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasEncrypted);
  if (node !== null && typeof node === 'object') return Object.values(node).some(hasEncrypted);
  return isEncrypted(node);
}

function decryptTree(node: unknown, seed: string, file: string, path = ''): unknown {
  if (Array.isArray(node)) return node.map((v, i) => decryptTree(v, seed, file, joinPath(path, i)));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = decryptTree(v, seed, file, joinPath(path, k));
    return out;
  }
  if (isEncrypted(node)) {
    try {
      return decryptSecret(node, seed);
    } catch {
      throw new ConfigError(path, 'cannot decrypt this value: was the file encrypted with a different SEED?', file);
    }
  }
  return node;
}

/** Maps a config file name to its connector package (`plugin-loki` and `connector-loki` → `@scimgw/connector-loki`). */
export function connectorFromName(name: string): string | undefined {
  const m = /^(?:plugin|connector)-([a-z0-9-]+?)(?:[._-]\d+)?$/i.exec(name);
  return m ? `@scimgw/connector-${(m[1] as string).toLowerCase()}` : undefined;
}

/**
 * Loads and validates a configuration file.
 *
 * @throws ConfigErrors listing every problem with its JSON path.
 */
export function loadConfig(file: string, options: LoadOptions = {}): LoadedConfig {
  const abs = resolve(file);
  const name = basename(abs).replace(/\.json$/i, '');
  const configDir = dirname(abs);
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigErrors([
      new ConfigError('', `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, abs),
    ]);
  }
  let raw: unknown;
  try {
    raw = parseJsonText(text, abs);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw new ConfigErrors([new ConfigError('', `not valid JSON: ${e.problem}\n${e.excerpt}`, `${abs}:${e.line}:${e.column}`)]);
    }
    throw e;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigErrors([new ConfigError('', 'the file must hold a JSON object', abs)]);
  }
  let seed: string;
  try {
    seed = configSeed(env);
  } catch (e) {
    throw new ConfigErrors([new ConfigError('', (e as Error).message, abs)]);
  }
  if (options.encryptInPlace !== false && encryptTree(raw, seed)) {
    // The same values encrypted in the file's own text: the user's formatting stays.
    const rewritten = replaceStringValues(text, (key, value) =>
      isSecretKey(key) && !isLeftAsIs(value) ? encryptSecret(value, seed) : undefined,
    );
    try {
      if (rewritten !== undefined) writeFileSync(abs, rewritten);
    } catch (e) {
      warnings.push(
        `${abs}: clear-text secrets could not be encrypted in place (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); they stay as they are`,
      );
    }
  }
  if (usesBuiltInSeed(env) && hasEncrypted(raw)) {
    warnings.push(
      `${abs}: SEED is not set, so the secrets in this file are encrypted with scimgw's built-in key, which anyone with a copy of scimgw can use to decrypt them. For production, put the secrets back in clear text and start once with SEED set to your own random string.`,
    );
  }
  let resolved: unknown;
  const envText = new Map<string, string>();
  try {
    resolved = decryptTree(resolveReferences(raw, { name, env, file: abs, envText }), seed, abs);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigErrors([e]);
    throw e;
  }
  const checked = validateWithEnvText(resolved, envText, '', (v) => fileSection.validate(v));
  if (!checked.ok) {
    throw new ConfigErrors(checked.issues.map((i) => new ConfigError(formatConfigPath(i.path), i.message, abs)));
  }
  const cfg = checked.value;
  const errors: ConfigError[] = [];
  const connector = cfg.connector ?? connectorFromName(name);
  // A gateway that forwards every SCIM request to the next one needs no connector of its own, and
  // neither does one that only publishes to the SCIM Stream.
  const chains = typeof cfg.scimgateway.chainingBaseUrl === 'string' && cfg.scimgateway.chainingBaseUrl !== '';
  const stream = cfg.scimgateway.stream;
  const publishes = stream?.publisher?.enabled === true;
  if (!connector && !chains && !publishes)
    errors.push(
      new ConfigError('connector', `not set, and the file name "${name}" does not name one (use connector-<name>.json)`),
    );
  if (chains && (publishes || stream?.subscriber?.enabled === true))
    errors.push(
      new ConfigError(
        'scimgateway.stream',
        'a gateway with chainingBaseUrl forwards SCIM requests and applies nothing itself: publish and subscribe on the gateway that has the connector',
      ),
    );
  if (errors.length) throw new ConfigErrors(errors.map((e) => new ConfigError(e.path, e.problem, abs)));
  const endpoint = cfg.endpoint;
  // Tenants are the connector's (`endpoint.entity`); a publish-only gateway's are the publisher's.
  const entity = !connector && publishes ? stream?.publisher?.entity : endpoint.entity;
  const tenants = entity && typeof entity === 'object' ? Object.keys(entity).filter((k) => k !== 'undefined') : [];
  const baseDir = basename(configDir) === 'config' ? dirname(configDir) : configDir;
  return {
    file: abs,
    name,
    configDir,
    baseDir,
    certsDir: join(configDir, 'certs'),
    connector: connector ?? null,
    gateway: cfg.scimgateway,
    endpoint,
    tenants,
    warnings,
    ...(envText.size ? { envText } : {}),
  };
}
