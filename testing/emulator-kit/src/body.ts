import type { IncomingMessage } from 'node:http';

/** A request body read within its limit, or why not. */
export type BodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

/**
 * Reads a request body of at most `limit` bytes. As soon as the body is known to be larger (by its
 * Content-Length or by counting) the promise resolves `too-large`, so that the caller answers 413 at
 * once; the rest is read and dropped so the answer reaches a client that is still sending, and the
 * connection is cut after `drainLimit` more bytes. A client that goes away resolves `aborted`: it
 * gets no answer, and the handler does not wait forever.
 */
export function readBody(req: IncomingMessage, limit: number, drainLimit = 16 * 1024 * 1024): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let drained = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      if (!result.ok) chunks.length = 0;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) {
        drained += chunk.length;
        if (drained > drainLimit) req.destroy();
        return;
      }
      received += chunk.length;
      if (received > limit) finish({ ok: false, reason: 'too-large' });
      else chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, bytes: Buffer.concat(chunks, received) }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) finish({ ok: false, reason: 'too-large' });
  });
}
