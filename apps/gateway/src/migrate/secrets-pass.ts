/**
 * Every secret of an older configuration file re-encrypted with scimgw's scheme: values the older
 * product encrypted are decrypted with its key, clear-text secrets are encrypted too, so the files
 * written never hold a secret in clear text. Values are never reported, only their paths.
 */
import { basename } from 'node:path';
import { encryptSecret, isEncrypted, isSecretKey } from '@scimgw/server';
import { decryptLegacy, legacyKey, type LegacySeedSource, looksLegacyEncrypted } from './legacy-secrets.js';
import type { ReportEntry } from './report.js';
import { isJson, pathText, type Segments } from './tree.js';

/** Our encrypted values (not a type guard here: the value stays a string either way). */
const ours: (v: string) => boolean = isEncrypted;

/** Keys the older product encrypted (compared lower-case, the last key of the path). */
const OLDER_SECRET_KEYS = new Set(['password', 'secret', 'clientsecret', 'token', 'apikey']);

/** Seeds of {@link reencryptSecrets}. */
export interface SecretSeeds {
  legacy: string | undefined;
  legacySource: LegacySeedSource;
  /** scimgw's seed (`SEED`, or its built-in one). */
  current: string;
  /** The short name of the configuration in scimgw (`connector-loki`), for process.file advice. */
  newName: string;
}

/** Re-encrypts every secret in `tree` in place and reports each one by path. */
export function reencryptSecrets(tree: unknown, file: string, seeds: SecretSeeds): ReportEntry[] {
  const entries: ReportEntry[] = [];
  const key = seeds.legacy === undefined ? undefined : legacyKey(basename(file), seeds.legacy);
  const oldName = basename(file).replace(/\.json$/i, '');
  const visit = (node: unknown, path: Segments) => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        if (typeof v === 'string') node[i] = leaf(v, [...path, i], String(path[path.length - 1] ?? ''));
        else visit(v, [...path, i]);
      });
    } else if (isJson(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'string') node[k] = leaf(v, [...path, k], k);
        else visit(v, [...path, k]);
      }
    }
  };
  const leaf = (value: string, path: Segments, keyName: string): unknown => {
    const p = pathText(path);
    if (looksLegacyEncrypted(value)) {
      const clear = key ? decryptLegacy(value, key) : undefined;
      if (clear !== undefined) {
        entries.push({
          path: p,
          status: 'secret',
          note: `decrypted (older seed from ${seeds.legacySource}) and encrypted with scimgw's scheme`,
        });
        return encryptSecret(clear, seeds.current);
      }
      entries.push({
        path: p,
        status: 'todo',
        note:
          seeds.legacySource === 'none'
            ? 'encrypted by the older product, and no seed is known: set SCIMGATEWAY_SEED to the SEED the older install ran with (or migrate on its machine), or write the clear text here'
            : `encrypted by the older product with another seed than the one from ${seeds.legacySource}: set SCIMGATEWAY_SEED to the SEED the older install ran with, or write the clear text here (left out)`,
      });
      return null;
    }
    if (value.startsWith('process.file.')) {
      entries.push({
        path: p,
        status: 'todo',
        note: `keys in that JSON file start with the configuration name: rename "${oldName}.…" keys to "${seeds.newName}.…"`,
      });
      return value;
    }
    if (
      value !== '' &&
      !value.startsWith('process.') &&
      !ours(value) &&
      (isSecretKey(keyName) || OLDER_SECRET_KEYS.has(keyName.toLowerCase()))
    ) {
      entries.push({ path: p, status: 'secret', note: "clear text in the older file: encrypted with scimgw's scheme" });
      return encryptSecret(value, seeds.current);
    }
    return value;
  };
  visit(tree, []);
  return entries;
}
