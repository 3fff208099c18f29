/**
 * Group membership changes, folded into what one update can do without reading the group:
 *
 * - adds only: `$push` of the new members, on condition that none of them is a member yet (when one
 *   is, the update matches nothing; the caller learns which ones from the group — filtered on the
 *   server to those values — and pushes the rest);
 * - removes only (by value, or by an element filter MongoDB evaluates exactly): one `$pull`;
 * - a new list (`replace`, or `remove` of all members followed by anything): `$set`;
 * - adds and removes together: one pipeline update that filters and appends on the server;
 * - anything else (sub-attribute or filtered replace): `cas`, the caller reads the members and
 *   applies the changes with the core's `applyChanges`.
 */
import type { Change } from '@scimgw/core';
import { type FilterNode, matchesFilter } from '@scimgw/core/filter';
import { type FilterSchema, type Query, translateElementFilter } from './filter.js';
import { encodeKey } from './keys.js';
import type { StoredPath } from './paths.js';

/** One member element as stored (keys already escaped). */
export type MemberElement = Record<string, unknown> & { value: string };

const MEMBER_KEYS = ['value', 'display', 'type', '$ref'];

/** Member elements of a change value: objects with a non-empty string `value`, known sub-attributes only. */
export function memberElements(v: unknown): MemberElement[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const byValue = new Map<string, MemberElement>();
  for (const m of list) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    const src = m as Record<string, unknown>;
    if (typeof src.value !== 'string' || src.value === '') continue;
    const el: Record<string, unknown> = {};
    for (const k of MEMBER_KEYS) if (src[k] !== undefined && src[k] !== null) el[encodeKey(k)] = src[k];
    // The same member twice in one list: one element, later fields winning (as the core merges).
    const prev = byValue.get(src.value);
    byValue.set(src.value, (prev ? { ...prev, ...el } : el) as MemberElement);
  }
  return [...byValue.values()];
}

/** The value of a `value eq "<string>"` member filter (how Entra ID removes one member). */
export function exactMemberValue(where: FilterNode): string | undefined {
  if (where.type !== 'compare' || where.op !== 'eq' || typeof where.value !== 'string') return undefined;
  return where.path.attr === 'value' && where.path.sub === undefined && where.path.uri === undefined ? where.value : undefined;
}

/** What the member changes of one PATCH amount to. */
export type MemberPlan =
  | { kind: 'none' }
  | { kind: 'delta'; adds: MemberElement[]; removes: string[]; pull?: Query | boolean }
  | { kind: 'set'; list: MemberElement[] }
  | { kind: 'cas' };

/** Decoded view of an element, for evaluating member filters in memory. */
function decoded(el: MemberElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(el)) out[k === '%24ref' ? '$ref' : k] = v;
  return out;
}

