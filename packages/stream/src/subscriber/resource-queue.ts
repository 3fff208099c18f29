/**
 * The subscriber's scheduling: one chain per resource (its messages run one after another, in the
 * order they were queued, which is stream order), any number of chains side by side, and a
 * message known by its stream sequence while it is queued or running (a second delivery of it
 * joins it instead of running again).
 */

/** What the queue needs of an entry. */
export interface Queued {
  seq: number;
}

/** Per-resource chains of entries. */
export class ResourceQueue<E extends Queued> {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly byKey = new Map<string, { entry: E; done: Promise<void> }[]>();
  private readonly bySeq = new Map<number, { entry: E; done: Promise<void> }>();

  /** @param onIdle called whenever the last queued entry has finished. */
  constructor(private readonly onIdle: () => void = () => {}) {}

  /** The entry queued or running with this sequence. */
  get(seq: number): E | undefined {
    return this.bySeq.get(seq)?.entry;
  }

  /** Entries queued or running. */
  get size(): number {
    return this.bySeq.size;
  }

  /** True when entries of `key` are queued or running. */
  busy(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Queues `entry` behind the entries of `key`; `run` is called when its turn comes (and must not reject). */
  push(key: string, entry: E, run: () => Promise<void>): void {
    const before = this.tails.get(key) ?? Promise.resolve();
    const done = before.then(run);
    const item = { entry, done };
    this.bySeq.set(entry.seq, item);
    const list = this.byKey.get(key);
    if (list) list.push(item);
    else this.byKey.set(key, [item]);
    this.tails.set(key, done);
    void done.finally(() => {
      this.bySeq.delete(entry.seq);
      const l = this.byKey.get(key);
      if (l) {
        const i = l.indexOf(item);
        if (i !== -1) l.splice(i, 1);
        if (l.length === 0) this.byKey.delete(key);
      }
      if (this.tails.get(key) === done) this.tails.delete(key);
      if (this.bySeq.size === 0) this.onIdle();
    });
  }

  /** Resolves once the entries of `key` with a sequence below `seq` have finished. */
  async before(key: string, seq: number): Promise<void> {
    const list = this.byKey.get(key);
    if (!list) return;
    await Promise.all(list.filter((i) => i.entry.seq < seq).map((i) => i.done));
  }

  /** Resolves once every entry queued now has finished. */
  async drained(): Promise<void> {
    await Promise.all([...this.bySeq.values()].map((i) => i.done.catch(() => {})));
  }
}
