/**
 * Objects of a target's answer recognised by their bytes instead of scanned (issue 20): most
 * records in a page are byte for byte those last mapped for their id, and one native comparison
 * proves it where scan.ts would read every byte.
 *
 * Why equal bytes are proof, however the candidate was found: a {@link Known} object's bytes are
 * always the whole range `objectAt` (scan.ts) found for one object in an earlier answer, which
 * `JSON.parse` accepted as a record the caller then mapped into `value`. objectAt reads left to
 * right and stops at the brace that closes the object, looking at no byte beyond it; run on an
 * answer from an offset where the same bytes stand, it goes through the same steps and stops at
 * the same place. So the object there is exactly those bytes, no longer and no shorter, parses to
 * the same record and maps to the same value. A candidate found by a wrong guess (another
 * record's id, a nested object's, one cut at an escaped quote) holds other bytes: the comparison
 * fails and the object is scanned as before. Nothing but the comparison is trusted.
 */

const QUOTE = 0x22;
const COLON = 0x3a;

/** `"id"` as bytes. */
const ID_KEY = Buffer.from('"id"');
/** An `id` key further than this from the object's brace is not tried (it is rarely past `schemas`). */
const MAX_ID_OFFSET = 1024;
/** Nor an id longer than this. */
const MAX_ID_LENGTH = 256;

/** An object known from an earlier answer. */
export interface Known<T> {
  /** Its bytes: one complete JSON object as objectAt found it; undefined once forgotten. */
  bytes: Buffer | undefined;
  /** What its record mapped to (only read while `bytes` are there). */
  value: T;
  /** The object that followed it in the last list where both were known (a page read again is found in order). */
  next: Known<T> | undefined;
}

/**
 * The caller's known object for an id read from an answer's bytes `idStart`–`idEnd`, or undefined.
 * Its bytes need not be the answer's (they are compared here); for a list's objects of one tenant,
 * it gives only that tenant's objects.
 */
export type KnownById<T> = (b: Buffer, idStart: number, idEnd: number) => Known<T> | undefined;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Buffer, i: number): number {
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

/** `k`'s bytes stand in `b` at `start`. */
function standsAt<T>(k: Known<T> | undefined, b: Buffer, start: number): k is Known<T> {
  const bytes = k?.bytes;
  return bytes !== undefined && start + bytes.length <= b.length && bytes.compare(b, start, start + bytes.length) === 0;
}

/**
 * Recognises known objects in one answer, object after object (offsets only ever grow): first the
 * object that followed the previous one last time, else the one found by a guessed id.
 */
export class KnownObjects<T> {
  /** Where the first `"id"` at or after the last search's start is, -1 when nowhere, -2 before any search. */
  #key = -2;
  /** The id read after `#key` (-1: none). */
  #idStart = -1;
  #idEnd = -1;
  /** The object recognised just before (in a list). */
  #previous: Known<T> | undefined;

  constructor(
    readonly b: Buffer,
    readonly byId: KnownById<T>,
  ) {}

  /** The known object whose bytes start at `start` (an opening brace), or undefined. */
  at(start: number): Known<T> | undefined {
    const previous = this.#previous;
    let k = previous?.next;
    if (!standsAt(k, this.b, start)) {
      k = this.#guess(start) ? this.byId(this.b, this.#idStart, this.#idEnd) : undefined;
      if (!standsAt(k, this.b, start)) k = undefined;
      if (previous !== undefined && k !== undefined) previous.next = k;
    }
    this.#previous = k;
    return k;
  }

  /**
   * Guesses the id of the object at `start`: the string after the first `"id"` key from there,
   * wherever that key sits (found by a native search, never checked: see the file's comment). The
   * search is remembered, so objects without the key do not search the rest of the answer again.
   */
  #guess(start: number): boolean {
    if (this.#key === -2 || (this.#key >= 0 && this.#key < start)) this.#read(this.b.indexOf(ID_KEY, start));
    return this.#key >= 0 && this.#key - start <= MAX_ID_OFFSET && this.#idStart >= 0;
  }

  #read(key: number): void {
    this.#key = key;
    this.#idStart = -1;
    if (key < 0) return;
    const b = this.b;
    let j = skipSpace(b, key + ID_KEY.length);
    if (b[j] !== COLON) return;
    j = skipSpace(b, j + 1);
    if (b[j] !== QUOTE) return;
    // Quote searches of successive keys cover disjoint bytes (a key holds quotes): linear in all.
    const end = b.indexOf(QUOTE, j + 1);
    if (end < 0 || end - j - 1 > MAX_ID_LENGTH) return;
    this.#idStart = j + 1;
    this.#idEnd = end;
  }
}
