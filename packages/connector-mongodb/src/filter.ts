/**
 * SCIM filters (RFC 7644 §3.4.2.2) → MongoDB queries, with the same meaning the core's evaluator
 * gives them (`matchesFilter`): values compare by schema type, strings case-insensitively unless
 * `caseExact`, `ne` is "no value equals", `eq null` is "not present", multi-valued attributes match
 * when any value does, value paths (`emails[type eq "work"]`) become `$elemMatch`. Booleans compare
 * and are present as they are read (`booleans.ts`: "True" is `true`, "yes" no boolean at all).
 *
 * Field names come from the schemas, filter values only ever become query *values* (`$eq`, `$gt`,
 * `$in`) or escaped patterns: nothing a client sends becomes an operator or a field path.
 *
 * What MongoDB cannot evaluate exactly (attributes the schemas do not define, the users' computed
 * `groups`, `co` on numbers) is translated to a superset, and the result is marked inexact: the
 * caller then checks every candidate with the core's evaluator.
 */
import type { AttributeDefinition, ResourceTypeDefinition, SchemaRegistry } from '@scimgw/core';
import type { CompareNode, FilterNode } from '@scimgw/core/filter';
import { BOOLEAN_ABSENT, BOOLEAN_PRESENT, booleanIs, readBoolean } from './booleans.js';
import { encodeKey } from './keys.js';
import { hasValueSub, joinField, leafDefinition, resolveStored, type StoredPath } from './paths.js';
import { NON_EMPTY_STRING, patternCondition } from './regex.js';

/** A MongoDB query document. */
export type Query = Record<string, unknown>;

/** Query or constant: `true` matches everything, `false` nothing. */
type Cond = Query | boolean;

/** The collation of case-insensitive comparisons (and of the case-insensitive unique indexes). */
export const CASE_INSENSITIVE = Object.freeze({ locale: 'en', strength: 2 });

/** A translated filter. */
export interface TranslatedFilter {
  /** `true`: everything matches; `false`: nothing does (no query needs to run). */
  query: Query | boolean;
  /** False when `query` is a superset the caller must check with the core's evaluator. */
  exact: boolean;
  /** Whether the query must run with {@link CASE_INSENSITIVE}. */
  collation: boolean;
}

/** What the translation needs to know about the resource type. */
export interface FilterSchema {
  registry: SchemaRegistry;
  rt: ResourceTypeDefinition;
  /** Top-level attributes that are computed, not stored (the users' `groups`). */
  computed?: ReadonlySet<string>;
}

const STRINGY = new Set(['string', 'reference', 'binary']);
const ORDER_OPS = new Set(['gt', 'ge', 'lt', 'le']);
const MONGO_ORDER: Record<string, string> = { gt: '$gt', ge: '$gte', lt: '$lt', le: '$lte' };

/** Translation state: the collation chosen, and whether anything was approximated. */
interface State {
  readonly schema: FilterSchema;
  readonly collation: boolean;
  exact: boolean;
}

/** True when `def` compares as a case-insensitive string for `op` (the comparisons that want the collation). */
function wantsCollation(def: AttributeDefinition | undefined, op: CompareNode['op'], value: unknown): boolean {
  if (!def || value === null || def.caseExact) return false;
  if (!STRINGY.has(def.type)) return false;
  return op === 'eq' || op === 'ne' || ORDER_OPS.has(op);
}

/** Whether a filter should run with the case-insensitive collation. */
function needsCollation(node: FilterNode, schema: FilterSchema, elementOf?: AttributeDefinition): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.filters.some((f) => needsCollation(f, schema, elementOf));
    case 'not':
      return needsCollation(node.filter, schema, elementOf);
    case 'present':
      return false;
    case 'valuePath': {
      const sp = resolveStored(schema.registry, schema.rt, node.path);
      return sp ? needsCollation(node.filter, schema, sp.attrDef) : false;
    }
    case 'compare': {
      if (elementOf) {
        const sd = elementOf.subAttributes?.find((s) => s.name === node.path.attr);
        return wantsCollation(sd, node.op, node.value);
      }
      const sp = resolveStored(schema.registry, schema.rt, node.path);
      return sp ? wantsCollation(leafDefinition(sp), node.op, node.value) : false;
    }
  }
}

