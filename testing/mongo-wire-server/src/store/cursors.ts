import { randomBytes } from 'node:crypto';
import { type Document, Long } from 'bson';
import { commandError } from '../errors.js';
import { sizeOf } from '../query/documents.js';
import { MAX_BSON_OBJECT_SIZE } from '../wire/constants.js';

/** One batch of a cursor and the id to continue with (0 when the cursor is exhausted). */
export interface CursorBatch {
  readonly id: Long;
  readonly documents: Document[];
}

interface OpenCursor {
  readonly id: Long;
  readonly namespace: string;
  readonly documents: Document[];
  position: number;
  lastUsed: number;
}

// MongoDB closes cursors idle for 10 minutes (cursorTimeoutMillis).
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Open cursors. A cursor holds the result set of its query as computed when it was opened (a
 * snapshot; MongoDB's cursors may see later writes, which tests should not rely on either).
 */
export class CursorRegistry {
  readonly #open = new Map<string, OpenCursor>();

  /** The number of open cursors. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Returns the first batch of `documents` and, when more remain, registers a cursor for them.
   * A batch also stops before it would pass 16 MiB.
   */
  open(namespace: string, documents: Document[], batchSize: number | undefined, singleBatch = false): CursorBatch {
    const first = takeBatch(documents, 0, batchSize);
    if (first.length >= documents.length || singleBatch) return { id: Long.ZERO, documents: first };
    const id = this.#newId();
    this.#open.set(id.toString(), { id, namespace, documents, position: first.length, lastUsed: Date.now() });
    return { id, documents: first };
  }

  /**
   * The next batch of a cursor.
   *
   * @throws MongoCommandError CursorNotFound (43), or Unauthorized (13) when the namespace differs.
   */
  getMore(id: Long, namespace: string, batchSize: number | undefined): CursorBatch {
    this.sweep();
    const cursor = this.#open.get(id.toString());
    if (!cursor) throw commandError('CursorNotFound', `cursor id ${id.toString()} not found`);
    if (cursor.namespace !== namespace) {
      throw commandError(
        'Unauthorized',
        `Requested getMore on namespace '${namespace}', but cursor belongs to a different namespace ${cursor.namespace}`,
      );
    }
    const batch = takeBatch(cursor.documents, cursor.position, batchSize);
    cursor.position += batch.length;
    cursor.lastUsed = Date.now();
    if (cursor.position >= cursor.documents.length) {
      this.#open.delete(id.toString());
      return { id: Long.ZERO, documents: batch };
    }
    return { id: cursor.id, documents: batch };
  }

  /** Closes a cursor; returns whether it was open. */
  kill(id: Long): boolean {
    return this.#open.delete(id.toString());
  }

  /** Whether a cursor is open. */
  has(id: Long): boolean {
    return this.#open.has(id.toString());
  }

  /** Closes cursors idle longer than MongoDB's default timeout. */
  sweep(now = Date.now()): void {
    for (const [key, cursor] of this.#open) if (now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.#open.delete(key);
  }

  /** Closes every cursor (a restart). */
  clear(): void {
    this.#open.clear();
  }

  #newId(): Long {
    for (;;) {
      const bytes = randomBytes(8);
      bytes[7]! &= 0x7f; // positive
      const id = Long.fromBytesLE([...bytes]);
      if (!id.isZero() && !this.#open.has(id.toString())) return id;
    }
  }
}

// A batch leaves room for the reply envelope inside the 16 MiB reply limit.
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024;

function takeBatch(documents: Document[], from: number, batchSize: number | undefined): Document[] {
  const limit = batchSize === undefined || batchSize === 0 ? (batchSize === 0 ? 0 : Number.POSITIVE_INFINITY) : batchSize;
  const batch: Document[] = [];
  let bytes = 0;
  for (let i = from; i < documents.length && batch.length < limit; i++) {
    const doc = documents[i]!;
    const size = sizeOf(doc);
    if (batch.length > 0 && bytes + size > BATCH_BYTES) break;
    bytes += size;
    batch.push(doc);
  }
  return batch;
}
