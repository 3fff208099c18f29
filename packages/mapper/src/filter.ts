/**
 * SCIM filter → endpoint filter (endpoint attribute names, endpoint values).
 * The result is exact when the endpoint evaluates the same predicate, or a
 * superset (exact: false) the connector post-filters with the original.
 */
import { type AttrPath, type CompareNode, type CompValue, type FilterNode, parseAttrPath } from '@scimgw/core/filter';
import type { CompiledEntry, CompiledTarget } from './compile.js';
import { convertScalar } from './convert.js';
import type { TranslatedFilter } from './types.js';

const NONE: TranslatedFilter = { kind: 'none' };
const ALL_INEXACT: TranslatedFilter = { kind: 'all', exact: false };
const ALL_EXACT: TranslatedFilter = { kind: 'all', exact: true };

/** Endpoint key as an attribute path (a SCIM-like key keeps its URN and sub-attribute). */
export function endpointPath(key: string, sub?: string): AttrPath {
  let p: AttrPath;
  try {
    p = parseAttrPath(key);
  } catch {
    p = { attr: key };
  }
  if (sub === undefined) return p;
  return p.sub === undefined ? { ...p, sub } : { attr: `${p.uri ? `${p.uri}:` : ''}${p.attr}.${p.sub}`, sub };
}

const eqCI = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

function sameAttr(t: CompiledTarget, p: AttrPath): boolean {
  if (t.extension ? !eqCI(t.extension, p.uri) : p.uri !== undefined) return false;
  return eqCI(t.attr, p.attr);
}

/** One way an endpoint attribute can answer a comparison on a SCIM path. */
interface Candidate {
  e: CompiledEntry;
  t: CompiledTarget;
  /** Sub-attribute inside a pass-through complex endpoint value. */
  passSub?: string;
}

/** Entries that hold the SCIM path `p` (optionally restricted to elements of `typeKey`). */
export function candidates(entries: readonly CompiledEntry[], p: AttrPath, typeKey?: string): Candidate[] {
  const out: Candidate[] = [];
  for (const e of entries) {
    for (const t of e.targets) {
      if (t.writeOnly || !sameAttr(t, p)) continue;
      // `emails eq "x"` means `emails.value eq "x"` for complex multi-valued attributes.
      const sub = p.sub ?? (t.attrDef.type === 'complex' && t.attrDef.multiValued ? 'value' : undefined);
      // Inside `emails[type eq "work" …]` only the elements of that type answer.
      if (typeKey !== undefined && (t.shape !== 'typed' || !eqCI(t.typeKey, typeKey))) continue;
      switch (t.shape) {
        case 'single':
        case 'multi':
          if (e.isComplex) out.push({ e, t, ...(sub === undefined ? {} : { passSub: sub }) });
          else if (p.sub === undefined || (t.shape === 'multi' && t.attrDef.type === 'complex' && eqCI(sub, 'value'))) {
            out.push({ e, t });
          }
          break;
        case 'subOfSingle':
        case 'subOfMulti':
        case 'typed':
          if (eqCI(sub, t.sub)) out.push({ e, t });
          break;
      }
    }
  }
  return out;
}

function orOf(parts: TranslatedFilter[]): TranslatedFilter {
  let exact = true;
  const filters: FilterNode[] = [];
  for (const p of parts) {
    if (p.kind === 'none') continue;
    if (p.kind === 'all') return p.exact ? ALL_EXACT : ALL_INEXACT;
    exact &&= p.exact;
    filters.push(p.filter);
  }
  if (filters.length === 0) return NONE;
  return { kind: 'filter', filter: filters.length === 1 ? (filters[0] as FilterNode) : { type: 'or', filters }, exact };
}

function andOf(parts: TranslatedFilter[]): TranslatedFilter {
  let exact = true;
  const filters: FilterNode[] = [];
  for (const p of parts) {
    if (p.kind === 'none') return NONE;
    exact &&= p.exact;
    if (p.kind === 'filter') filters.push(p.filter);
  }
  if (filters.length === 0) return exact ? ALL_EXACT : ALL_INEXACT;
  return { kind: 'filter', filter: filters.length === 1 ? (filters[0] as FilterNode) : { type: 'and', filters }, exact };
}

const ORDERED = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING = new Set(['co', 'sw', 'ew']);

/**
 * Endpoint values of a single-valued `unlisted: "drop"` entry that read as a present SCIM value of
 * `t`, as `eq` terms; `undefined` when some listed value converts on neither side.
 */
