/**
 * Schema registry: the configured schemas and resource types, and
 * case-insensitive, alias-aware resolution of attribute paths against them.
 */
import { InvalidPathError } from '../errors.js';
import type { AttrPath } from '../filter/ast.js';
import type { PathResolution, PathResolver } from '../filter/evaluate.js';
import { builtinSchemas, commonAttributes } from './builtin.js';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './types.js';
import { CORE_ALIAS, URN, URN_ALIASES } from './urns.js';
import { ownValue } from '../util/object.js';

/** Resource types served by default. */
export const defaultResourceTypes: readonly ResourceTypeDefinition[] = [
  {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: URN.User,
    schemaExtensions: [{ schema: URN.EnterpriseUser, required: false }],
  },
  { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: URN.Group, schemaExtensions: [] },
  { id: 'Role', name: 'Role', endpoint: '/Roles', description: 'Role', schema: URN.Role, schemaExtensions: [] },
  {
    id: 'Entitlement',
    name: 'Entitlement',
    endpoint: '/Entitlements',
    description: 'Entitlement',
    schema: URN.Entitlement,
    schemaExtensions: [],
  },
];

/** Options for {@link SchemaRegistry}. */
export interface SchemaRegistryOptions {
  /** Extra or replacing schemas (custom schemas and extensions, mapper-generated schemas). */
  schemas?: SchemaDefinition[];
  /** Resource types; default User, Group, Role, Entitlement. */
  resourceTypes?: ResourceTypeDefinition[];
  /** Extra extensions per resource type id, e.g. `{ User: ['urn:…:MyExt'] }`. */
  extensions?: Record<string, string[]>;
}

/** Resolved attribute path. */
export interface ResolvedPath extends PathResolution {
  /** URN of the schema that defines the attribute. */
  schema: string;
}

/** Holds schemas and resource types and resolves attribute paths. */
export class SchemaRegistry {
  private readonly schemaMap = new Map<string, SchemaDefinition>();
  private readonly types: ResourceTypeDefinition[];
  private readonly attrIndex = new Map<string, Map<string, { schema: string; def: AttributeDefinition }>>();
  /** Memo of resolutions (hot path: every attribute of every resource in a response). */
  private readonly memo = new Map<string, ResolvedPath | null>();
  /** Fast memo for the commonest case, a bare attribute name: resource type → name → resolution. */
  private readonly bareMemo = new WeakMap<ResourceTypeDefinition, Map<string, ResolvedPath | null>>();
  private readonly urnMemo = new Map<string, string | null>();
  /** Memo of {@link resourceType}: name or endpoint as asked → the type (null: none). */
  private readonly typeMemo = new Map<string, ResourceTypeDefinition | null>();
  /** Resource type → its memoized {@link hidesByDefault} test. */
  private readonly hidesMemo = new WeakMap<ResourceTypeDefinition, (key: string) => boolean>();

  /** What this registry was built from, so {@link extend} can build on it. */
  private readonly source: SchemaRegistryOptions;

