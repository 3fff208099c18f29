import type { Readable } from 'node:stream';
import { relayErrors } from './errors.js';

/** The part of a request body read so far. */
export interface BodyPrefix {
  readonly chunks: readonly Buffer[];
  readonly size: number;
  /** True when the body ended within the limit; otherwise the stream is paused with more to come. */
  readonly ended: boolean;
}

/** An empty body that has ended. */
export const NO_BODY: BodyPrefix = { chunks: [], size: 0, ended: true };

/**
 * Reads a body until it ends or grows past `limit` bytes; past the limit the stream is paused and
 * the rest can be read with {@link pumpBody}.
 */
export function readPrefix(stream: Readable, limit: number): Promise<BodyPrefix> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        stream.pause();
        cleanup();
        resolve({ chunks, size, ended: false });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ chunks, size, ended: true });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('The sender closed the connection while sending the body.'));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
    stream.resume();
  });
}

/**
 * Streams the rest of a body (after a prefix) chunk by chunk to `send`, waiting for each send to
 * complete before reading on. Rejects with 413 once the whole body passes `maxBytes`.
 */
export function pumpBody(
  stream: Readable,
  alreadyRead: number,
  maxBytes: number,
  send: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  if (stream.readableEnded) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let total = alreadyRead;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', fail);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        fail(relayErrors.payloadTooLarge(`The request body exceeds ${maxBytes} bytes.`));
        return;
      }
      stream.pause();
      send(chunk).then(
        () => stream.resume(),
        (error: Error) => fail(error),
      );
    };
    const onEnd = () => {
      if (failed) return;
      cleanup();
      resolve();
    };
    const onClose = () => {
      if (!stream.readableEnded) fail(new Error('The sender closed the connection while sending the body.'));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', fail);
    stream.once('close', onClose);
    stream.resume();
  });
}
