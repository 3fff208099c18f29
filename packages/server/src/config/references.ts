/**
 * `process.env.NAME`, `process.file.PATH` and `process.text.PATH` references
 * anywhere in a configuration, resolved at load time.
 */
import { readFileSync } from 'node:fs';
import { formatConfigPath } from '@scimgw/config';
import { ConfigError } from './errors.js';

const joinPath = (base: string, key: string | number) => formatConfigPath([key], base);

/** Converts env text to the JSON primitive it spells (`"8880"` → 8880, `"true"` → true). */
function primitive(text: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  return text;
}

/** Context for resolving references. */
export interface ReferenceContext {
  /** Name of the config (file name without `.json`), the key prefix in `process.file` JSON files. */
  name: string;
  env: NodeJS.ProcessEnv;
  file: string;
  /**
   * Filled with the environment values read as a number, a boolean or null, by config path, with
   * their text: where the schema wants text (a password of digits), the text is what is meant.
   */
  envText?: Map<string, string>;
}

/** Returns a copy of `node` with every reference replaced by its value. */
export function resolveReferences(node: unknown, ctx: ReferenceContext, path = ''): unknown {
  if (Array.isArray(node)) return node.map((v, i) => resolveReferences(v, ctx, joinPath(path, i)));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = resolveReferences(v, ctx, joinPath(path, k));
    return out;
  }
  if (typeof node !== 'string' || !node.startsWith('process.')) return node;
  if (node.startsWith('process.env.')) {
    const name = node.slice('process.env.'.length);
    const v = ctx.env[name];
    if (v === undefined) throw new ConfigError(path, `environment variable ${name} is not set`, ctx.file);
    const value = primitive(v);
    if (typeof value !== 'string') ctx.envText?.set(path, v);
    return value;
  }
  if (node.startsWith('process.text.')) {
    const file = node.slice('process.text.'.length);
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new ConfigError(path, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ctx.file);
    }
  }
  if (node.startsWith('process.file.')) {
    const file = node.slice('process.file.'.length);
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(
        path,
        `cannot read JSON ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        ctx.file,
      );
    }
    for (const key of [`${ctx.name}.${path}`, path]) if (key in data) return data[key];
    throw new ConfigError(path, `${file} has no key "${ctx.name}.${path}"`, ctx.file);
  }
  return node;
}
