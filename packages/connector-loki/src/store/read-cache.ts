/**
 * The read path's cache: decoded resources kept while their stored form is unchanged, and each
 * user's `groups` kept while that user's memberships and the names of the groups are unchanged.
 *
 * What it hands out is deeply frozen and the same object on every read until the resource changes,
 * so the layers above can keep their work per object (core's shaping, `@scimgw/server`'s JSON)
 * and a page of users in the steady state neither parses, shapes nor serializes them.
 *
 * - Decoded resources are keyed by their stored form (codec.ts): a write stores a new string, so a
 *   changed resource is never found under its old text, and equal text always decodes to an equal
 *   resource. Nothing has to be told about writes. A resource is kept from its second read (the
 *   first is decoded as without the cache). The cache is filled by reads only (never by
 *   seeding, imports or writes) and bounded by an estimate of the bytes it keeps
 *   ({@link ReadCacheOptions.maxBytes}), least recently read out first.
 * - A user's `groups` (ids and display names) are kept per user, dropped when a membership of that
 *   user changes ({@link memberChanged}) and all at once when a group is renamed, deleted or comes
 *   back ({@link groupsRenamed}), which the store tells it.
 */
import { decode } from './codec.js';
import type { Doc } from './rows.js';

/** One element of a user's `groups`, as the store computes it. */
export interface GroupRef {
  readonly value: string;
  readonly display: unknown;
  readonly type: 'direct';
}

/** No groups: the same frozen empty list for every user without any. */
export const NO_GROUPS: readonly GroupRef[] = Object.freeze([]);

/** Options of {@link ReadCache}. */
export interface ReadCacheOptions {
  /** Upper bound of the estimated bytes of decoded resources kept. Default 16 MiB; 0 keeps none. */
  maxBytes?: number | undefined;
}

/** Default of {@link ReadCacheOptions.maxBytes}. */
export const DEFAULT_READ_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Estimated heap bytes of a decoded resource from its stored form's length: a JSON.parse'd user
 * takes about four bytes of objects and strings per byte of its stored form, plus the map entry.
 */
const sizeOf = (stored: string): number => 96 + 4 * stored.length;

/** Deeply freezes a value JSON.parse made (plain objects, arrays, primitives). */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const k in v) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

/** Group display names for a user's `groups` (from the store). */
export type GroupNames = (groupId: string) => unknown;

/**
 * A kept resource: the frozen document and what a reader keeps for it while it is kept (users.ts:
 * the user's view with its `groups`), found with the document in one lookup.
 */
export class KeptDoc {
  /** Read since the eviction hand last passed (a second chance: a hit costs no Map writes). */
  used = false;
  /** The reader's, for this document (never looked at here). */
  attached: unknown = undefined;

  constructor(readonly doc: Doc) {}
}

export class ReadCache {
  /** Decoded resources by stored form, in the order the eviction hand visits them. */
  private readonly docs = new Map<string, KeptDoc>();
  private docBytes = 0;
  private readonly maxBytes: number;
  /** Stored forms read once and not kept yet (at most maxBytes / 256 of them, then forgotten). */
  private readonly seen = new Set<string>();
  /** Users' `groups` by user id (only users with groups that were read). */
  private readonly groups = new Map<string, readonly GroupRef[]>();
  private groupRefs = 0;
  /**
   * Changes with every membership change and group rename: while it is unchanged, no user's
   * `groups` changed, and a view made with it is still right without looking anything up.
   */
  generation = 0;

  constructor(opts: ReadCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_READ_CACHE_BYTES;
  }

  /**
   * The resource of a stored form: from its second read on frozen, the same object while it is
   * kept; the first read decodes it anew (a new object, not frozen).
   */
  doc(stored: string): Doc {
    const got = this.kept(stored);
    return got instanceof KeptDoc ? got.doc : got;
  }

  /**
   * {@link doc} as its cache entry when the resource is kept ({@link KeptDoc}); a resource read for
   * the first time is only decoded, and comes back as the document.
   */
  kept(stored: string): KeptDoc | Doc {
    const docs = this.docs;
    const hit = docs.get(stored);
    if (hit !== undefined) {
      hit.used = true;
      return hit;
    }
    const size = sizeOf(stored);
    // Kept from the second read on: a resource read once (a lookup nobody repeats) costs what it
    // did without the cache, a decode, and is handed out unfrozen (nothing above keeps it either).
    if (size > this.maxBytes / 8) return decode(stored) as Doc;
    if (!this.seen.has(stored)) {
      if (this.seen.size >= this.maxBytes / 256) this.seen.clear();
      this.seen.add(stored);
      return decode(stored) as Doc;
    }
    this.seen.delete(stored);
    const entry = new KeptDoc(deepFreeze(decode(stored) as Doc));
    docs.set(stored, entry);
    this.docBytes += size;
    // Out go the entries not read since the hand last passed them (CLOCK); read ones go to the back.
    while (this.docBytes > this.maxBytes) {
      const [oldest, old] = docs.entries().next().value as [string, KeptDoc];
      docs.delete(oldest);
      if (old.used) {
        old.used = false;
        docs.set(oldest, old);
      } else this.docBytes -= sizeOf(oldest);
    }
    return entry;
  }

  /**
   * A user's `groups`: frozen, the same list until a membership of the user changes or a group is
   * renamed; {@link NO_GROUPS} for a user in no group.
   */
  groupsOf(userId: string, groupIds: ReadonlySet<string>, names: GroupNames): readonly GroupRef[] {
    if (groupIds.size === 0) return NO_GROUPS;
    const hit = this.groups.get(userId);
    if (hit !== undefined) return hit;
    const list: GroupRef[] = [];
    for (const gid of groupIds) list.push(Object.freeze({ value: gid, display: names(gid), type: 'direct' as const }));
    Object.freeze(list);
    if (this.maxBytes === 0) return list;
    // Bounded like the resources (an element costs about 160 bytes): when full, start over.
    if ((this.groupRefs + list.length) * 160 > this.maxBytes) this.groupsRenamed();
    this.groups.set(userId, list);
    this.groupRefs += list.length;
    return list;
  }

  /** A membership of `userId` changed (added to or removed from a group). */
  memberChanged(userId: string): void {
    this.generation++;
    const hit = this.groups.get(userId);
    if (hit === undefined) return;
    this.groups.delete(userId);
    this.groupRefs -= hit.length;
  }

  /** A group's name changed, or a group went or came back: every user's `groups` is computed anew. */
  groupsRenamed(): void {
    this.generation++;
    this.groups.clear();
    this.groupRefs = 0;
  }

  /** Estimated bytes of decoded resources kept (tests). */
  get bytes(): number {
    return this.docBytes;
  }

  /** Number of users whose `groups` are kept (tests). */
  get groupLists(): number {
    return this.groups.size;
  }
}
