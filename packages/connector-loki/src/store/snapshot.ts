/**
 * Snapshot files (`{"format":"scimgw-loki/1","collections":{"users":[…],…}}`), read and written a
 * chunk at a time: loading a million users never holds the whole file, nor the whole array of its
 * documents, in memory; writing never builds the whole text. Written to a temporary file, synced,
 * then renamed into place (atomic).
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs';

export const SNAPSHOT_FORMAT = 'scimgw-loki/1';

const CHUNK = 1 << 20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Reads a snapshot, passing each document of each collection to `onDoc` (in file order) as it is
 * parsed. Returns false when there is no file. Throws on a format other than scimgw-loki/1 or a file
 * that is not such a JSON document.
 *
 * The file is scanned for its structure (depth; strings skipped with indexOf); each element of a
 * collection's array is cut out and parsed on its own. Everything above the elements (the root
 * object, `format`, `collections`) is small.
 */
export function readSnapshot(path: string, onDoc: (collection: string, doc: Record<string, unknown>) => void): boolean {
  if (!existsSync(path)) return false;
  const fd = openSync(path, 'r');
  let format: unknown;
  try {
    let buf = Buffer.alloc(0);
    let pos = 0; // next byte of `buf` to scan
    let depth = 0;
    let elemStart = -1; // start of the collection element being scanned
    const keys: (string | undefined)[] = []; // key per depth (1: root, 2: collections)
    let afterColon = false; // at depth 1: the next value belongs to keys[1]
    let inArray = false; // depth 3 is a collection's array
    let lastString: string | undefined;
    let end = false;
    for (;;) {
      // Keep the bytes of what is still open (an element, or a string cut by the chunk's end).
      const keep = elemStart >= 0 ? Math.min(elemStart, pos) : pos;
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = end ? 0 : readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      buf = Buffer.concat([buf.subarray(keep), chunk.subarray(0, n)]);
      pos -= keep;
      if (elemStart >= 0) elemStart -= keep;
      scan: for (; pos < buf.length; pos++) {
        const c = buf[pos] as number;
        switch (c) {
          case QUOTE: {
            // Strings are most of the bytes: find their end with indexOf, not byte by byte.
            let q = pos;
            for (;;) {
              q = buf.indexOf(QUOTE, q + 1);
              if (q < 0) break scan; // cut by the chunk: scanned again from its quote with more bytes
              let b = q - 1;
              while (buf[b] === BACKSLASH) b--;
              if ((q - 1 - b) % 2 === 0) break; // not escaped
            }
            if (depth <= 2) {
              lastString = JSON.parse(buf.toString('utf8', pos, q + 1)) as string;
              if (depth === 1 && afterColon) {
                if (keys[1] === 'format') format = lastString;
                afterColon = false;
              }
            }
            pos = q;
            break;
          }
          case 0x3a: // :
            if (depth <= 2) {
              keys[depth] = lastString;
              if (depth === 1) afterColon = true;
            }
            break;
          case 0x2c: // ,
            if (depth === 1) afterColon = false;
            break;
          case 0x7b: // {
          case 0x5b: // [
            if (depth === 3 && inArray) elemStart = pos;
            if (depth === 2) inArray = c === 0x5b && keys[1] === 'collections';
            if (depth === 1) afterColon = false;
            depth++;
            break;
          case 0x7d: // }
          case 0x5d: // ]
            depth--;
            if (depth === 3 && elemStart >= 0) {
              const doc = JSON.parse(buf.toString('utf8', elemStart, pos + 1)) as Record<string, unknown>;
              elemStart = -1;
              if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a document');
              onDoc(keys[2] as string, doc);
            }
            if (depth === 0) end = true;
            break;
          default:
            break;
        }
      }
    }
    const inStr = pos < buf.length;
    if (depth !== 0 || inStr) throw new Error(`snapshot ${path} ends early`);
  } finally {
    closeSync(fd);
  }
  if (format !== SNAPSHOT_FORMAT) throw new Error(`Unknown snapshot format ${String(format)}`);
  return true;
}

/**
 * Writes `parts` (pieces of the snapshot's text, in order) to `path`: to a temporary file in
 * writes of about a MiB, synced, then renamed into place.
 */
export function writeSnapshotAtomic(path: string, parts: Iterable<string>): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let pending: string[] = [];
    let size = 0;
    for (const p of parts) {
      pending.push(p);
      size += p.length;
      if (size >= CHUNK) {
        writeSync(fd, pending.join(''));
        pending = [];
        size = 0;
      }
    }
    if (pending.length) writeSync(fd, pending.join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