function listedTerms(e: CompiledEntry, t: CompiledTarget, path: AttrPath): FilterNode[] | undefined {
  const vm = e.valueMap;
  if (!vm) return undefined;
  const terms: FilterNode[] = [];
  for (const [i, k] of vm.endpointValues.entries()) {
    const endpoint = convertScalar(k, e.endpointScalar, e.format);
    const scim = t.scimType === 'complex' ? undefined : convertScalar(vm.scimValues[i], t.scimType);
    // A listed value the SCIM side reads as absent (or not at all) is not "present".
    if (endpoint === undefined || scim === undefined || scim === '') return undefined;
    terms.push({ type: 'compare', path, op: 'eq', value: endpoint });
  }
  return terms;
}

/**
 * `pr` as clients see it. Where an unlisted value hides the record (the visibility filter keeps
 * such records out), a present endpoint value is a listed one: `pr` is exact. With
 * `unlisted: "drop"` an unlisted value reads as absent, so a single-valued attribute is present
 * exactly when it holds a listed value; on a list the endpoint's `pr` is a superset.
 */
function presentVia(e: CompiledEntry, t: CompiledTarget, path: AttrPath): TranslatedFilter {
  const present: FilterNode = { type: 'present', path };
  if (!e.valueMap || e.hides) return { kind: 'filter', filter: present, exact: true };
  const terms = e.isList ? undefined : listedTerms(e, t, path);
  if (!terms) return { kind: 'filter', filter: present, exact: false };
  return { kind: 'filter', filter: terms.length === 1 ? (terms[0] as FilterNode) : { type: 'or', filters: terms }, exact: true };
}

function compareVia(c: Candidate, node: CompareNode | { type: 'present'; path: AttrPath }): TranslatedFilter {
  const path = endpointPath(c.e.key, c.passSub);
  if (node.type === 'present') return presentVia(c.e, c.t, path);
  if (c.passSub !== undefined || c.t.scimType === 'complex') {
    return { kind: 'filter', filter: { ...node, path }, exact: true };
  }
  const { op } = node;
  let value: CompValue = node.value;
  if (value === null) return ALL_INEXACT;
  // SCIM reads only true/false as a boolean literal (the core's evaluator); the endpoint-side
  // conversion would also read "yes" or 1, which would make the endpoint match what SCIM does not.
  if (c.t.scimType === 'boolean' && typeof value !== 'boolean' && !/^(true|false)$/i.test(String(value))) return ALL_INEXACT;
  if (c.e.valueMap) {
    // Only equality maps through a valueMap. An unlisted endpoint value is hidden or reads as
    // absent, so it equals no SCIM value: `eq`/`ne` of a listed value are exact either way.
    if (op !== 'eq' && op !== 'ne') return ALL_INEXACT;
    const scim = convertScalar(value, c.t.scimType) ?? value;
    const back = c.e.valueMap.toEndpoint(scim, c.t.leafDef.caseExact);
    // No record shows a SCIM value the map does not list.
    if (back === undefined) return op === 'eq' ? NONE : ALL_EXACT;
    const conv = convertScalar(back, c.e.endpointScalar, c.e.format);
    return conv === undefined ? ALL_INEXACT : { kind: 'filter', filter: { type: 'compare', path, op, value: conv }, exact: true };
  }
  const sameType = c.t.scimType === c.e.endpointScalar && c.e.format === 'iso';
  if (!sameType && SUBSTRING.has(op)) return ALL_INEXACT;
  if (!sameType && ORDERED.has(op) && (c.e.endpointScalar === 'string' || c.e.endpointScalar === 'boolean')) return ALL_INEXACT;
  const conv = convertScalar(value, c.e.endpointScalar, c.e.format);
  if (conv === undefined) return sameType ? { kind: 'filter', filter: { ...node, path }, exact: true } : ALL_INEXACT;
  value = conv;
  return { kind: 'filter', filter: { type: 'compare', path, op, value }, exact: true };
}

/**
 * One comparison. `element` is set inside a value path (`emails[type eq "work" and …]`): the
 * comparison is then about one element (restricted to `typeKey`'s elements when given).
 */