  constructor(opts: SchemaRegistryOptions = {}) {
    this.source = opts;
    for (const s of [...builtinSchemas, ...(opts.schemas ?? [])]) this.schemaMap.set(s.id.toLowerCase(), s);
    this.types = (opts.resourceTypes ?? defaultResourceTypes).map((rt) => ({
      ...rt,
      schemaExtensions: [
        ...rt.schemaExtensions,
        ...(opts.extensions?.[rt.id] ?? [])
          .filter((e, i, all) => all.findIndex((x) => x.toLowerCase() === e.toLowerCase()) === i)
          .filter((e) => !rt.schemaExtensions.some((x) => x.schema.toLowerCase() === e.toLowerCase()))
          .map((schema) => ({ schema, required: false })),
      ],
    }));
    for (const rt of this.types) {
      for (const urn of [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)]) {
        if (!this.schemaMap.has(urn.toLowerCase())) {
          throw new Error(`Resource type ${rt.id} references unknown schema ${urn}`);
        }
      }
    }
  }

  /**
   * A new registry with more schemas and extensions, or fewer resource types (`serve`); this one is
   * unchanged. How a connector adds what it serves to the host's registry, and how a host keeps
   * only the resource types its connector has.
   *
   * @example
   * const registry = context.registry.extend({ schemas: [mySchema], extensions: { User: [mySchema.id] } });
   */
  extend(more: {
    schemas?: SchemaDefinition[];
    extensions?: Record<string, string[]>;
    serve?: readonly string[];
  }): SchemaRegistry {
    const extensions: Record<string, string[]> = { ...(this.source.extensions ?? {}) };
    for (const [rt, urns] of Object.entries(more.extensions ?? {})) extensions[rt] = [...(extensions[rt] ?? []), ...urns];
    const types = this.source.resourceTypes ?? defaultResourceTypes;
    const serve = more.serve?.map((t) => t.toLowerCase());
    return new SchemaRegistry({
      schemas: [...(this.source.schemas ?? []), ...(more.schemas ?? [])],
      resourceTypes: serve ? types.filter((t) => serve.includes(t.id.toLowerCase())) : [...types],
      extensions,
    });
  }

  /** All schemas in use by some resource type. */
  schemas(): SchemaDefinition[] {
    const used = new Set<string>();
    for (const rt of this.types)
      for (const u of [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)]) used.add(u.toLowerCase());
    return [...used].map((u) => this.schemaMap.get(u)).filter((s): s is SchemaDefinition => s !== undefined);
  }

  /** A schema by URN (case-insensitive, aliases accepted). */
  schema(urn: string): SchemaDefinition | undefined {
    const direct = this.schemaMap.get(urn.toLowerCase());
    if (direct) return direct;
    const alias = ownValue(URN_ALIASES, urn.toLowerCase());
    return alias && alias !== CORE_ALIAS ? this.schemaMap.get(alias.toLowerCase()) : undefined;
  }

  resourceTypes(): readonly ResourceTypeDefinition[] {
    return this.types;
  }

  /** Finds a resource type by id (`User`) or endpoint (`Users`), case-insensitively. */
  resourceType(nameOrEndpoint: string): ResourceTypeDefinition | undefined {
    // Every request asks (its endpoint), and every response with members or groups (their types).
    const hit = this.typeMemo.get(nameOrEndpoint);
    if (hit !== undefined) return hit ?? undefined;
    const l = nameOrEndpoint.replace(/^\//, '').toLowerCase();
    const found = this.types.find((t) => t.id.toLowerCase() === l || t.endpoint.replace(/^\//, '').toLowerCase() === l);
    // Bounded: names come from request paths.
    if (this.typeMemo.size < 1000) this.typeMemo.set(nameOrEndpoint, found ?? null);
    return found;
  }

  /**
   * The canonical URN for `uri` in the context of resource type `rt`, resolving
   * aliases (`urn:scim:schemas:core:2.0` → the type's core schema); `undefined`
   * when the URN is neither the core schema nor one of its extensions.
   */
  canonicalUrn(rt: ResourceTypeDefinition, uri: string): string | undefined {
    // Only URNs can name schemas; most keys seen here are attribute names.
    if (uri.length < 5 || uri.charCodeAt(3) !== 58 || uri.slice(0, 3).toLowerCase() !== 'urn') return undefined; // not 'urn:'
    const key = `${rt.id}\u0000${uri}`;
    const hit = this.urnMemo.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.findUrn(rt, uri);
    if (this.urnMemo.size < 10_000) this.urnMemo.set(key, found ?? null);
    return found;
  }

  private findUrn(rt: ResourceTypeDefinition, uri: string): string | undefined {
    const l = uri.toLowerCase();
    const alias = ownValue(URN_ALIASES, l);
    const target = alias === CORE_ALIAS ? rt.schema.toLowerCase() : (alias ?? uri).toLowerCase();
    if (rt.schema.toLowerCase() === target) return rt.schema;
    return rt.schemaExtensions.find((e) => e.schema.toLowerCase() === target)?.schema;
  }

  /** True when `uri` names an extension schema of `rt`. */
  isExtension(rt: ResourceTypeDefinition, uri: string): boolean {
    const c = this.canonicalUrn(rt, uri);
    return c !== undefined && c !== rt.schema;
  }

  private index(rt: ResourceTypeDefinition): Map<string, { schema: string; def: AttributeDefinition }> {
    let idx = this.attrIndex.get(rt.id);
    if (!idx) {
      idx = new Map();
      // Core schema first so that unqualified names resolve to core attributes.
      for (const urn of [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)]) {
        const s = this.schemaMap.get(urn.toLowerCase());
        for (const a of s?.attributes ?? []) {
          const key = a.name.toLowerCase();
          if (!idx.has(key)) idx.set(key, { schema: s?.id ?? urn, def: a });
        }
      }
      this.attrIndex.set(rt.id, idx);
    }
    return idx;
  }

  /** Top-level attribute definition by name within one schema. */
  attribute(schemaUrn: string, name: string): AttributeDefinition | undefined {
    return this.schema(schemaUrn)?.attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * For resource type `rt`, a test of whether top-level key `key` holds something a response leaves
   * out unless asked for (`returned: never` or `request`, or a sub-attribute that is never returned):
   * an extension URN with such an attribute, or such an attribute. The answers are remembered per
   * key (every resource of every list page asks, with the same few keys); take the test once per
   * resource type and call it per key.
   */
  hidesByDefault(rt: ResourceTypeDefinition): (key: string) => boolean {
    let test = this.hidesMemo.get(rt);
    if (!test) {
      const memo = new Map<string, boolean>();
      test = (key) => {
        let hides = memo.get(key);
        if (hides === undefined) {
          const ext = this.canonicalUrn(rt, key);
          hides =
            ext && ext !== rt.schema
              ? (this.schema(ext)?.attributes.some(hiddenByDefault) ?? false)
              : hiddenByDefault(this.resolve(rt, { attr: key })?.attrDef);
          // Bounded: unknown keys come from connectors and clients.
          if (memo.size < 10_000) memo.set(key, hides);
        }
        return hides;
      };
      this.hidesMemo.set(rt, test);
    }
    return test;
  }

  /**
   * Resolves a path for resource type `rt`. Unqualified names resolve to the
   * core schema first, then to extensions (lenient: clients send
   * `employeeNumber` unqualified). `id`, `externalId`, `meta` are common.
   */
  resolve(rt: ResourceTypeDefinition, path: AttrPath): ResolvedPath | undefined {
    if (path.uri === undefined && path.sub === undefined) {
      let m = this.bareMemo.get(rt);
      if (!m) this.bareMemo.set(rt, (m = new Map()));
      const hit = m.get(path.attr);
      if (hit !== undefined) return hit ?? undefined;
      const found = this.resolveUncached(rt, path);
      if (m.size < 10_000) m.set(path.attr, found ?? null);
      return found;
    }
    const key = `${rt.id}\u0000${path.uri ?? ''}\u0000${path.attr}\u0000${path.sub ?? ''}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.resolveUncached(rt, path);
    // Bounded: unknown attribute names come from clients.
    if (this.memo.size < 10_000) this.memo.set(key, found ?? null);
    return found;
  }

  private resolveUncached(rt: ResourceTypeDefinition, path: AttrPath): ResolvedPath | undefined {
    let schema: string | undefined;
    let def: AttributeDefinition | undefined;
    if (path.uri) {
      schema = this.canonicalUrn(rt, path.uri);
      if (!schema) return undefined;
      def = this.attribute(schema, path.attr) ?? (schema === rt.schema ? commonDef(path.attr) : undefined);
    } else {
      const common = commonDef(path.attr);
      if (common) {
        schema = rt.schema;
        def = common;
      } else {
        const hit = this.index(rt).get(path.attr.toLowerCase());
        schema = hit?.schema;
        def = hit?.def;
      }
    }
    if (!schema || !def) return undefined;
    const out: ResolvedPath = { schema, attr: def.name, attrDef: def };
    if (schema !== rt.schema) out.extension = schema;
    if (path.sub !== undefined) {
      const subDef = def.subAttributes?.find((s) => s.name.toLowerCase() === path.sub?.toLowerCase());
      out.sub = subDef?.name ?? path.sub;
      if (subDef) out.subDef = subDef;
    }
    return out;
  }

  /** Like {@link resolve} but throws `invalidPath` for unknown attributes. */
  resolveStrict(rt: ResourceTypeDefinition, path: AttrPath, what = 'attribute'): ResolvedPath {
    const r = this.resolve(rt, path);
    if (!r || (path.sub !== undefined && !r.subDef)) {
      throw new InvalidPathError(
        `Unknown ${what} "${path.uri ? `${path.uri}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}"`,
      );
    }
    return r;
  }

  /** A {@link PathResolver} for the filter evaluator. */
  resolver(rt: ResourceTypeDefinition): PathResolver {
    return (p) => this.resolve(rt, p);
  }
}

const COMMON = new Map(commonAttributes.map((a) => [a.name.toLowerCase(), a]));
function commonDef(name: string): AttributeDefinition | undefined {
  return COMMON.get(name.toLowerCase());
}

/** `returned: never` or `request`, or a sub-attribute that is never returned. */
function hiddenByDefault(def: AttributeDefinition | undefined): boolean {
  return (
    def !== undefined &&
    (def.returned === 'never' || def.returned === 'request' || (def.subAttributes?.some((x) => x.returned === 'never') ?? false))
  );
}
