/**
 * Hash indexes over the rows of a {@link RowTable}: open addressing in typed arrays, keyed by a
 * 31-bit hash of the key and holding row numbers. The keys themselves are not kept (they are in
 * the stored resources), so an index costs 8 to 16 bytes per row instead of a Map entry plus a key
 * string; a lookup confirms each row whose hash matches by reading the key from the row.
 */

/** 31-bit hash of a string (FNV-1a over UTF-16 code units, then mixed). */
export function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 1;
}

const EMPTY = 0;
const GONE = -1;

/** {@link HashIndex.rowAt}: no row of the hash in this slot; the sequence goes on. */
export const PROBE_SKIP = -1;
/** {@link HashIndex.rowAt}: the probe sequence ends here. */
export const PROBE_END = -2;

/** A multimap hash → rows. Slots hold row + 1 (0 empty, −1 deleted); each row's hash is kept per row. */
export class HashIndex {
  private slots = new Int32Array(16);
  /** The hash each row is filed under, or −1 when it is not in the index. */
  rowHash = new Int32Array(0);
  private used = 0;
  private gone = 0;

  /** Makes room for rows below `rows`. */
  reserve(rows: number): void {
    if (rows <= this.rowHash.length) return;
    const next = new Int32Array(Math.max(rows, this.rowHash.length * 2, 16)).fill(-1);
    next.set(this.rowHash);
    this.rowHash = next;
  }

  /** Files `row` under hash `h` (a row is filed at most once; call {@link remove} first). */
  add(row: number, h: number): void {
    this.reserve(row + 1);
    if ((this.used + this.gone + 1) * 4 > this.slots.length * 3) this.rehash();
    const mask = this.slots.length - 1;
    let i = h & mask;
    for (;;) {
      const s = this.slots[i] as number;
      if (s === EMPTY || s === GONE) {
        if (s === GONE) this.gone--;
        this.slots[i] = row + 1;
        break;
      }
      i = (i + 1) & mask;
    }
    this.rowHash[row] = h;
    this.used++;
  }

  /** Takes `row` out of the index (nothing when it is not in it). */
  remove(row: number): void {
    const h = row < this.rowHash.length ? (this.rowHash[row] as number) : -1;
    if (h < 0) return;
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i] as number;
      if (s === EMPTY) break;
      if (s === row + 1) {
        this.slots[i] = GONE;
        this.gone++;
        this.used--;
        break;
      }
    }
    this.rowHash[row] = -1;
  }

  /** Rows filed under hash `h`, each passed to `visit` (stop by returning true); unconfirmed. */
  each(h: number, visit: (row: number) => boolean | undefined): void {
    for (let i = this.home(h); ; i = this.next(i)) {
      const r = this.rowAt(i, h);
      if (r === PROBE_END) return;
      if (r >= 0 && visit(r)) return;
    }
  }

  /**
   * The first slot of hash `h`'s probe sequence. With {@link next} and {@link rowAt}, a lookup walks
   * the rows filed under `h` without a callback (what every read and write by id does).
   */
  home(h: number): number {
    return h & (this.slots.length - 1);
  }

  /** The slot after slot `i` in a probe sequence. */
  next(i: number): number {
    return (i + 1) & (this.slots.length - 1);
  }

  /**
   * The row in slot `i` when it is filed under `h` (unconfirmed); {@link PROBE_SKIP} for a slot of
   * another hash or of a deleted row, {@link PROBE_END} where the sequence ends.
   */
  rowAt(i: number, h: number): number {
    const s = this.slots[i] as number;
    if (s === EMPTY) return PROBE_END;
    return s > 0 && this.rowHash[s - 1] === h ? s - 1 : PROBE_SKIP;
  }

  /** Renumbers rows after the table dropped its holes (`to[old row]` = new row, or −1). */
  renumber(to: Int32Array, rows: number): void {
    const hashes = new Int32Array(Math.max(rows, 16)).fill(-1);
    for (let r = 0; r < to.length && r < this.rowHash.length; r++) {
      const n = to[r] as number;
      if (n >= 0) hashes[n] = this.rowHash[r] as number;
    }
    this.rowHash = hashes;
    this.rehash();
  }

  /** Rebuilds the slots from the per-row hashes, at most half full (they grow again at three quarters). */
  private rehash(): void {
    let count = 0;
    for (let r = 0; r < this.rowHash.length; r++) if ((this.rowHash[r] as number) >= 0) count++;
    let size = 16;
    while (size < (count + 1) * 2) size *= 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let r = 0; r < this.rowHash.length; r++) {
      const h = this.rowHash[r] as number;
      if (h < 0) continue;
      let i = h & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = r + 1;
    }
    this.slots = slots;
    this.used = count;
    this.gone = 0;
  }
}
