import type { IncomingMessage } from 'node:http';

/** A request body read within its limit, or the news that it was larger. */
export type BodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

/**
 * Reads a request body of at most `limit` bytes. A larger body resolves `{ ok: false }` as soon as
 * the limit is passed (so the caller can answer 413 at once); the rest is read and thrown away so
 * that the answer reaches a client still sending, and the connection is cut if more than
 * `discardLimit` further bytes arrive.
 */
export function readBody(req: IncomingMessage, limit: number, discardLimit = 16 * 1024 * 1024): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let discarded = 0;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) {
        discarded += chunk.length;
        if (discarded > discardLimit) req.destroy();
        return;
      }
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        settle({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle({ ok: true, bytes: Buffer.concat(chunks, size) }));
    // A client that goes away mid-body gets no answer; resolving keeps the handler from waiting forever.
    req.on('error', () => settle({ ok: false, reason: 'aborted' }));
    req.on('close', () => settle({ ok: false, reason: 'aborted' }));
    if (Number.isFinite(declared) && declared > limit) settle({ ok: false, reason: 'too-large' });
  });
}
