/**
 * What this gateway has written to a directory, in order, so state kept
 * between list requests (sorted lists, DN snapshots) can tell whether a
 * write may have changed a listing: an add, delete or rename may change
 * any listing; a modify only those whose filter or sort names an attribute
 * it changed.
 */

/** A set of attribute names (lower-cased), or every attribute. */
export type AttributeSet = ReadonlySet<string> | '*';

interface Write {
  generation: number;
  /** Attributes a modify changed; `undefined` for an add, delete or rename. */
  attrs: ReadonlySet<string> | undefined;
}

/** Writes remembered; a listing older than all of them counts as changed. */
const KEEP = 1024;

/** The write history of one directory. */
export class WriteLog {
  private count = 0;
  private readonly writes: Write[] = [];

  /** Increases with every write. */
  get generation(): number {
    return this.count;
  }

  /** An entry was added, deleted or renamed. */
  structure(): void {
    this.push(undefined);
  }

  /** An entry's attributes were modified. */
  modified(attributes: Iterable<string>): void {
    this.push(new Set([...attributes].map((a) => a.toLowerCase())));
  }

  private push(attrs: ReadonlySet<string> | undefined): void {
    this.writes.push({ generation: ++this.count, attrs });
    if (this.writes.length > KEEP) this.writes.shift();
  }

  /**
   * Whether a write after `generation` may have changed a listing whose
   * filter and sort use `depends`.
   *
   * @example
   * log.changedSince(view.generation, new Set(['objectclass', 'uid']))
   */
  changedSince(generation: number, depends: AttributeSet): boolean {
    if (generation >= this.count) return false;
    const oldest = this.writes[0]?.generation ?? this.count + 1;
    if (generation + 1 < oldest) return true;
    for (const w of this.writes) {
      if (w.generation <= generation) continue;
      if (w.attrs === undefined || depends === '*') return true;
      for (const a of w.attrs) if (depends.has(a)) return true;
    }
    return false;
  }
}