function leaf(
  entries: readonly CompiledEntry[],
  node: CompareNode | { type: 'present'; path: AttrPath },
  element?: { typeKey: string | undefined },
) {
  const cands = candidates(entries, node.path, element?.typeKey);
  // An unmapped attribute is never present in the SCIM view; let the post-filter decide.
  if (cands.length === 0) return ALL_INEXACT;
  const single = cands.some((c) => c.t.shape === 'single' || c.t.shape === 'subOfSingle');
  if (node.type === 'compare' && node.op === 'ne' && element) {
    // "Some element's value differs". A single endpoint value's `ne` (true without a value too) only
    // narrows it; a list's `ne` (no element equals) would lose a list holding both.
    const r = orOf(cands.map((c) => (c.e.isList ? ALL_INEXACT : compareVia(c, node))));
    return r.kind === 'filter' ? { ...r, exact: false } : r.kind === 'all' ? ALL_INEXACT : r;
  }
  const parts = cands.map((c) => compareVia(c, node));
  if (node.type === 'compare' && node.op === 'ne') {
    // "No value equals": behind a multi-valued attribute every endpoint attribute must say so.
    // (Behind a single-valued one only the first present value counts: "any" is the superset, below.)
    if (!single) return andOf(parts);
  }
  const r = orOf(parts);
  // Several endpoint attributes behind one single-valued SCIM attribute: only the first present one is
  // visible, so "any of them matches" is a superset.
  return r.kind === 'filter' && cands.length > 1 && single ? { ...r, exact: false } : r;
}

function valuePath(entries: readonly CompiledEntry[], node: FilterNode & { type: 'valuePath' }): TranslatedFilter {
  const base = node.path;
  const pass = candidates(entries, { ...base, sub: undefined } as AttrPath).filter((c) => c.e.isComplex && c.t.shape === 'multi');
  if (pass.length) {
    return orOf(
      pass.map((c) => ({
        kind: 'filter',
        filter: { type: 'valuePath', path: endpointPath(c.e.key), filter: node.filter },
        exact: true,
      })),
    );
  }
  const terms = node.filter.type === 'and' ? node.filter.filters : [node.filter];
  let typeKey: string | undefined;
  const rest: FilterNode[] = [];
  for (const t of terms) {
    if (
      t.type === 'compare' &&
      t.op === 'eq' &&
      eqCI(t.path.attr, 'type') &&
      typeof t.value === 'string' &&
      typeKey === undefined
    ) {
      typeKey = t.value;
    } else rest.push(t);
  }
  const within = (p: AttrPath): AttrPath => ({ ...(base.uri ? { uri: base.uri } : {}), attr: base.attr, sub: p.attr });
  if (rest.length === 0) {
    if (typeKey === undefined) return ALL_INEXACT;
    const typed = entries.flatMap((e) =>
      e.targets.filter((t) => t.shape === 'typed' && sameAttr(t, base) && eqCI(t.typeKey, typeKey)).map((t) => ({ e, t })),
    );
    if (typed.length === 0) return NONE;
    // An element exists where its value does: unlisted values drop theirs.
    return orOf(typed.map(({ e, t }) => presentVia(e, t, endpointPath(e.key))));
  }
  const parts = rest.map((t) => {
    if (t.type === 'compare' || t.type === 'present') {
      return leaf(entries, { ...t, path: within(t.path) } as CompareNode, { typeKey });
    }
    return ALL_INEXACT;
  });
  const r = andOf(parts);
  // Terms on different endpoint attributes no longer have to hold for the same element.
  if (r.kind === 'filter' && rest.length > 1) return { ...r, exact: false };
  return r;
}

/** Translates a canonical SCIM filter (as the core hands it to `query`). */
export function translateFilter(entries: readonly CompiledEntry[], node: FilterNode | undefined): TranslatedFilter {
  if (!node) return ALL_EXACT;
  switch (node.type) {
    case 'compare':
    case 'present':
      return leaf(entries, node);
    case 'and':
      return andOf(node.filters.map((f) => translateFilter(entries, f)));
    case 'or':
      return orOf(node.filters.map((f) => translateFilter(entries, f)));
    case 'not': {
      const inner = translateFilter(entries, node.filter);
      if (inner.kind === 'none') return ALL_EXACT;
      if (inner.kind === 'all') return inner.exact ? NONE : ALL_INEXACT;
      return inner.exact ? { kind: 'filter', filter: { type: 'not', filter: inner.filter }, exact: true } : ALL_INEXACT;
    }
    case 'valuePath':
      return valuePath(entries, node);
  }
}
