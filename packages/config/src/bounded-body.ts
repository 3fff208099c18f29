/**
 * Reading a body from another service with a bound on its size. A fetch `Response` read with
 * `text()` or `json()` is read whole before anyone can look at its length: a service that answers
 * without end (or with far more than it should) fills the memory first. The packages that fetch a
 * few small documents themselves (JWKS and discovery in `@scimgw/auth`, the mail providers of
 * `@scimgw/logger-stream`) read them through this; `@scimgw/helper-rest` bounds its own transports.
 */

/** The body passed the bound it was read with. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(
    /** The bound, in bytes. */
    readonly limit: number,
  ) {
    super(`answer larger than ${limit} bytes`);
  }
}

/**
 * The body of `res`, at most `limit` bytes of it. A `Content-Length` past the bound fails before
 * anything is read, and one within it is read in one native call (a fetch never delivers more
 * than the length it declared); a body without one is read chunk by chunk and its stream cancelled
 * (its connection closed) as soon as it passes the bound.
 *
 * @throws {@link BodyTooLargeError} past `limit`
 */
export async function readBoundedBytes(res: Response, limit: number): Promise<Uint8Array> {
  const declared = res.headers.get('content-length');
  if (declared !== null && /^\s*\d+\s*$/.test(declared)) {
    if (Number(declared) > limit) {
      await res.body?.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    return new Uint8Array(await res.arrayBuffer());
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * The body of `res` as UTF-8 text, at most `limit` bytes of it (see {@link readBoundedBytes}).
 *
 * @throws {@link BodyTooLargeError} past `limit`
 * @example
 * const doc = JSON.parse(await readBoundedText(await fetch(url), 512 * 1024));
 */
export async function readBoundedText(res: Response, limit: number): Promise<string> {
  return new TextDecoder().decode(await readBoundedBytes(res, limit));
}
