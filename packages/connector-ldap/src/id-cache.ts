/**
 * DN → id answers kept between requests, for id strategies whose ids never
 * change (entryUUID, objectGUID, mS-DS-ConsistencyGuid). Reading a group
 * turns every member DN into an id; without this, each read of a
 * 1,000-member group makes the directory read a thousand entries again
 * (one `memberOf` search) although none of their ids can have changed.
 *
 * What can change is which entry a DN names: an entry renamed, or deleted
 * and another created under the same DN, or one that no longer matches the
 * scope's filter. So the answers are kept per scope (bases and filters) for
 * `idCacheSeconds`, and dropped at once when this gateway adds, deletes or
 * renames an entry, or modifies an attribute a scope filter names (the
 * directory's {@link WriteLog}). Changes made by others are seen after at
 * most `idCacheSeconds`.
 *
 * Next to the DN → id answers a segment keeps the member ids of groups read
 * in it, with the group's change stamp (OpenLDAP's `entryCSN`, which the
 * server renews on every change of the entry). A later read that finds the
 * same stamp on the group reuses the ids without reading its member values;
 * a different stamp means the members are read and resolved again. Being
 * part of the segment, they go with it: after `idCacheSeconds`, and on the
 * gateway's own writes that reset the DN → id answers.
 */
import type { AttributeSet, WriteLog } from './writes.js';

/** Answers kept for one scope since a point in the write history. */
interface Segment {
  created: number;
  generation: number;
  depends: AttributeSet;
  ids: Map<string, string>;
  groups: Map<string, KnownMembers>;
  /** Member ids held in {@link groups}, all groups together. */
  memberCount: number;
}

/** A group's member ids, in the order of its member values, and a digest of them. */
export interface MemberIds {
  ids: readonly string[];
  /**
   * The SCIM `members` value, frozen and handed out by every read while kept: the server
   * serializes a frozen array once and reuses its JSON.
   */
  refs: readonly Readonly<{ value: string }>[];
  /** Changes whenever `ids` does (part of the group's ETag). */
  digest: string;
}

/** A group's member ids as resolved when its change stamp was `stamp`. */
export interface KnownMembers extends MemberIds {
  stamp: string;
}

/** What one resolution reads and writes: the segment current when it began. */
export interface IdCacheView {
  get(dnKey: string): string | undefined;
  set(dnKey: string, id: string): void;
  /** Member ids kept for the group with this SCIM id. */
  members(groupId: string): KnownMembers | undefined;
  /** Keeps a group's member ids with its change stamp. */
  setMembers(groupId: string, known: KnownMembers): void;
}

/** Bound per scope; a segment that grows past it starts again (a working set of one group fits). */
const MAX_PER_SCOPE = 200_000;

/** DN → id answers per scope, bounded in age and size. */
export class IdCache {
  private readonly segments = new Map<string, Segment>();

  /**
   * @param ttlMs how long answers serve (0 keeps none)
   * @param writes the directory's write history
   * @param now clock (tests)
   */
  constructor(
    private readonly ttlMs: number,
    private readonly writes: WriteLog,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The answers for `scopeKey` that are still good, to read and add to.
   * Called before the resolution's searches start, so a write that happens
   * while they run makes the next resolution start afresh.
   *
   * @example
   * const view = cache.view(key, new Set(['objectclass']));
   * const id = view?.get(dnKey(dn));
   */
  view(scopeKey: string, depends: AttributeSet): IdCacheView | undefined {
    if (this.ttlMs <= 0) return undefined;
    const t = this.now();
    let s = this.segments.get(scopeKey);
    if (s === undefined || t - s.created >= this.ttlMs || this.writes.changedSince(s.generation, s.depends)) {
      s = { created: t, generation: this.writes.generation, depends, ids: new Map(), groups: new Map(), memberCount: 0 };
      this.segments.set(scopeKey, s);
    }
    const seg = s;
    return {
      get: (k) => seg.ids.get(k),
      set: (k, id) => {
        if (seg.ids.size >= MAX_PER_SCOPE) seg.ids.clear();
        seg.ids.set(k, id);
      },
      members: (g) => seg.groups.get(g),
      setMembers: (g, known) => {
        const old = seg.groups.get(g);
        if (old) seg.memberCount -= old.ids.length;
        else if (seg.memberCount + known.ids.length > MAX_PER_SCOPE) {
          seg.groups.clear();
          seg.memberCount = 0;
        }
        seg.groups.set(g, known);
        seg.memberCount += known.ids.length;
      },
    };
  }
}