function and(conds: Cond[]): Cond {
  const qs: Query[] = [];
  for (const c of conds) {
    if (c === false) return false;
    if (c !== true) qs.push(c);
  }
  if (qs.length === 0) return true;
  if (qs.length === 1) return qs[0] as Query;
  // Conditions on distinct fields read better (and match as MongoDB's own examples) as one document.
  const keys = qs.flatMap((q) => Object.keys(q));
  if (keys.every((k) => !k.startsWith('$')) && new Set(keys).size === keys.length) return Object.assign({}, ...qs) as Query;
  return { $and: qs };
}

function or(conds: Cond[]): Cond {
  const qs: Query[] = [];
  for (const c of conds) {
    if (c === true) return true;
    if (c !== false) qs.push(c);
  }
  if (qs.length === 0) return false;
  return qs.length === 1 ? (qs[0] as Query) : { $or: qs };
}

function not(c: Cond): Cond {
  return typeof c === 'boolean' ? !c : { $nor: [c] };
}

/** A node MongoDB cannot evaluate: everything when a superset is wanted, nothing for a subset. */
function approximate(state: State, superset: boolean): Cond {
  state.exact = false;
  return superset;
}

/** A present scalar (core `isPresent`): a boolean, a number, a non-empty string, a non-empty object. */
function presentScalar(field: string): Query {
  return {
    $or: [{ [field]: { $type: ['bool', 'number'] } }, { [field]: NON_EMPTY_STRING }, { [field]: { $type: 'object', $ne: {} } }],
  };
}

/**
 * Some element of the array `field` is present. (`$elemMatch` rather than `$type` on the array: the
 * same for MongoDB, and it does not depend on how a server applies `$type` to array elements.)
 */
function presentElement(field: string): Query {
  return {
    $or: [
      { [field]: { $elemMatch: { $type: ['bool', 'number'] } } },
      { [field]: { $elemMatch: NON_EMPTY_STRING } },
      { [field]: { $elemMatch: { $type: 'object', $ne: {} } } },
    ],
  };
}

/** A present value of a leaf defined by `def` (a boolean only counts when a boolean can be read from it). */
function presentLeaf(field: string, def: AttributeDefinition | undefined): Query {
  return def?.type === 'boolean' ? { [field]: BOOLEAN_PRESENT } : presentScalar(field);
}

/** No value of a leaf defined by `def` (see {@link presentLeaf}). */
function absentLeaf(field: string, def: AttributeDefinition | undefined): Query {
  return def?.type === 'boolean' ? { [field]: BOOLEAN_ABSENT } : { [field]: { $exists: false } };
}

/** Some element of the array `field` is an object. */
function objectElement(field: string): Query {
  return { [field]: { $elemMatch: { $type: 'object' } } };
}

/** Where the values of a path are read from, and the definition they compare by. */
interface Leaf {
  /** Field whose values are compared. */
  values: string;
  def: AttributeDefinition | undefined;
}

/** Latest instant whose ISO form still sorts as a string (year 9999). */
const MAX_SORTABLE_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** One comparison on a leaf, `null` literals excluded. Returns the "some value compares" condition. */
function compareLeaf(
  state: State,
  leaf: Leaf,
  op: CompareNode['op'],
  literal: string | number | boolean,
  superset: boolean,
): Cond {
  const { values: f, def } = leaf;
  // A complex attribute without a `value`: its values are objects, which never compare.
  if (!def) return op === 'ne';
  if (op === 'ne') return not(compareLeaf(state, leaf, 'eq', literal, !superset));
  const type = def.type;
  if (type === 'boolean') {
    const b = readBoolean(literal);
    if (b === undefined || op !== 'eq') return false;
    // Stored strings "true"/"false" (any case) compare too: they are read as the booleans.
    return { [f]: booleanIs(b) };
  }
  if (type === 'integer' || type === 'decimal') {
    if (op === 'co' || op === 'sw' || op === 'ew') return approximate(state, superset);
    const n = Number(literal);
    if (Number.isNaN(n)) return false;
    return op === 'eq' ? { [f]: n } : { [f]: { [MONGO_ORDER[op] as string]: n } };
  }
  if (type === 'dateTime' && op !== 'co' && op !== 'sw' && op !== 'ew') {
    const t = Date.parse(String(literal));
    if (Number.isNaN(t)) return false;
    // Stored dateTimes are canonical ISO strings, which sort as instants only within years 0-9999.
    if (t < Date.UTC(0, 0, 1) || t > MAX_SORTABLE_TIME) return approximate(state, superset);
    const iso = new Date(t).toISOString();
    return op === 'eq' ? { [f]: iso } : { [f]: { [MONGO_ORDER[op] as string]: iso } };
  }
  // Strings (also references, binary, and dateTime under co/sw/ew).
  const text = String(literal);
  const ci = !def.caseExact;
  if (op === 'co' || op === 'sw' || op === 'ew') return { [f]: patternCondition(op, text, ci) };
  if (op === 'eq') {
    if (ci === state.collation) return { [f]: text };
    // A case-exact value under the case-insensitive collation, or the reverse: a pattern, which no collation affects.
    return { [f]: patternCondition('eq', text, ci) };
  }
  // gt/ge/lt/le: only a collation can order strings case-insensitively, only its absence case-exactly.
  if (ci !== state.collation) return approximate(state, superset);
  return { [f]: { [MONGO_ORDER[op] as string]: text } };
}

