/**
 * SCIM filter → LDAP filter. The connector walks the logical structure
 * itself; each comparison goes through `@scimgw/mapper` (SCIM path and value
 * → LDAP attribute and endpoint value) and then becomes an LDAP filter item
 * through the attribute's codec. A term LDAP cannot evaluate as SCIM would
 * (no ordering rule, case-exact SCIM attribute, FILETIME "never") becomes a
 * wider filter marked inexact, which the connector re-checks on the mapped
 * resources. Under `not` a wider filter would turn narrower, so an inexact
 * operand of `not` widens to "everything". Values never touch a string: they
 * go into the filter AST, which escapes on output.
 */
import type { AttributeDefinition } from '@scimgw/core';
import type { AttrPath, CompareNode, FilterNode } from '@scimgw/core/filter';
import type { AttrCodec } from './codec.js';
import { and, eq, type LdapFilter, not, or, present } from './filter.js';
import type { LdapMapping } from './mapping.js';

/** A translated filter: always true, always false, or an LDAP filter; `exact` unless it may match too much. */
export type Translated =
  | { kind: 'true'; exact: boolean }
  | { kind: 'false'; exact: boolean }
  | { kind: 'filter'; filter: LdapFilter; exact: boolean };

/** Terms the connector translates itself (id, membership, meta) and schema lookups. */
export interface SpecialTerms {
  /** `id` comparisons. */
  id(node: CompareNode): Translated;
  /** `members.value` / `groups.value` comparisons (async: ids become DNs). */
  reference(attr: string, node: CompareNode): Promise<Translated | undefined>;
  /** `meta.created` / `meta.lastModified` comparisons. */
  meta(sub: string, node: CompareNode | { type: 'present'; path: AttrPath }): Translated;
  /** Schema definition of a SCIM leaf (case-exactness decides whether LDAP's case-insensitive match is exact). */
  def(path: AttrPath): AttributeDefinition | undefined;
  /** Whether extensible matches with the AD bit rule are available. */
  activeDirectory: boolean;
}

const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';

/** OID of the AD bitwise-AND matching rule. */
export const LDAP_MATCHING_RULE_BIT_AND = '1.2.840.113556.1.4.803';

const TRUE = (exact = true): Translated => ({ kind: 'true', exact });
const FALSE = (exact = true): Translated => ({ kind: 'false', exact });
const F = (filter: LdapFilter, exact: boolean): Translated => ({ kind: 'filter', filter, exact });

/** `and`/`or` of translated parts. */
export function combine(type: 'and' | 'or', parts: Translated[]): Translated {
  const exact = parts.every((p) => p.exact);
  if (type === 'and') {
    if (parts.some((p) => p.kind === 'false')) return FALSE(exact);
    const fs = parts.flatMap((p) => (p.kind === 'filter' ? [p.filter] : []));
    return fs.length ? F(and(...fs), exact) : TRUE(exact);
  }
  if (parts.some((p) => p.kind === 'true')) return TRUE(exact);
  const fs = parts.flatMap((p) => (p.kind === 'filter' ? [p.filter] : []));
  return fs.length ? F(or(...fs), exact) : FALSE(exact);
}

/** `not` of a translated part. */
export function negate(t: Translated): Translated {
  // not(wider) would be narrower than the truth: fall back to "everything", re-checked.
  if (!t.exact) return TRUE(false);
  if (t.kind === 'true') return FALSE();
  if (t.kind === 'false') return TRUE();
  return F(not(t.filter), true);
}

function substring(attribute: string, op: 'co' | 'sw' | 'ew', v: string): LdapFilter {
  if (v === '') return present(attribute);
  if (op === 'sw') return { type: 'substring', attribute, initial: v, any: [] };
  if (op === 'ew') return { type: 'substring', attribute, any: [], final: v };
  return { type: 'substring', attribute, any: [v] };
}

