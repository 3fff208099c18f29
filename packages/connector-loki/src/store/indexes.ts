// Group membership, kept beside the stored groups (members are not part of a group's stored form).

const EMPTY: ReadonlySet<string> = new Set();
const NO_MEMBERS: readonly Record<string, unknown>[] = Object.freeze([]);

/**
 * Group membership: per group, members keyed by `value`; and the reverse
 * map member → groups. Adding or removing one member touches only that
 * member's entries, whatever the group's size.
 */
export class Membership {
  private readonly byGroup = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly byMember = new Map<string, Set<string>>();
  /** The arrays {@link members} handed out, per group, until its membership changes. */
  private readonly frozen = new Map<string, readonly Record<string, unknown>[]>();
  /**
   * Receives, for every change, the function that reverts it (set by the store while it records an
   * undo log; see `TenantStore`).
   */
  onUndo: ((undo: () => void) => void) | undefined;
  /** Told the member `value` joined or left a group (the store's read cache drops its `groups`). */
  onMemberChange: ((value: string) => void) | undefined;

  /**
   * Members of a group, in insertion order: one frozen array of frozen elements, the same instance
   * on every call until the group's membership changes. A host can therefore serialize a group's
   * members once and reuse the bytes while they are unchanged (`@scimgw/server`'s `sendJson` does:
   * it caches the JSON of frozen arrays), and reads allocate nothing per member.
   */
  members(groupId: string): readonly Record<string, unknown>[] {
    let list = this.frozen.get(groupId);
    if (list) return list;
    const m = this.byGroup.get(groupId);
    if (!m) return NO_MEMBERS;
    list = Object.freeze([...m.values()]);
    this.frozen.set(groupId, list);
    return list;
  }

  /** Members of a group as a new array, not kept (snapshots, filters, rare PATCH forms). */
  list(groupId: string): Record<string, unknown>[] {
    const m = this.byGroup.get(groupId);
    return m ? [...m.values()] : [];
  }

  /**
   * Members of a group as they are now, for a snapshot written later: the frozen array
   * {@link members} keeps when there is one, otherwise a new array (not kept). Either way later
   * changes do not touch it (its elements are frozen; a change replaces an element). Undefined when
   * the group has no members.
   */
  membersNow(groupId: string): readonly Record<string, unknown>[] | undefined {
    const m = this.byGroup.get(groupId);
    if (!m || m.size === 0) return undefined;
    return this.frozen.get(groupId) ?? [...m.values()];
  }

  count(groupId: string): number {
    return this.byGroup.get(groupId)?.size ?? 0;
  }

  has(groupId: string, value: string): boolean {
    return this.byGroup.get(groupId)?.has(value) ?? false;
  }

  /** Groups that list `value` as a member. */
  groupsOf(value: string): ReadonlySet<string> {
    return this.byMember.get(value) ?? EMPTY;
  }

  /**
   * Adds members; a member already there takes the new `display`/`type`. Returns the entries it
   * added or changed (what the journal must record), not those it left as they were.
   */
  add(groupId: string, members: Record<string, unknown>[]): Record<string, unknown>[] {
    let m = this.byGroup.get(groupId);
    if (!m) this.byGroup.set(groupId, (m = new Map()));
    const added: Record<string, unknown>[] = [];
    for (const member of members) {
      const v = member.value;
      if (typeof v !== 'string' || v === '') continue;
      const existing = m.get(v);
      if (existing) {
        let differs = false;
        for (const k of Object.keys(member)) if (existing[k] !== member[k]) differs = true;
        if (!differs) continue;
        // Elements are frozen (handed out by `members`): a changed member is a new element.
        const next = Object.freeze({ ...existing, ...member });
        m.set(v, next);
        this.frozen.delete(groupId);
        const group = m;
        this.onUndo?.(() => {
          group.set(v, existing);
          this.frozen.delete(groupId);
        });
        added.push(next);
        continue;
      }
      const copy = Object.freeze({ ...member });
      m.set(v, copy);
      this.frozen.delete(groupId);
      added.push(copy);
      this.onUndo?.(() => this.remove(groupId, [v]));
      let g = this.byMember.get(v);
      if (!g) this.byMember.set(v, (g = new Set()));
      g.add(groupId);
      this.onMemberChange?.(v);
    }
    return added;
  }

  /** Removes members by value; returns the values that were present. */
  remove(groupId: string, values: string[]): string[] {
    const m = this.byGroup.get(groupId);
    if (!m) return [];
    const removed: string[] = [];
    for (const v of values) {
      const member = m.get(v);
      if (!member || !m.delete(v)) continue;
      this.frozen.delete(groupId);
      removed.push(v);
      this.onUndo?.(() => this.add(groupId, [member]));
      const g = this.byMember.get(v);
      g?.delete(groupId);
      if (g && g.size === 0) this.byMember.delete(v);
      this.onMemberChange?.(v);
    }
    return removed;
  }

  /** Replaces all members of a group. */
  set(groupId: string, members: Record<string, unknown>[]): void {
    this.drop(groupId);
    this.add(groupId, members);
  }

  /** Forgets a group entirely. */
  drop(groupId: string): void {
    const m = this.byGroup.get(groupId);
    if (m) this.remove(groupId, [...m.keys()]);
    this.byGroup.delete(groupId);
    this.frozen.delete(groupId);
  }
}
