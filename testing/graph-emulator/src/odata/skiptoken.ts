/**
 * `$skiptoken` values: opaque to clients (they must follow `@odata.nextLink` as given), and
 * tamper-evident here. A token holds the position after the last item of the page — the
 * insertion sequence number, plus the sort keys when `$orderby` is used — so a page boundary
 * stays put while objects are added or removed between requests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../graph/errors.js';

/** Where the next page starts. */
export interface PageCursor {
  /** Insertion sequence number of the last item returned. */
  readonly seq: number;
  /** Sort keys of the last item returned, when the query had `$orderby`. */
  readonly keys?: ReadonlyArray<string | number | boolean | null>;
}

const PREFIX = 'X2VtdQ';

function mac(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, 12);
}

/** Encodes a cursor as an opaque token. */
export function encodeSkipToken(cursor: PageCursor, secret: Buffer): string {
  const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
  return `${PREFIX}${payload}.${mac(secret, payload).toString('base64url')}`;
}

/**
 * Decodes a token made by {@link encodeSkipToken} with the same secret.
 * @throws GraphError 400 for anything else.
 */
export function decodeSkipToken(token: string, secret: Buffer): PageCursor {
  const invalid = () => badRequest('Specified skip token is invalid or has expired.');
  if (!token.startsWith(PREFIX) || token.length > 4096) throw invalid();
  const [payload = '', signature = ''] = token.slice(PREFIX.length).split('.');
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let cursor: PageCursor;
  try {
    cursor = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PageCursor;
  } catch {
    throw invalid();
  }
  if (typeof cursor?.seq !== 'number' || (cursor.keys !== undefined && !Array.isArray(cursor.keys))) throw invalid();
  return cursor;
}
