/**
 * One collection of a tenant store: every resource kept as one string, its stored form (see
 * codec.ts), in insertion order, with hash indexes of row numbers beside it (hash-index.ts). A
 * user of the usual shape takes about 250 bytes here; as a document object with a Map entry per
 * index it took over 700. Reads decode the rows they return (a few µs each), so what they return is
 * a new object the caller may keep or change.
 */
import { decode, hasId, pack, plainId, storedId, unpack } from './codec.js';
import { HashIndex, hashKey, PROBE_END } from './hash-index.js';

export type Doc = Record<string, unknown> & { id: string };

/** An indexed attribute: `fold` compares it case-insensitively (as SCIM's caseExact false does). */
export interface IndexedField {
  name: string;
  fold: boolean;
}

const NONE: ReadonlySet<string> = new Set();

/** The index key of a value (strings, numbers, booleans; not objects). */
function keyOf(v: unknown, fold: boolean): string | undefined {
  if (v === undefined || v === null || typeof v === 'object') return undefined;
  const s = String(v);
  return fold ? s.toLowerCase() : s;
}

/** `doc` with `id` as its first key (then {@link storedId} reads it without decoding). */
function idFirst(doc: Doc): Doc {
  for (const k in doc) {
    if (k === 'id') return doc;
    break;
  }
  const { id, ...rest } = doc;
  return { id, ...rest };
}

/**
 * The JSON text a table keeps of `doc` (packed, see codec.ts): `id` first. A caller that needs the
 * document's JSON too (the journal) computes it once with this and hands it to {@link RowTable.put}.
 */
export function storedJson(doc: Doc): string {
  return JSON.stringify(idFirst(doc));
}

/**
 * Positions of the live rows (a Fenwick tree of 0/1 per row): the k-th resource in insertion order
 * in O(log n) while deleted rows are still holes.
 */
class Positions {
  private tree = new Int32Array(17);

  /** Rebuilds for rows below `capacity` from their liveness. */
  rebuild(capacity: number, live: (row: number) => boolean): void {
    const n = Math.max(16, capacity);
    const t = new Int32Array(n + 1);
    for (let i = 1; i <= n; i++) {
      if (live(i - 1)) t[i] = (t[i] as number) + 1;
      const j = i + (i & -i);
      if (j <= n) t[j] = (t[j] as number) + (t[i] as number);
    }
    this.tree = t;
  }

  fits(row: number): boolean {
    return row + 1 < this.tree.length;
  }

  add(row: number, d: number): void {
    const t = this.tree;
    for (let x = row + 1; x < t.length; x += x & -x) t[x] = (t[x] as number) + d;
  }

  /** The row of the k-th live row (0-based). */
  select(k: number): number {
    const t = this.tree;
    const n = t.length - 1;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    let pos = 0;
    let rem = k;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && (t[next] as number) <= rem) {
        pos = next;
        rem -= t[next] as number;
      }
    }
    return pos;
  }
}

/**
 * The rows of a {@link RowTable} as they were when {@link RowTable.capture} took it, however they
 * change afterwards: the table's row array itself, and the rows overwritten since, with the stored
 * form each had (stored forms are immutable strings). Taking one copies nothing.
 */
export class RowsView {
  /** Rows written since the capture (by {@link RowTable}), with what they held then. */
  readonly before = new Map<number, string | undefined>();
  constructor(
    readonly rows: readonly (string | undefined)[],
    readonly length: number,
  ) {}

  /** Row `r`'s stored form at the capture (undefined: deleted). */
  at(r: number): string | undefined {
    return this.before.size > 0 && this.before.has(r) ? this.before.get(r) : this.rows[r];
  }
}

export class RowTable {
  /** Stored forms by row; undefined = deleted (a hole until the rows are compacted). */
  private rows: (string | undefined)[] = [];
  /** Views taken by {@link capture} and not released: a row written keeps its old value there. */
  private views: RowsView[] = [];
  private live = 0;
  private readonly ids = new HashIndex();
  private readonly indexes: { field: IndexedField; index: HashIndex }[];
  private readonly positions = new Positions();
  /** The id {@link rowOf} looked up last and its row (−1: none); forgotten when rows change. */
  private lastId: string | undefined = undefined;
  private lastRow = -1;

