/**
 * RFC 9865 cursors as keyset positions: the sort value and order column value of the last row of a
 * page. The next page starts right after that row whatever was inserted or deleted before it, and
 * costs an index seek however deep it is. A cursor is bound to the filter and sort it was made for.
 *
 * @see RFC 9865 (cursor-based pagination for SCIM)
 */
import { createHash } from 'node:crypto';
import { errors } from '@scimgw/core';

/** A position after which the next page starts. */
export interface KeysetPosition {
  /** Whether the query is sorted (then `sortValue` is meaningful). */
  sorted: boolean;
  /** The sort expression's value in the last row; `null` for a missing value. */
  sortValue: string | number | boolean | Date | null;
  /** The order column's value in the last row. */
  order: string | number;
}

/** A cursor: a keyset position, or (queries evaluated in memory) an offset. */
export type CursorState = { kind: 'keyset'; position: KeysetPosition } | { kind: 'offset'; offset: number };

const MAX_CURSOR = 2048;

/** A short digest of what a cursor is valid for (filter and sort). */
export function cursorSignature(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

/** Encodes a cursor. */
export function encodeCursor(state: CursorState, signature: string): string {
  const body =
    state.kind === 'offset'
      ? { s: signature, o: state.offset }
      : {
          s: signature,
          k: state.position.order,
          ...(state.position.sorted
            ? {
                v:
                  state.position.sortValue instanceof Date
                    ? { d: state.position.sortValue.toISOString() }
                    : state.position.sortValue,
              }
            : {}),
        };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function invalid(): never {
  throw new errors.InvalidCursorError('Invalid cursor');
}

/** Decodes a cursor made by {@link encodeCursor} for the same signature; throws 400 `invalidCursor` otherwise. */
export function decodeCursor(text: string, signature: string, sorted: boolean): CursorState {
  if (text.length > MAX_CURSOR || !/^[A-Za-z0-9_-]+$/.test(text)) invalid();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    invalid();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid();
  const b = body as Record<string, unknown>;
  if (b.s !== signature) invalid();
  if ('o' in b) {
    if (typeof b.o !== 'number' || !Number.isSafeInteger(b.o) || b.o < 0) invalid();
    return { kind: 'offset', offset: b.o };
  }
  const k = b.k;
  if (!(typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)))) invalid();
  let sortValue: KeysetPosition['sortValue'] = null;
  if (sorted) {
    if (!('v' in b)) invalid();
    const v = b.v;
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
      sortValue = v;
    } else if (typeof v === 'object' && typeof (v as { d?: unknown }).d === 'string') {
      const t = Date.parse((v as { d: string }).d);
      if (Number.isNaN(t)) invalid();
      sortValue = new Date(t);
    } else invalid();
  }
  return { kind: 'keyset', position: { sorted, sortValue, order: k } };
}
