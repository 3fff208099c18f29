/**
 * The filter terms the mapping does not cover: `id` (by id strategy),
 * `members.value` on groups and `groups.value` on users (ids resolved to
 * DNs), and `meta.created` / `meta.lastModified` (operational timestamps).
 */
import type { AttrPath, CompareNode } from '@scimgw/core/filter';
import { convertScalar } from '@scimgw/mapper';
import { and, eq, type LdapFilter, not, present } from './filter.js';
import { managerAttribute } from './references.js';
import type { Kind, Tenant } from './tenant.js';
import type { SpecialTerms, Translated } from './translate.js';

const INEXACT: Translated = { kind: 'true', exact: false };

/** Builds the special terms of one resource type. */
export function specialTerms(t: Tenant, kind: Kind): SpecialTerms {
  const rt = kind === 'user' ? t.userRt : t.groupRt;
  return {
    activeDirectory: t.s.isActiveDirectory,
    def(path: AttrPath) {
      const r = t.registry.resolve(rt, path);
      return path.sub !== undefined ? r?.subDef : r?.attrDef;
    },
    id(node: CompareNode): Translated {
      if (node.op !== 'eq') return INEXACT;
      const f = node.value === null ? undefined : t.codec.filter(String(node.value), t.s.dnAttribute);
      return f ? { kind: 'filter', filter: f, exact: true } : { kind: 'false', exact: true };
    },
    async reference(attr: string, node: CompareNode): Promise<Translated | undefined> {
      if (node.op !== 'eq' || node.value === null) return undefined;
      const id = String(node.value);
      const manager = kind === 'user' && attr === 'manager' ? managerAttribute(t) : undefined;
      const [target, on] =
        kind === 'group' && attr === 'members'
          ? [t.memberAttr, t.scope(['user', 'group'])]
          : kind === 'user' && attr === 'groups' && t.memberOfAttr
            ? [t.memberOfAttr, t.scope(['group'])]
            : manager
              ? [manager, t.scope(['user'])]
              : [undefined, undefined];
      if (!target || !on) return undefined;
      const dn = (await t.resolver.idsToDns([id], on, false)).get(id);
      return dn ? { kind: 'filter', filter: eq(target, dn), exact: true } : { kind: 'false', exact: true };
    },
    meta(sub: string, node): Translated {
      const attr =
        sub.toLowerCase() === 'created'
          ? t.metaAttrs.created
          : sub.toLowerCase() === 'lastmodified'
            ? t.metaAttrs.lastModified
            : undefined;
      if (!attr) return INEXACT;
      if (node.type === 'present') return { kind: 'filter', filter: present(attr), exact: true };
      if (node.value === null) return INEXACT;
      const v = convertScalar(node.value, 'datetime', 'generalizedTime');
      if (typeof v !== 'string') return node.op === 'eq' ? { kind: 'false', exact: true } : INEXACT;
      const ge: LdapFilter = { type: 'ge', attribute: attr, value: v };
      const le: LdapFilter = { type: 'le', attribute: attr, value: v };
      switch (node.op) {
        case 'eq':
          return { kind: 'filter', filter: eq(attr, v), exact: true };
        case 'ge':
          return { kind: 'filter', filter: ge, exact: true };
        case 'le':
          return { kind: 'filter', filter: le, exact: true };
        case 'gt':
          return { kind: 'filter', filter: and(ge, not(eq(attr, v))), exact: true };
        case 'lt':
          return { kind: 'filter', filter: and(le, not(eq(attr, v))), exact: true };
        default:
          return INEXACT;
      }
    },
  };
}
