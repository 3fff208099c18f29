/** A configuration section built from a zod schema: the validator hosts run, and its JSON Schema. */
import type { ConfigIssue, ConnectorConfigSchema } from '@scimgw/core';
import { type core, z } from 'zod';
import { didYouMean, keysAt } from './suggest.js';

/** One issue as zod reports it (the parts this module reads). */
type ZodIssue = core.$ZodIssue;

/** Turns zod's issues into config issues: one per unknown key, each with a did-you-mean. */
function issuesOf(zodIssues: readonly ZodIssue[], jsonSchema: Record<string, unknown>): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(jsonSchema, path);
      for (const key of issue.keys) {
        const near = didYouMean(key, known);
        out.push({
          path: [...path, key],
          message: `unknown key${near ? ` (did you mean "${near}"?)` : ''}${known.length ? `; known keys: ${known.join(', ')}` : ''}`,
        });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The alternative that got furthest explains best what is wrong (its paths are relative to the union).
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] as readonly ZodIssue[];
      for (const sub of issuesOf(best, jsonSchema)) out.push({ path: [...path, ...sub.path], message: sub.message });
    } else {
      out.push({ path, message: messageOf(issue, isSecretPath(path)) });
    }
  }
  return out;
}

function depth(issues: readonly ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

/** zod's own messages (a schema's custom message is kept as written). */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Expected|Unrecognized|Required|Number must|String must)/;

/** Keys whose values are secrets: a message about them never repeats the value. */
const SECRET_KEY = /(password|passwd|secret|token|apikey|api-key|privatekey|private_key|passphrase|assertion|credential)$/i;

function isSecretPath(path: readonly (string | number)[]): boolean {
  const key = [...path].reverse().find((p) => typeof p === 'string');
  return typeof key === 'string' && SECRET_KEY.test(key);
}

function messageOf(issue: ZodIssue, secret = false): string {
  const regex = issue.code === 'invalid_format' && issue.format === 'regex';
  if (!regex && !ZOD_DEFAULT.test(issue.message)) return issue.message;
  const input = (issue as { input?: unknown }).input;
  const got = input === undefined || secret ? '' : `, got ${typeName(input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? `is required (${issue.expected})` : `expected ${issue.expected}${got}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        // `.positive()` and `.gt()` leave the bound out.
        const strict = issue.inclusive === false ? (issue.code === 'too_small' ? 'greater than' : 'less than') : word;
        return `must be ${strict} ${String(bound)}${got}`;
      }
      const unit = issue.origin === 'string' ? 'character' : 'item';
      return `must have ${word} ${String(bound)} ${unit}${Number(bound) === 1 ? '' : 's'}`;
    }
    case 'invalid_format':
      // A pattern says nothing to a reader: sections give `.regex()` a message of their own.
      return issue.format === 'regex' ? `${issue.message}${got}` : `must be a valid ${issue.format}${got}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}${got}`;
    default:
      return issue.message;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'function') return 'a function';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Options of {@link configSection}. */
export interface ConfigSectionOptions<Config = unknown> {
  /** Title of the published JSON Schema. */
  title?: string;
  /** Description of the published JSON Schema. */
  description?: string;
  /**
   * Whether a connector built from the validated section checks passed-through credentials for at
   * least one tenant (see `ConnectorConfigSchema.passThroughAuth`): `check-config` then refuses
   * `auth.passThrough.enabled` where it would not, before anything starts.
   */
  passThroughAuth?: (config: Config) => boolean | undefined;
}

/**
 * A configuration section from a zod schema: `validate` reports every problem with its path (an
 * unknown key with a did-you-mean), and `jsonSchema` is the schema editors check files against.
 * Connector packages export one as `configSchema` for their `endpoint` section.
 *
 * @example
 * export const configSchema = configSection(z.strictObject({ directory: z.string().default('data') }));
 */
export function configSection<S extends z.ZodType>(
  schema: S,
  options: ConfigSectionOptions<z.output<S>> = {},
): ConnectorConfigSchema<z.output<S>> & { readonly schema: S } {
  const jsonSchema = {
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
    ...(options.title ? { title: options.title } : {}),
    ...(options.description ? { description: options.description } : {}),
  } as Record<string, unknown>;
  const { passThroughAuth } = options;
  return {
    schema,
    jsonSchema,
    ...(passThroughAuth ? { passThroughAuth } : {}),
    validate(value: unknown) {
      const r = schema.safeParse(value, { reportInput: true });
      return r.success
        ? { ok: true as const, value: r.data }
        : { ok: false as const, issues: issuesOf(r.error.issues, jsonSchema) };
    },
  };
}

/** `a.b[0].c` for a config path. */
export function formatConfigPath(path: readonly (string | number)[], root = ''): string {
  let out = root;
  for (const p of path) out = typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p;
  return out;
}