/** The leaf of a stored path: where its compared values live. */
function leafOf(sp: StoredPath, prefix?: string): Leaf {
  const base = prefix === undefined ? sp.field : prefix;
  if (sp.sub !== undefined) return { values: joinField(base, encodeKey(sp.sub)), def: sp.subDef };
  if (sp.attrDef.type === 'complex') {
    return hasValueSub(sp.attrDef)
      ? { values: joinField(base, 'value'), def: leafDefinition(sp) }
      : { values: base, def: undefined };
  }
  return { values: base, def: sp.attrDef };
}

/** `path pr` for a stored path (core: some collected value is present). */
function present(sp: StoredPath, prefix?: string): Cond {
  const base = prefix === undefined ? sp.field : prefix;
  const def = sp.attrDef;
  // A boolean (or a list of them): `$in` also looks into a list.
  if (def.type === 'boolean') return presentLeaf(base, def);
  if (def.type !== 'complex') {
    // A scalar, or a list of scalars (a single value where a list was expected counts as one).
    return def.multiValued ? or([presentScalar(base), presentElement(base)]) : presentScalar(base);
  }
  const valueDef = leafDefinition({ attrDef: def });
  if (!def.multiValued) {
    if (sp.sub !== undefined) return presentLeaf(joinField(base, encodeKey(sp.sub)), sp.subDef);
    const nonEmptyObject = { [base]: { $type: 'object', $ne: {} } };
    if (!hasValueSub(def)) return nonEmptyObject;
    // Counted by its `value`, or, without one, as a (non-empty) object.
    return or([
      presentLeaf(joinField(base, 'value'), valueDef),
      { $and: [nonEmptyObject, absentLeaf(joinField(base, 'value'), valueDef)] },
    ]);
  }
  // A list of complex values: each element on its own (elements are stored as non-empty objects).
  if (sp.sub !== undefined) return { [base]: { $elemMatch: presentLeaf(encodeKey(sp.sub), sp.subDef) } };
  if (!hasValueSub(def)) return objectElement(base);
  return or([
    { [base]: { $elemMatch: presentLeaf('value', valueDef) } },
    { [base]: { $elemMatch: absentLeaf('value', valueDef) } },
  ]);
}

/** A comparison node on a stored path. */
function compare(state: State, sp: StoredPath, node: CompareNode, superset: boolean, prefix?: string): Cond {
  if (node.value === null) {
    if (node.op === 'eq') return not(present(sp, prefix));
    if (node.op === 'ne') return present(sp, prefix);
    return false;
  }
  return compareLeaf(state, leafOf(sp, prefix), node.op, node.value, superset);
}

/** The stored path of a filter path, or `undefined` when MongoDB cannot evaluate it. */
function storedPathOf(state: State, path: CompareNode['path']): StoredPath | undefined {
  const sp = resolveStored(state.schema.registry, state.schema.rt, path);
  if (!sp) return undefined;
  if (sp.extension === undefined && state.schema.computed?.has(sp.attr)) return undefined;
  return sp;
}

/** A sub-attribute of a complex attribute, as a stored path relative to an element. */
function elementPath(parent: StoredPath, name: string): StoredPath | undefined {
  const def = parent.attrDef.subAttributes?.find((s) => s.name === name);
  if (!def) return undefined;
  return { attr: def.name, attrDef: def, field: encodeKey(def.name), top: encodeKey(def.name) };
}

