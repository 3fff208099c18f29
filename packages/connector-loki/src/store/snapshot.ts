/**
 * Snapshot files (`{"format":"scimgw-loki/1","collections":{"users":[…],…}}`), read and written a
 * chunk at a time: loading a million users never holds the whole file, nor the whole array of its
 * documents, in memory; writing never builds the whole text, and hands the event loop back after
 * every MiB (the store answers requests while it compacts). Written to a temporary file, synced,
 * then renamed into place by the caller (atomic).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';

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

/** Text encoded between two turns of the event loop while a snapshot is written (see below). */
const SLICE = 256 * 1024;

/**
 * Writes `parts` (pieces of the snapshot's text, in order) to `tmp`: encoded into a buffer of a MiB,
 * written (awaited: the file system's work runs in the thread pool) whenever it is full, the event
 * loop given back after every quarter of it (building the text is most of the work), then synced
 * and closed. On any failure (ENOSPC, EIO, a file-size limit …) the file is removed and the error
 * thrown: nothing else was touched.
 */
export async function writeSnapshotFile(tmp: string, parts: Iterable<string>): Promise<void> {
  const fh = await open(tmp, 'w');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let used = 0;
    let sliceEnd = SLICE;
    for (const p of parts) {
      // A UTF-16 unit takes at most 3 bytes.
      if (used + p.length * 3 > CHUNK) {
        await writeAll(fh, buf.subarray(0, used));
        used = 0;
        sliceEnd = SLICE;
      }
      if (p.length * 3 > CHUNK) await writeAll(fh, Buffer.from(p, 'utf8'));
      else used += buf.write(p, used, 'utf8');
      if (used >= sliceEnd) {
        sliceEnd = used + SLICE;
        await new Promise((r) => setImmediate(r));
      }
    }
    if (used > 0) await writeAll(fh, buf.subarray(0, used));
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  await fh.close();
}

/** Writes all of `bytes` (a write may take only part of them, e.g. at a file-size limit). */
async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, at, bytes.length - at);
    if (bytesWritten === 0) throw new Error('the snapshot file takes no more bytes');
    at += bytesWritten;
  }
}

/** fsync of a directory in the thread pool: a rename in it is durable once this resolves. */
export async function syncDirectoryAsync(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