/** Folds the member changes of one PATCH, in order. */
export function planMembers(changes: readonly Change[], members: StoredPath, schema: FilterSchema): MemberPlan {
  if (changes.length === 0) return { kind: 'none' };
  let mode: 'delta' | 'set' = 'delta';
  const adds = new Map<string, MemberElement>();
  const removes = new Set<string>();
  let pull: Query | boolean | undefined;
  let list: MemberElement[] = [];
  const elementResolver = (p: { attr: string }) => {
    const sd = members.attrDef.subAttributes?.find((s) => s.name.toLowerCase() === p.attr.toLowerCase());
    return sd ? { attr: sd.name, attrDef: sd } : { attr: p.attr };
  };

  /** False when the removal cannot share one `$pull` with a filtered removal already planned. */
  const removeValues = (values: string[]): boolean => {
    if (mode === 'set') {
      list = list.filter((m) => !values.includes(m.value));
      return true;
    }
    // Values and a filter together would be one `$pull` with `$or`, which servers read differently.
    if (pull !== undefined) return false;
    for (const v of values) {
      adds.delete(v);
      removes.add(v);
    }
    return true;
  };

  for (const ch of changes) {
    const p = ch.path;
    if (p.sub !== undefined) return { kind: 'cas' };
    if (ch.op === 'add' && !p.where) {
      const els = memberElements(ch.value);
      if (mode === 'set') {
        // An added member that is there already takes the new fields (as the core and the embedded store do).
        for (const el of els) {
          const i = list.findIndex((m) => m.value === el.value);
          if (i < 0) list.push(el);
          else list[i] = { ...list[i], ...el } as MemberElement;
        }
      } else {
        // A filtered removal before an add cannot share one update with it (and may match it).
        if (pull !== undefined && els.length) return { kind: 'cas' };
        for (const el of els) {
          removes.delete(el.value);
          const prev = adds.get(el.value);
          adds.set(el.value, prev ? { ...prev, ...el } : el);
        }
      }
    } else if (ch.op === 'replace' && !p.where) {
      mode = 'set';
      list = memberElements(ch.value);
      adds.clear();
      removes.clear();
      pull = undefined;
    } else if (ch.op === 'remove' && !p.where && ch.value === undefined) {
      mode = 'set';
      list = [];
      adds.clear();
      removes.clear();
      pull = undefined;
    } else if (ch.op === 'remove' && !p.where) {
      const values: string[] = [];
      for (const m of ch.value ?? []) {
        const v = typeof m === 'object' && m !== null ? (m as Record<string, unknown>).value : undefined;
        if (typeof v !== 'string') return { kind: 'cas' };
        values.push(v);
      }
      if (!removeValues(values)) return { kind: 'cas' };
    } else if (ch.op === 'remove' && p.where) {
      const one = exactMemberValue(p.where);
      if (one !== undefined) {
        if (!removeValues([one])) return { kind: 'cas' };
        continue;
      }
      const where = p.where;
      if (mode === 'set') {
        list = list.filter((m) => !matchesFilter(where, decoded(m), elementResolver));
        continue;
      }
      if (pull !== undefined || adds.size || removes.size) return { kind: 'cas' };
      const t = translateElementFilter(where, members, schema);
      if (t === undefined) return { kind: 'cas' };
      pull = t;
    } else {
      return { kind: 'cas' };
    }
  }
  if (mode === 'set') return { kind: 'set', list };
  if (adds.size === 0 && removes.size === 0 && pull === undefined) return { kind: 'none' };
  return { kind: 'delta', adds: [...adds.values()], removes: [...removes], ...(pull !== undefined ? { pull } : {}) };
}

/**
 * The server-side expression of "remove these values, then add these members": members already
 * there take the added fields (`$mergeObjects`, as the core's `applyChanges` merges), the others are
 * appended. A pipeline update's `$set` of `members`; client values only appear inside `$literal`.
 */
export function mergeMembersExpression(removes: string[], adds: MemberElement[]): Record<string, unknown> {
  const addValues = adds.map((a) => a.value);
  return {
    $let: {
      vars: {
        kept: {
          $map: {
            input: {
              $filter: {
                input: { $ifNull: ['$members', []] },
                as: 'm',
                cond: { $not: [{ $in: ['$$m.value', { $literal: removes }] }] },
              },
            },
            as: 'm',
            in: {
              $cond: [
                { $in: ['$$m.value', { $literal: addValues }] },
                {
                  $mergeObjects: [
                    '$$m',
                    {
                      $arrayElemAt: [
                        { $filter: { input: { $literal: adds }, as: 'a', cond: { $eq: ['$$a.value', '$$m.value'] } } },
                        0,
                      ],
                    },
                  ],
                },
                '$$m',
              ],
            },
          },
        },
      },
      in: {
        $concatArrays: [
          '$$kept',
          {
            $filter: {
              input: { $literal: adds },
              as: 'a',
              cond: { $not: [{ $in: ['$$a.value', '$$kept.value'] }] },
            },
          },
        ],
      },
    },
  };
}
