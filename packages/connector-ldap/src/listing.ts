/**
 * How a list query reads its entries. A page (`startIndex`, `count`) of a
 * query the directory answers exactly is read as a page: a filtered query
 * whose result fits one plain search is read whole and cut, anything larger
 * (and every unfiltered listing) goes to {@link PageWindows}. A query the
 * connector must check again itself (inexact filter terms, a value-map
 * allowlist LDAP cannot express) is read whole, and the core cuts the page.
 */
import type { QueryRequest } from '@scimgw/core';
import type { LdapEntry } from './entry.js';
import { and } from './filter.js';
import type { Kind, Tenant } from './tenant.js';
import type { Translated } from './translate.js';

/** Entries of a query; `total` is set when they are already one page of a result of that size. */
export interface Listed {
  entries: LdapEntry[];
  total?: number;
}

/**
 * Reads the entries of a list query.
 *
 * @param tr - the translated filter (`undefined` without one; never `kind: 'false'`)
 */
export async function listEntries(
  t: Tenant,
  kind: Kind,
  req: Pick<QueryRequest, 'startIndex' | 'count'>,
  tr: Translated | undefined,
  attributes: string[],
  what: string,
): Promise<Listed> {
  const base = t.base(kind);
  const binary = t.binaryAttributes(kind);
  const filtered = tr?.kind === 'filter';
  const filter = filtered ? and(t.filter(kind), tr.filter) : t.filter(kind);
  const exact = (tr === undefined || tr.exact) && t.exactVisibility[kind];
  if (req.startIndex === undefined || req.count === undefined || !exact) {
    return { entries: await t.dir.search({ base, filter, attributes, binary, large: !filtered }, what) };
  }
  const start = Math.max(1, req.startIndex);
  const count = Math.max(0, req.count);
  if (filtered) {
    // Most filtered queries (an IdP's lookups) match a handful of entries: one plain search.
    const all = await t.dir.trySmall({ base, filter, attributes, binary }, what);
    if (all) return { entries: all.slice(start - 1, start - 1 + count), total: all.length };
  }
  return t.windows.page({ base, filter, attributes, binary, sort: t.sortKeys[kind] }, start, count, what);
}