/** One endpoint comparison (from the mapper) as an LDAP item. */
function item(c: AttrCodec, node: CompareNode, caseExact: boolean, ad: boolean): Translated {
  const { op, value } = node;
  if (value === null) return F(present(c.attr), false);
  if (c.kind === 'userAccountControl') {
    if (op !== 'eq' || !ad) return F(present(c.attr), false);
    let active: boolean;
    try {
      active = c.encode(value) === c.encode(true);
    } catch {
      return FALSE();
    }
    const disabled: LdapFilter = {
      type: 'ext',
      attribute: c.attr,
      rule: LDAP_MATCHING_RULE_BIT_AND,
      dnAttributes: false,
      value: '2',
    };
    return F(active ? not(disabled) : disabled, true);
  }
  let wire: ReturnType<AttrCodec['encode']>;
  try {
    wire = c.encode(value);
  } catch {
    // A value with no wire form cannot be stored, so nothing has it.
    return op === 'eq' ? FALSE() : F(present(c.attr), false);
  }
  const textExact = !(c.kind === 'string' && caseExact);
  switch (op) {
    case 'eq':
      return F(eq(c.attr, wire), textExact && !c.filetime);
    case 'ne':
      return F(not(eq(c.attr, wire)), false);
    case 'co':
    case 'sw':
    case 'ew':
      if (!c.substrings || typeof wire !== 'string') return F(present(c.attr), false);
      return F(substring(c.attr, op, wire), textExact);
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      if (!c.ordering || typeof wire !== 'string') return F(present(c.attr), false);
      const base: LdapFilter = { type: op === 'gt' || op === 'ge' ? 'ge' : 'le', attribute: c.attr, value: wire };
      return F(op === 'gt' || op === 'lt' ? and(base, not(eq(c.attr, wire))) : base, !c.filetime);
    }
  }
}

/**
 * Converts an endpoint filter (the mapper's output: LDAP attribute names and
 * endpoint values) into LDAP terms.
 */
export function fromEndpoint(node: FilterNode, m: LdapMapping, caseExact: boolean, ad: boolean): Translated {
  switch (node.type) {
    case 'and':
    case 'or':
      return combine(
        node.type,
        node.filters.map((f) => fromEndpoint(f, m, caseExact, ad)),
      );
    case 'not':
      return negate(fromEndpoint(node.filter, m, caseExact, ad));
    case 'valuePath':
      return TRUE(false);
    case 'present': {
      const c = m.codec(node.path.attr);
      return c ? F(present(c.attr), true) : TRUE(false);
    }
    case 'compare': {
      const c = m.codec(node.path.attr);
      return c ? item(c, node, caseExact, ad) : TRUE(false);
    }
  }
}

/** A comparison or presence test on a mapped attribute, through the mapper. */
function mapped(node: FilterNode, m: LdapMapping, special: SpecialTerms): Translated {
  const t = m.translate(node);
  if (t.kind === 'none') return FALSE();
  if (t.kind === 'all') return TRUE(t.exact);
  const leafDef = node.type === 'compare' || node.type === 'present' ? special.def(node.path) : undefined;
  const r = fromEndpoint(t.filter, m, leafDef?.caseExact === true, special.activeDirectory);
  return { ...r, exact: r.exact && t.exact };
}

/**
 * Translates a (pushed-down) SCIM filter for one resource type.
 *
 * @example
 * await translateFilter(parseFilter('userName sw "j"'), mapping, special)
 * // { kind: 'filter', filter: (uid=j*), exact: true }
 */
export async function translateFilter(node: FilterNode, m: LdapMapping, special: SpecialTerms): Promise<Translated> {
  switch (node.type) {
    case 'and':
    case 'or':
      return combine(node.type, await Promise.all(node.filters.map((f) => translateFilter(f, m, special))));
    case 'not':
      return negate(await translateFilter(node.filter, m, special));
    case 'valuePath':
      return mapped(node, m, special);
    case 'present':
    case 'compare': {
      const attr = node.path.attr.toLowerCase();
      if (!node.path.uri && attr === 'id') return node.type === 'present' ? TRUE() : special.id(node);
      if (!node.path.uri && (attr === 'members' || attr === 'groups')) {
        if (node.type === 'present' || (node.path.sub !== undefined && node.path.sub.toLowerCase() !== 'value'))
          return TRUE(false);
        return (await special.reference(attr, node)) ?? TRUE(false);
      }
      if (!node.path.uri && attr === 'meta') return node.path.sub ? special.meta(node.path.sub, node) : TRUE(false);
      // The manager's id is a DN in the directory: an `eq` searches by that DN.
      if (
        node.type === 'compare' &&
        node.path.uri?.toLowerCase() === ENTERPRISE_USER &&
        attr === 'manager' &&
        (node.path.sub === undefined || node.path.sub.toLowerCase() === 'value')
      ) {
        return (await special.reference('manager', node)) ?? mapped(node, m, special);
      }
      return mapped(node, m, special);
    }
  }
}
