/**
 * RFC 9865 cursors. A cursor names a position by the sort key and `_id` of the resource it follows
 * (or precedes), so the next page is a range query an index answers — no skipping over earlier
 * pages, and resources created or deleted meanwhile do not shift later pages. Cursors are opaque to
 * clients (base64url JSON), bound to the query they came from (a hash of filter, sort and tenant),
 * and checked strictly when they come back: a cursor that does not decode into exactly this shape is
 * `invalidCursor`, never a query.
 *
 * Filters MongoDB cannot evaluate are paged in memory; their cursors carry an offset instead.
 */
import { createHash } from 'node:crypto';
import { errors } from '@scimgw/core';
import { ObjectId } from 'mongodb';

/** A sort key value a cursor may carry. */
export type KeyValue = string | number | boolean | null;

/** A decoded cursor. */
export type Cursor =
  /** After (`next`) or before (`prev`) the resource with this key. */
  | { kind: 'key'; dir: 'next' | 'prev'; missing?: 0 | 1; key?: KeyValue; id: unknown }
  /** In-memory paging: an offset into the result. */
  | { kind: 'offset'; offset: number };

interface Wire {
  v: 1;
  h: string;
  d?: 'n' | 'p';
  m?: 0 | 1;
  k?: KeyValue;
  i?: { o: string } | { s: string } | { n: number };
  o?: number;
}

const MAX_CURSOR_LENGTH = 4096;

/** A short hash of what a cursor is bound to. */
export function queryHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function encodeId(id: unknown): Wire['i'] {
  if (id instanceof ObjectId) return { o: id.toHexString() };
  if (typeof id === 'string') return { s: id };
  if (typeof id === 'number' && Number.isFinite(id)) return { n: id };
  throw new errors.InternalError({ cause: new Error('a document _id that is neither an ObjectId, a string nor a number') });
}

function decodeId(i: unknown): unknown {
  if (typeof i !== 'object' || i === null) return undefined;
  const keys = Object.keys(i);
  if (keys.length !== 1) return undefined;
  const r = i as Record<string, unknown>;
  if (typeof r.o === 'string' && /^[0-9a-f]{24}$/.test(r.o)) return new ObjectId(r.o);
  if (typeof r.s === 'string') return r.s;
  if (typeof r.n === 'number' && Number.isFinite(r.n)) return r.n;
  return undefined;
}

/** Encodes a cursor for the query `hash`. */
export function encodeCursor(c: Cursor, hash: string): string {
  const w: Wire =
    c.kind === 'offset'
      ? { v: 1, h: hash, o: c.offset }
      : {
          v: 1,
          h: hash,
          d: c.dir === 'next' ? 'n' : 'p',
          ...(c.missing === undefined ? {} : { m: c.missing }),
          ...(c.key === undefined ? {} : { k: c.key }),
          i: encodeId(c.id),
        };
  return Buffer.from(JSON.stringify(w)).toString('base64url');
}

function invalid(): never {
  throw new errors.InvalidCursorError('Invalid cursor');
}

const KEYS = new Set(['v', 'h', 'd', 'm', 'k', 'i', 'o']);

/** Decodes a cursor of the query `hash`; `invalidCursor` for anything else. */
export function decodeCursor(text: string, hash: string): Cursor {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) invalid();
  let w: unknown;
  try {
    w = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    invalid();
  }
  if (typeof w !== 'object' || w === null || Array.isArray(w)) invalid();
  const r = w as Record<string, unknown>;
  if (Object.keys(r).some((k) => !KEYS.has(k)) || r.v !== 1 || typeof r.h !== 'string') invalid();
  if (r.h !== hash) throw new errors.InvalidCursorError('The cursor belongs to another query (filter or sort changed)');
  if (r.o !== undefined) {
    if (!Number.isSafeInteger(r.o) || (r.o as number) < 0 || r.d !== undefined || r.i !== undefined) invalid();
    return { kind: 'offset', offset: r.o as number };
  }
  if (r.d !== 'n' && r.d !== 'p') invalid();
  const id = decodeId(r.i);
  if (id === undefined) invalid();
  const k = r.k;
  if (
    k !== undefined &&
    k !== null &&
    typeof k !== 'string' &&
    typeof k !== 'boolean' &&
    !(typeof k === 'number' && Number.isFinite(k))
  ) {
    invalid();
  }
  if (r.m !== undefined && r.m !== 0 && r.m !== 1) invalid();
  return {
    kind: 'key',
    dir: r.d === 'n' ? 'next' : 'prev',
    ...(r.m === undefined ? {} : { missing: r.m as 0 | 1 }),
    ...(k === undefined ? {} : { key: k as KeyValue }),
    id,
  };
}
