import { connect, type Socket } from 'node:net';
import { BSON, type Document } from 'bson';
import { crc32c } from '../src/wire/crc32c.js';

/** A reply as read off the socket. */
export interface RawReply {
  readonly opCode: number;
  readonly requestId: number;
  readonly responseTo: number;
  readonly flags: number;
  readonly documents: Document[];
}

/** Builds an OP_MSG frame by hand (so tests can also build wrong ones). */
export function opMsg(
  body: Document,
  options: {
    requestId?: number;
    flags?: number;
    sequences?: Array<[string, Document[]]>;
    checksum?: boolean;
    corruptChecksum?: boolean;
  } = {},
): Buffer {
  const parts: Buffer[] = [];
  for (const [identifier, docs] of options.sequences ?? []) {
    const payload = Buffer.concat([Buffer.from(`${identifier}\0`), ...docs.map((d) => Buffer.from(BSON.serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  parts.push(Buffer.from([0]), Buffer.from(BSON.serialize(body)));
  let flags = options.flags ?? 0;
  if (options.checksum) flags |= 1;
  const header = Buffer.alloc(20);
  const sections = Buffer.concat(parts);
  const length = 20 + sections.length + (options.checksum ? 4 : 0);
  header.writeInt32LE(length, 0);
  header.writeInt32LE(options.requestId ?? 1, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(flags >>> 0, 16);
  const frame = Buffer.concat([header, sections]);
  if (!options.checksum) return frame;
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE((crc32c(frame) ^ (options.corruptChecksum ? 1 : 0)) >>> 0);
  return Buffer.concat([frame, crc]);
}

/** Builds an OP_QUERY frame. */
export function opQuery(collection: string, query: Document, requestId = 1): Buffer {
  const name = Buffer.from(`${collection}\0`);
  const doc = Buffer.from(BSON.serialize(query));
  const head = Buffer.alloc(20);
  head.writeInt32LE(16 + 4 + name.length + 8 + doc.length, 0);
  head.writeInt32LE(requestId, 4);
  head.writeInt32LE(0, 8);
  head.writeInt32LE(2004, 12);
  head.writeInt32LE(0, 16);
  const counts = Buffer.alloc(8);
  counts.writeInt32LE(0, 0);
  counts.writeInt32LE(-1, 4);
  return Buffer.concat([head, name, counts, doc]);
}

/** A raw TCP connection that sends frames and reads whole replies. */
export class RawClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: Buffer): void {
    this.#socket.write(frame);
  }

  /** The next reply, or `undefined` if the server closed the connection (or nothing came within `timeoutMs`). */
  async read(timeoutMs = 2000): Promise<RawReply | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#buffer.length >= 4) {
        const length = this.#buffer.readInt32LE(0);
        if (this.#buffer.length >= length) {
          const frame = this.#buffer.subarray(0, length);
          this.#buffer = this.#buffer.subarray(length);
          return decode(frame);
        }
      }
      if (this.closed || Date.now() >= deadline) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a command and returns its reply body. */
  async command(body: Document, requestId = 1): Promise<Document> {
    this.send(opMsg(body, { requestId }));
    const reply = await this.read();
    if (!reply) throw new Error('no reply');
    return reply.documents[0]!;
  }

  close(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

function decode(frame: Buffer): RawReply {
  const opCode = frame.readInt32LE(12);
  const requestId = frame.readInt32LE(4);
  const responseTo = frame.readInt32LE(8);
  if (opCode === 2013) {
    const flags = frame.readUInt32LE(16);
    return { opCode, requestId, responseTo, flags, documents: [BSON.deserialize(frame.subarray(21))] };
  }
  // OP_REPLY: flags, cursorId, startingFrom, numberReturned, documents
  const count = frame.readInt32LE(32);
  const documents: Document[] = [];
  let offset = 36;
  for (let i = 0; i < count; i++) {
    const size = frame.readInt32LE(offset);
    documents.push(BSON.deserialize(frame.subarray(offset, offset + size)));
    offset += size;
  }
  return { opCode, requestId, responseTo, flags: frame.readInt32LE(16), documents };
}
