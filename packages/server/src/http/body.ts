/** Reading request bodies with a size limit. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '@scimgw/core';
import { decodeUtf8 } from '@scimgw/core/handler';

/**
 * The client closed the connection before all of its request body had arrived (or the gateway
 * cut it off while shutting down): there is nobody to answer, and nothing went wrong on the
 * server's side. Hosts log it as such, not as a failure (status 499 in logs and metrics, as
 * proxies record it).
 */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
  /** The status logs and metrics record: no answer is sent. */
  readonly status = 499;
  constructor(cause?: unknown) {
    super('The client closed the connection before its request body arrived', { cause });
  }
}

/**
 * For a host's request error handler: ends a request whose client went away ({@link ClientGoneError})
 * as proxies record it (status 499, `note` told why, the socket closed) and returns true; false
 * for any other error, which the host answers as usual.
 */
export function endClientGone(e: unknown, res: ServerResponse, note: (message: string) => void): boolean {
  if (!(e instanceof ClientGoneError)) return false;
  res.statusCode = e.status;
  note(e.message);
  res.destroy();
  return true;
}

/**
 * Reads the whole body as text, failing with 413 past `limit` bytes (checked
 * against `Content-Length` first, then while streaming) and with 400 `invalidSyntax` for bytes
 * that are not UTF-8.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new errors.PayloadTooLargeError(`Request body larger than ${limit} bytes`));
  }
  let buffered: string | undefined;
  try {
    buffered = bufferedBody(req, declared);
  } catch (e) {
    return Promise.reject(e);
  }
  if (buffered !== undefined) return Promise.resolve(buffered);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new errors.PayloadTooLargeError(`Request body larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(decodeUtf8(Buffer.concat(chunks)));
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', (e) => {
      if (!failed) reject(new ClientGoneError(e));
    });
    // A runtime that closes the stream without an 'error' (or before it): the body never ends.
    req.on('close', () => {
      if (!failed && !req.complete) reject(new ClientGoneError());
    });
  });
}

/**
 * The body, when all of it has already arrived and sits in the stream's buffer: the usual case
 * for a SCIM request, whose body comes in the same packets as its headers and is parsed before
 * the pipeline's first `await` returns. One `read()` takes it without registering listeners or
 * emitting `data`. `undefined` when any of it may still be on its way (no `Content-Length`, or
 * less buffered than declared; Bun buffers nothing before the first read): the caller streams.
 */
function bufferedBody(req: IncomingMessage, declared: number): string | undefined {
  // Exactly the declared length buffered means all of it: a parser never passes on more.
  if (declared < 0 || req.readableFlowing || req.readableLength !== declared) return undefined;
  if (declared === 0) {
    req.resume();
    return '';
  }
  const chunk: unknown = req.read();
  if (Buffer.isBuffer(chunk) && chunk.length === declared) {
    // The end of the message may not have been parsed yet. Flowing mode (with nothing left to
    // emit) lets the stream end and close then, as a stream read to its end does.
    req.resume();
    return decodeUtf8(chunk);
  }
  // Not what the buffer promised (an encoding set on the stream, or a runtime that buffers
  // differently): put it back for the streaming path.
  if (chunk !== null) req.unshift(chunk as Buffer);
  return undefined;
}
