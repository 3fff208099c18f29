/**
 * Finding the resources in a target's answer without parsing it: the byte range of a lone object
 * (a read by id) or of each element of a list's `Resources`, and each one's `id`. A resource whose
 * bytes are those of the record last mapped for that id needs neither decoding nor `JSON.parse`
 * (see {@link KeptResources}); the others are parsed one by one, and what lies around them (the
 * list's `totalResults` …) is parsed with `Resources` left empty. Each piece is then valid JSON in
 * its place, so the answer as a whole is exactly what `JSON.parse` of all of it would have given.
 * Anything unexpected (a `Resources` key written with escapes or twice, an element that is not an
 * object, bytes around the object) makes the scan give up, and the caller parses the whole answer.
 * An object the caller knows by its bytes is not scanned at all (see known.ts).
 */
import { type KnownById, KnownObjects } from './known.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** `Resources` as bytes. */
const RESOURCES = [0x52, 0x65, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0x73];

/** A JSON object's place in the answer, and its `id` when that is a plain string. */
export interface ObjectRange<T = never> {
  start: number;
  end: number;
  /** The raw bytes of the string value of its first top-level `id` key, without escapes (-1 when not scanned). */
  idStart: number;
  idEnd: number;
  /** The bytes are a known object's (they were then not scanned)... */
  known: boolean;
  /**
   * ...whose value this is, as it was when they were compared (taken then: the caller may forget
   * that object while it goes through the elements before this one).
   */
  value: T | undefined;
}

/** A list answer: its elements, and where its `Resources` array sits (`[` at `open`, after `]` at `close`). */
export interface ListRanges<T = never> {
  open: number;
  close: number;
  elements: ObjectRange<T>[];
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i] as number)) i++;
  return i;
}

/** Index after the string starting at `i` (a quote), or -1; `escapes[0]` tells whether it had any. */
function skipString(b: Uint8Array, i: number, escapes?: boolean[]): number {
  for (let j = i + 1; j < b.length; j++) {
    const c = b[j];
    if (c === BACKSLASH) {
      if (escapes) escapes[0] = true;
      j++;
    } else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/**
 * The object starting at `i` (an opening brace): where it ends (after its closing brace) and its
 * `id`, or undefined when it does not close. Brackets inside strings are skipped; whether the rest
 * is valid JSON is for `JSON.parse` (or the byte comparison with a record it accepted) to say.
 */
export function objectAt(b: Uint8Array, i: number): ObjectRange | undefined {
  let depth = 0;
  let idStart = -1;
  let idEnd = -1;
  /** At depth 1, the next string is a key (after `{` or `,`). */
  let keyNext = false;
  /** At depth 1, the value after the key just read is the `id`. */
  let idValue = false;
  const escapes = [false];
  for (let j = i; j < b.length; j++) {
    const c = b[j] as number;
    if (c === QUOTE) {
      escapes[0] = false;
      const after = skipString(b, j, escapes);
      if (after < 0) return undefined;
      if (depth === 1) {
        if (keyNext) {
          idValue = idStart < 0 && after - j === 4 && b[j + 1] === 0x69 && b[j + 2] === 0x64;
          keyNext = false;
        } else if (idValue) {
          if (!escapes[0]) {
            idStart = j + 1;
            idEnd = after - 1;
          }
          idValue = false;
        }
      }
      j = after - 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth === 1) keyNext = true;
      else if (depth === 2) idValue = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return { start: i, end: j + 1, idStart, idEnd, known: false, value: undefined };
    } else if (depth === 1 && c === COMMA) keyNext = true;
    else if (depth === 1 && idValue && c !== COLON && !isSpace(c)) idValue = false;
  }
  return undefined;
}

/** The object at `i` (an opening brace) as a known one, else as {@link objectAt} finds it. */
function elementAt<T>(b: Uint8Array, i: number, known: KnownObjects<T> | undefined): ObjectRange<T> | undefined {
  const k = known?.at(i);
  const length = k?.bytes?.length;
  if (length !== undefined) return { start: i, end: i + length, idStart: -1, idEnd: -1, known: true, value: k?.value };
  return objectAt(b, i);
}

/** Known objects of `b` found by `byId`, when the caller has any. */
function knownIn<T>(b: Uint8Array, byId: KnownById<T> | undefined): KnownObjects<T> | undefined {
  if (byId === undefined) return undefined;
  return new KnownObjects(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength), byId);
}

/** The answer is one object with only white space around it (a read by id); `byId` as for {@link listRanges}. */
export function loneObject<T = never>(b: Uint8Array, byId?: KnownById<T>): ObjectRange<T> | undefined {
  const i = skipSpace(b, 0);
  if (b[i] !== OPEN_OBJECT) return undefined;
  const r = elementAt(b, i, knownIn(b, byId));
  return r && skipSpace(b, r.end) === b.length ? r : undefined;
}

/** Index after the JSON value starting at `i`, or -1 (what a value is, JSON.parse checks later). */
function skipValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < b.length; j++) {
      const d = b[j];
      if (d === QUOTE) {
        const after = skipString(b, j);
        if (after < 0) return -1;
        j = after - 1;
      } else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < b.length && b[j] !== COMMA && b[j] !== CLOSE_OBJECT && !isSpace(b[j] as number)) j++;
  return j > i ? j : -1;
}

function isResources(b: Uint8Array, from: number, to: number): boolean {
  if (to - from !== RESOURCES.length) return false;
  for (let k = 0; k < RESOURCES.length; k++) if (b[from + k] !== RESOURCES[k]) return false;
  return true;
}

/**
 * The elements of a list answer's `Resources`, or undefined: objects the caller knows by their
 * bytes (candidates from `byId`, see known.ts), the others found by {@link objectAt}.
 */
export function listRanges<T = never>(b: Uint8Array, byId?: KnownById<T>): ListRanges<T> | undefined {
  let i = skipSpace(b, 0);
  if (b[i] !== OPEN_OBJECT) return undefined;
  let found: ListRanges<T> | undefined;
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_OBJECT) return undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const escapes = [false];
    const keyEnd = skipString(b, i, escapes);
    if (keyEnd < 0 || escapes[0]) return undefined;
    const resources = isResources(b, i + 1, keyEnd - 1);
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return undefined;
    i = skipSpace(b, i + 1);
    if (resources) {
      if (found || b[i] !== OPEN_ARRAY) return undefined;
      const elements: ObjectRange<T>[] = [];
      const known = knownIn(b, byId);
      const open = i;
      i = skipSpace(b, i + 1);
      if (b[i] !== CLOSE_ARRAY) {
        for (;;) {
          if (b[i] !== OPEN_OBJECT) return undefined;
          const el = elementAt(b, i, known);
          if (!el) return undefined;
          elements.push(el);
          i = skipSpace(b, el.end);
          if (b[i] === CLOSE_ARRAY) break;
          if (b[i] !== COMMA) return undefined;
          i = skipSpace(b, i + 1);
        }
      }
      found = { open, close: i + 1, elements };
      i = skipSpace(b, i + 1);
    } else {
      const after = skipValue(b, i);
      if (after < 0) return undefined;
      i = skipSpace(b, after);
    }
    if (b[i] === CLOSE_OBJECT) break;
    if (b[i] !== COMMA) return undefined;
    i = skipSpace(b, i + 1);
  }
  return found && skipSpace(b, i + 1) === b.length ? found : undefined;
}
