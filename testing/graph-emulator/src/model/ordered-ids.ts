/**
 * An insertion-ordered id set with O(1) add/remove/has and resumable iteration by sequence
 * number — the storage of every directory collection and of each group's members, so adding
 * one member to a 100,000-member group touches nothing else and paging never rescans.
 */
export class OrderedIds {
  private ids: Array<string | undefined> = [];
  private seqs: number[] = [];
  private readonly index = new Map<string, number>();
  private holes = 0;

  /** Number of ids in the set. */
  get size(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Adds `id` with sequence number `seq` (which must grow with every call); false if present. */
  add(id: string, seq: number): boolean {
    if (this.index.has(id)) return false;
    this.index.set(id, this.ids.length);
    this.ids.push(id);
    this.seqs.push(seq);
    return true;
  }

  delete(id: string): boolean {
    const position = this.index.get(id);
    if (position === undefined) return false;
    this.index.delete(id);
    this.ids[position] = undefined;
    this.holes++;
    if (this.holes > 1024 && this.holes > this.index.size) this.compact();
    return true;
  }

  /** Sequence number of `id`, if present. */
  seqOf(id: string): number | undefined {
    const position = this.index.get(id);
    return position === undefined ? undefined : this.seqs[position];
  }

  /** Ids with a sequence number above `afterSeq`, in insertion order. */
  *after(afterSeq = -1): Generator<{ id: string; seq: number }> {
    let low = 0;
    let high = this.seqs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.seqs[mid] as number) <= afterSeq) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < this.ids.length; i++) {
      const id = this.ids[i];
      if (id !== undefined) yield { id, seq: this.seqs[i] as number };
    }
  }

  /** All ids, in insertion order. */
  values(): string[] {
    return this.ids.filter((id): id is string => id !== undefined);
  }

  private compact(): void {
    const ids: string[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const id = this.ids[i];
      if (id === undefined) continue;
      this.index.set(id, ids.length);
      ids.push(id);
      seqs.push(this.seqs[i] as number);
    }
    this.ids = ids;
    this.seqs = seqs;
    this.holes = 0;
  }
}