  constructor(fields: readonly IndexedField[]) {
    this.indexes = fields.map((field) => ({ field, index: new HashIndex() }));
  }

  /** Number of resources. */
  get size(): number {
    return this.live;
  }

  private rowOf(id: string): number {
    if (typeof id !== 'string') return -1;
    // A write looks its id up twice (the current resource or that it is free, then the put).
    if (id === this.lastId) return this.lastRow;
    const row = this.findRow(id);
    this.lastId = id;
    this.lastRow = row;
    return row;
  }

  /** Forgets the last lookup ({@link rowOf}): a resource was deleted or rows were renumbered. */
  private forgetLookup(): void {
    this.lastId = undefined;
    this.lastRow = -1;
  }

  private findRow(id: string): number {
    const plain = plainId(id);
    const h = hashKey(id);
    const ids = this.ids;
    for (let i = ids.home(h); ; i = ids.next(i)) {
      const r = ids.rowAt(i, h);
      if (r === PROBE_END) return -1;
      if (r >= 0 && hasId(this.rows[r] as string, id, plain)) return r;
    }
  }

  has(id: string): boolean {
    return this.rowOf(id) >= 0;
  }

  /** The resource, decoded (a new object), or undefined. */
  get(id: string): Doc | undefined {
    const r = this.rowOf(id);
    return r < 0 ? undefined : (decode(this.rows[r] as string) as Doc);
  }

  /** The stored form of a resource. */
  stored(id: string): string | undefined {
    const r = this.rowOf(id);
    return r < 0 ? undefined : this.rows[r];
  }

  /**
   * Inserts `doc`, or replaces the resource with its id in place (its position in the order is
   * kept). Returns the stored form it replaced. Nothing keeps `doc`. `json` is
   * {@link storedJson}`(doc)` when the caller has it already.
   */
  put(doc: Doc, json?: string): string | undefined {
    if (typeof doc.id !== 'string') throw new TypeError('a stored resource needs a string id');
    const stored = pack(json ?? storedJson(doc));
    const r = this.rowOf(doc.id);
    if (r >= 0) {
      const old = this.rows[r];
      if (this.views.length) this.keepForViews(r);
      this.rows[r] = stored;
      for (const { field, index } of this.indexes) {
        const k = keyOf(doc[field.name], field.fold);
        const h = k === undefined ? -1 : hashKey(k);
        if (h === index.rowHash[r]) continue;
        index.remove(r);
        if (h >= 0) index.add(r, h);
      }
      return old;
    }
    const row = this.rows.length;
    this.rows.push(stored);
    this.lastId = doc.id;
    this.lastRow = row;
    this.live++;
    if (this.positions.fits(row)) this.positions.add(row, 1);
    else this.positions.rebuild(row * 2, (i) => this.rows[i] !== undefined);
    this.ids.add(row, hashKey(doc.id));
    for (const { field, index } of this.indexes) {
      const k = keyOf(doc[field.name], field.fold);
      if (k !== undefined) index.add(row, hashKey(k));
    }
    return undefined;
  }

  /** Deletes a resource; returns its stored form (undefined when there was none). */
  delete(id: string): string | undefined {
    const r = this.rowOf(id);
    if (r < 0) return undefined;
    const old = this.rows[r];
    if (this.views.length) this.keepForViews(r);
    this.rows[r] = undefined;
    this.forgetLookup();
    this.live--;
    this.positions.add(r, -1);
    this.ids.remove(r);
    for (const { index } of this.indexes) index.remove(r);
    const holes = this.rows.length - this.live;
    if (holes > 1024 && holes > this.live) this.compactRows();
    return old;
  }

  /** Drops the holes deleted rows left (row numbers change; nothing outside holds them). */
  private compactRows(): void {
    const to = new Int32Array(this.rows.length).fill(-1);
    const rows: string[] = [];
    for (let r = 0; r < this.rows.length; r++) {
      const s = this.rows[r];
      if (s === undefined) continue;
      to[r] = rows.length;
      rows.push(s);
    }
    this.rows = rows;
    this.forgetLookup();
    this.ids.renumber(to, rows.length);
    for (const { index } of this.indexes) index.renumber(to, rows.length);
    this.positions.rebuild(rows.length * 2, (i) => i < rows.length);
  }

