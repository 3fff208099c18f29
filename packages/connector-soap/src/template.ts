/**
 * Request templates: the JSON of an operation's input message, in which whole-string
 * placeholders (`"$id"`, `"$record"`, `"$record.userName"`, `"$member"` …) are replaced by values.
 *
 * Substitution is structural: a placeholder is a whole string value, never part of one, and a
 * substituted value is never read as a template again. Client data therefore can't turn into
 * template syntax, whatever it contains. `"$$text"` is the literal string `"$text"`.
 */

/** What a placeholder can stand for. */
export type PlaceholderName =
  | 'id'
  | 'record'
  | 'set'
  | 'clear'
  | 'member'
  | 'attribute'
  | 'value'
  | 'startIndex'
  | 'offset'
  | 'count'
  | 'tenant';

/** The SCIM operations a template can belong to (and the placeholders each allows). */
export type TemplateKind = 'list' | 'search' | 'get' | 'create' | 'modify' | 'replace' | 'delete' | 'addMember' | 'removeMember';

const PAGING: PlaceholderName[] = ['startIndex', 'offset', 'count'];

/** Placeholders each operation may use. */
export const ALLOWED_PLACEHOLDERS: Readonly<Record<TemplateKind, readonly PlaceholderName[]>> = {
  list: [...PAGING, 'tenant'],
  search: ['attribute', 'value', ...PAGING, 'tenant'],
  get: ['id', 'tenant'],
  create: ['record', 'tenant'],
  modify: ['id', 'record', 'set', 'clear', 'tenant'],
  replace: ['id', 'record', 'tenant'],
  delete: ['id', 'tenant'],
  addMember: ['id', 'member', 'tenant'],
  removeMember: ['id', 'member', 'tenant'],
};

/** A placeholder found in a template: `$record.name.givenName` is `{ name: 'record', path: 'name.givenName' }`. */
interface PlaceholderRef {
  name: PlaceholderName;
  /** Endpoint key below `$record` (only for `record`). */
  path?: string;
}

/** Values to fill a template with. `undefined` leaves the element out of the message. */
export interface TemplateValues {
  id?: string;
  record?: Record<string, unknown>;
  set?: Record<string, unknown>;
  clear?: string[];
  member?: string;
  attribute?: string;
  value?: unknown;
  startIndex?: number;
  offset?: number;
  count?: number;
  tenant?: string;
  /** Reads one endpoint key of a record (`$record.<key>`), nested keys included. */
  readKey?: (record: Record<string, unknown>, key: string) => unknown;
}

/** A problem in a template, with the path inside it. */
export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

const NAMES: ReadonlySet<string> = new Set<PlaceholderName>([
  'id',
  'record',
  'set',
  'clear',
  'member',
  'attribute',
  'value',
  'startIndex',
  'offset',
  'count',
  'tenant',
]);

function parsePlaceholder(text: string, where: string, allowed: readonly PlaceholderName[]): PlaceholderRef {
  const body = text.slice(1);
  const dot = body.indexOf('.');
  const name = dot < 0 ? body : body.slice(0, dot);
  const path = dot < 0 ? undefined : body.slice(dot + 1);
  if (!NAMES.has(name)) {
    throw new TemplateError(
      where,
      `unknown placeholder "${text}" (known: ${[...NAMES].map((n) => `$${n}`).join(', ')}; "$$…" is a literal "$…")`,
    );
  }
  if (!allowed.includes(name as PlaceholderName)) {
    throw new TemplateError(where, `"${text}" can't be used here (allowed: ${allowed.map((n) => `$${n}`).join(', ') || 'none'})`);
  }
  if (path !== undefined && (name !== 'record' || path === '')) {
    throw new TemplateError(where, `"${text}": only $record takes a key ($record.<endpoint attribute>)`);
  }
  return path === undefined ? { name: name as PlaceholderName } : { name: name as PlaceholderName, path };
}

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'placeholder'; ref: PlaceholderRef }
  | { kind: 'array'; items: Node[] }
  | { kind: 'object'; entries: [string, Node][] };

/** A template checked once at startup and filled per call. */
export interface CompiledTemplate {
  /** Placeholders the template uses (`record` also for `$record.<key>`). */
  readonly uses: ReadonlySet<PlaceholderName>;
  /** The message for these values: a fresh object every call. */
  fill(values: TemplateValues): Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a template and compiles it.
 *
 * @throws TemplateError naming the path of an unknown or misplaced placeholder
 * @example
 * compileTemplate({ userID: '$id' }, 'get', 'operations.user.get.request').fill({ id: 'u1' }) // { userID: 'u1' }
 */
export function compileTemplate(
  template: Record<string, unknown> | undefined,
  kind: TemplateKind,
  where: string,
): CompiledTemplate {
  const allowed = ALLOWED_PLACEHOLDERS[kind];
  const uses = new Set<PlaceholderName>();
  const compile = (v: unknown, at: string): Node => {
    if (typeof v === 'string') {
      if (v.startsWith('$$')) return { kind: 'literal', value: v.slice(1) };
      if (v.startsWith('$')) {
        const ref = parsePlaceholder(v, at, allowed);
        uses.add(ref.name);
        return { kind: 'placeholder', ref };
      }
      return { kind: 'literal', value: v };
    }
    if (Array.isArray(v)) return { kind: 'array', items: v.map((x, i) => compile(x, `${at}[${i}]`)) };
    if (isRecord(v)) return { kind: 'object', entries: Object.entries(v).map(([k, x]) => [k, compile(x, `${at}.${k}`)]) };
    return { kind: 'literal', value: v };
  };
  const root = compile(template ?? {}, where);

  const resolve = (ref: PlaceholderRef, values: TemplateValues): unknown => {
    if (ref.name === 'record' && ref.path !== undefined) {
      return values.record && values.readKey ? values.readKey(values.record, ref.path) : undefined;
    }
    return values[ref.name];
  };
  const fillNode = (n: Node, values: TemplateValues): unknown => {
    switch (n.kind) {
      case 'literal':
        return n.value;
      case 'placeholder': {
        const v = resolve(n.ref, values);
        // Copies, so escaping the message never changes the caller's record.
        return v === undefined ? undefined : structuredClone(v);
      }
      case 'array': {
        const items = n.items.map((i) => fillNode(i, values)).filter((x) => x !== undefined);
        // A list that only held absent placeholders is left out, like they are.
        return items.length === 0 && n.items.length > 0 ? undefined : items;
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [k, child] of n.entries) {
          const v = fillNode(child, values);
          if (v !== undefined) out[k] = v;
        }
        return Object.keys(out).length === 0 && n.entries.length > 0 ? undefined : out;
      }
    }
  };
  return {
    uses,
    fill: (values) => (fillNode(root, values) as Record<string, unknown> | undefined) ?? {},
  };
}

/** True when a template asks for a page window. */
export function pages(t: CompiledTemplate): boolean {
  return t.uses.has('startIndex') || t.uses.has('offset') || t.uses.has('count');
}
