import { HEADER_SIZE, MAX_MESSAGE_SIZE } from './constants.js';
import { WireProtocolError } from './protocol-error.js';

/**
 * Splits a byte stream into whole wire-protocol messages by their `messageLength` header.
 *
 * Bytes are kept until a full message has arrived; a length outside 16 bytes … 48 MB is a fatal
 * protocol error, so a peer can never make the server buffer without bound.
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;

  /** Bytes received but not yet returned as part of a message. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Adds `chunk` and returns every message it completes (possibly none).
   *
   * @throws WireProtocolError when a header announces an impossible length.
   */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.#buffered >= 4) {
      const length = this.#peekLength();
      if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
        throw new WireProtocolError('ProtocolError', `invalid message length ${length}`, { fatal: true });
      }
      if (this.#buffered < length) break;
      frames.push(this.#take(length));
    }
    return frames;
  }

  #peekLength(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readInt32LE(0);
    const head = Buffer.concat(this.#chunks, Math.min(this.#buffered, 4));
    this.#chunks = [Buffer.concat(this.#chunks)];
    return head.readInt32LE(0);
  }

  #take(length: number): Buffer {
    const first = this.#chunks[0]!;
    let frame: Buffer;
    if (first.length >= length) {
      frame = first.subarray(0, length);
      if (first.length === length) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(length);
    } else {
      const all = Buffer.concat(this.#chunks, this.#buffered);
      frame = all.subarray(0, length);
      this.#chunks = all.length > length ? [all.subarray(length)] : [];
    }
    this.#buffered -= length;
    return frame;
  }
}