  /** Ids of the resources whose `field` equals `value` (case-insensitively when the field folds). */
  find(name: string, value: unknown): ReadonlySet<string> {
    const docs = this.findDocs(name, value);
    if (docs.length === 0) return NONE;
    const out = new Set<string>();
    for (const d of docs) out.add(d.id);
    return out;
  }

  /**
   * The resources whose `field` equals `value`, decoded (new objects, as {@link get} gives them):
   * telling a match from another key in the same hash bucket decodes the row anyway, so a lookup
   * that wants the resources takes these rather than reading each id again.
   */
  findDocs(name: string, value: unknown): Doc[] {
    const entry = this.indexes.find((i) => i.field.name === name);
    if (!entry) throw new Error(`no index on ${name}`);
    const { field, index } = entry;
    const k = keyOf(value, field.fold);
    if (k === undefined) return [];
    const out: Doc[] = [];
    index.each(hashKey(k), (r) => {
      const d = decode(this.rows[r] as string);
      if (keyOf(d[field.name], field.fold) === k) out.push(d as Doc);
      return false;
    });
    return out;
  }

  /** Resources at positions [start, end) of the insertion order, decoded. */
  page(start: number, end: number): Doc[] {
    const stop = Math.min(end, this.live);
    const out: Doc[] = [];
    if (this.rows.length === this.live) {
      for (let k = start; k < stop; k++) out.push(decode(this.rows[k] as string) as Doc);
    } else {
      for (let k = start; k < stop; k++) out.push(decode(this.rows[this.positions.select(k)] as string) as Doc);
    }
    return out;
  }

  /** Stored forms of the resources at positions [start, end) of the insertion order. */
  storedPage(start: number, end: number): string[] {
    const stop = Math.min(end, this.live);
    const out: string[] = [];
    const dense = this.rows.length === this.live;
    for (let k = start; k < stop; k++) out.push(this.rows[dense ? k : this.positions.select(k)] as string);
    return out;
  }

  /**
   * Every resource in insertion order, decoded one at a time; with `needle`, only those whose JSON
   * text, lower-cased, contains it (the others are not decoded: a scan costs about a µs per
   * resource it skips).
   */
  *scan(needle?: string): Generator<Doc> {
    for (const s of this.storedForms()) {
      if (needle === undefined) yield decode(s) as Doc;
      else {
        const json = unpack(s);
        if (json.toLowerCase().includes(needle)) yield JSON.parse(json) as Doc;
      }
    }
  }

  /** Every stored form in insertion order. */
  *storedForms(): Generator<string> {
    // Indexes, not an iterator over the array: a compaction replaces `rows`.
    for (let r = 0; r < this.rows.length; r++) {
      const s = this.rows[r];
      if (s !== undefined) yield s;
    }
  }

  /**
   * The stored forms as they are now, in insertion order (see {@link RowsView}), until
   * {@link release}: O(1) however many rows there are (a million users' row array took 50 ms to
   * copy), and each row written meanwhile costs its first write one map entry.
   */
  capture(): RowsView {
    const view = new RowsView(this.rows, this.rows.length);
    this.views.push(view);
    return view;
  }

  /** Ends a {@link capture}: writes stop keeping old values for it. */
  release(view: RowsView): void {
    this.views = this.views.filter((v) => v !== view);
  }

  /**
   * Row `r` is about to be written: views of this row array that see it and have not kept its old
   * value keep it. (When the rows are compacted, the array is replaced and the old one, which the
   * views hold, is never written again.)
   */
  private keepForViews(r: number): void {
    for (const v of this.views) {
      if (v.rows === this.rows && r < v.length && !v.before.has(r)) v.before.set(r, this.rows[r]);
    }
  }

  /** The id of a stored form. */
  static idOf(stored: string): string {
    return storedId(stored) ?? decode(stored).id;
  }
}