/** Translates the filter inside a value path, relative to one element (`prefix`: the element's own path). */
function translateElement(state: State, parent: StoredPath, node: FilterNode, superset: boolean, prefix?: string): Cond {
  switch (node.type) {
    case 'and':
      return and(node.filters.map((f) => translateElement(state, parent, f, superset, prefix)));
    case 'or':
      return or(node.filters.map((f) => translateElement(state, parent, f, superset, prefix)));
    case 'not':
      return not(translateElement(state, parent, node.filter, !superset, prefix));
    case 'valuePath':
      return approximate(state, superset);
    case 'present':
    case 'compare': {
      const sp = node.path.sub === undefined ? elementPath(parent, node.path.attr) : undefined;
      if (!sp) return approximate(state, superset);
      const at = prefix === undefined ? sp.field : joinField(prefix, sp.field);
      return node.type === 'present' ? present(sp, at) : compare(state, sp, node, superset, at);
    }
  }
}

function translateNode(state: State, node: FilterNode, superset: boolean): Cond {
  switch (node.type) {
    case 'and':
      return and(node.filters.map((f) => translateNode(state, f, superset)));
    case 'or':
      return or(node.filters.map((f) => translateNode(state, f, superset)));
    case 'not':
      return not(translateNode(state, node.filter, !superset));
    case 'present': {
      const sp = storedPathOf(state, node.path);
      return sp ? present(sp) : approximate(state, superset);
    }
    case 'compare': {
      const sp = storedPathOf(state, node.path);
      return sp ? compare(state, sp, node, superset) : approximate(state, superset);
    }
    case 'valuePath': {
      const sp = storedPathOf(state, { ...node.path, sub: undefined } as CompareNode['path']);
      if (!sp || node.path.sub !== undefined) return approximate(state, superset);
      if (sp.attrDef.type !== 'complex') return false; // elements are not objects: nothing matches
      if (!sp.attrDef.multiValued) {
        // A single complex value: the filter applies to it as to a one-element list.
        return and([{ [sp.field]: { $type: 'object' } }, translateElement(state, sp, node.filter, superset, sp.field)]);
      }
      const inside: State = { schema: state.schema, collation: state.collation, exact: true };
      const inner = translateElement(inside, sp, node.filter, superset);
      // Part of the element filter was approximated: approximate the whole value path.
      if (!inside.exact) return approximate(state, superset);
      if (inner === false) return false;
      if (inner === true) return objectElement(sp.field);
      return { [sp.field]: { $elemMatch: inner } };
    }
  }
}

/**
 * Translates a canonical filter (names as the core's `canonicalFilter` leaves them).
 *
 * @param sortCaseInsensitive - the query also sorts by a case-insensitive string (which needs the collation)
 * @example
 * translateFilter(parseFilter('userName eq "bjensen"'), schema)
 * // { query: { userName: 'bjensen' }, exact: true, collation: true }
 */
export function translateFilter(
  node: FilterNode | undefined,
  schema: FilterSchema,
  sortCaseInsensitive = false,
): TranslatedFilter {
  const collation = sortCaseInsensitive || (node !== undefined && needsCollation(node, schema));
  if (!node) return { query: true, exact: true, collation };
  const state: State = { schema, collation, exact: true };
  const query = translateNode(state, node, true);
  return { query, exact: state.exact, collation };
}

/**
 * Translates a filter on the elements of a multi-valued attribute into a condition on one element
 * (for `$pull`), without collation (an update's collation would also apply to its `id` condition):
 * case-insensitive equality becomes a pattern. `undefined` when MongoDB cannot evaluate it exactly.
 */
export function translateElementFilter(node: FilterNode, parent: StoredPath, schema: FilterSchema): Query | boolean | undefined {
  const state: State = { schema, collation: false, exact: true };
  const query = translateElement(state, parent, node, true);
  if (!state.exact) return undefined;
  // A `$pull` condition whose first key is an operator is matched against each element as a value
  // in MongoDB only when that operator takes a path ($gt, $in …); `$and`/`$or`/`$nor` first are read
  // as a query on the element. Servers that differ on this exist, so the caller applies such filters
  // with compare-and-set instead: only conditions on fields are used.
  if (typeof query === 'object' && Object.keys(query).some((k) => k.startsWith('$'))) return undefined;
  return query;
}
