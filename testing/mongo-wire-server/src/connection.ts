import type { Socket } from 'node:net';
import type { Document } from 'bson';
import { delay } from './delay.js';
import { dispatch } from './dispatch.js';
import { codeNameOf } from './errors.js';
import type { ConnectionInfo, ServerState } from './state.js';
import { FLAG_MORE_TO_COME, OP_COMPRESSED, OP_MSG, OP_QUERY } from './wire/constants.js';
import { FrameReader } from './wire/frame-reader.js';
import { encodeOpMsg, encodeOpReply, type OpMsgRequest, type OpQueryRequest, parseMessage } from './wire/message.js';
import { WireProtocolError } from './wire/protocol-error.js';
import { setOwn } from './store/values.js';

// Commands a modern server still accepts over OP_QUERY: the connection handshake.
const LEGACY_HANDSHAKE = new Set(['hello', 'isMaster', 'ismaster']);

let nextResponseId = 1;
function responseId(): number {
  nextResponseId = nextResponseId >= 0x7fffffff ? 1 : nextResponseId + 1;
  return nextResponseId;
}

/**
 * One client connection: cuts the byte stream into messages, runs them one after another, and
 * writes the replies. A protocol fault is answered (when the request id is known) and, if MongoDB
 * treats it as fatal, ends the connection.
 */
export class ClientConnection {
  readonly info: ConnectionInfo;
  readonly #socket: Socket;
  readonly #state: ServerState;
  readonly #reader = new FrameReader();
  readonly #abort = new AbortController();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(id: number, socket: Socket, state: ServerState) {
    this.#socket = socket;
    this.#state = state;
    this.info = {
      id,
      remote: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`,
      signal: this.#abort.signal,
      principals: [],
      conversation: undefined,
      client: undefined,
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** Whether the connection has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the connection at once (as a crashed server or a network fault would). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new Error('connection closed'));
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: Buffer[];
    try {
      frames = this.#reader.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const frame of frames) this.#queue = this.#queue.then(() => this.#handle(frame));
  }

  async #handle(frame: Buffer): Promise<void> {
    if (this.#closed) return;
    try {
      const request = parseMessage(frame);
      if (request.opCode === OP_MSG) await this.#onMsg(request as OpMsgRequest);
      else if (request.opCode === OP_QUERY) await this.#onQuery(request as OpQueryRequest);
      else if (request.opCode === OP_COMPRESSED) {
        // Compression is never negotiated (hello carries no `compression` field), so a compressed
        // message is a protocol violation.
        this.#write(
          encodeOpMsg(
            responseId(),
            request.requestId,
            errorReply('ProtocolError', 'OP_COMPRESSED received but compression was not negotiated'),
          ),
        );
        this.close();
      } else {
        // Legacy op codes removed in MongoDB 6.0 (OP_INSERT, OP_GET_MORE, …) end the connection.
        this.close();
      }
    } catch (error) {
      if (error instanceof WireProtocolError) {
        if (error.requestId !== undefined) this.#write(encodeOpMsg(responseId(), error.requestId, error.toReply()));
        if (error.fatal) this.close();
        return;
      }
      this.#state.internalErrors.push(error instanceof Error ? error : new Error(String(error)));
      this.close();
    }
  }

  async #onMsg(request: OpMsgRequest): Promise<void> {
    const body: Document = { ...request.body };
    for (const sequence of request.sequences) setOwn(body, sequence.identifier, sequence.documents);
    const result = await dispatch(this.#state, this.info, body, { exhaustAllowed: request.exhaustAllowed });
    if (result.kind === 'close') {
      this.close();
      return;
    }
    if (request.moreToCome || this.#closed) return;
    if (!result.stream) {
      this.#write(encodeOpMsg(responseId(), request.requestId, result.reply));
      return;
    }
    // Streaming hello: each reply carries moreToCome and answers the previous reply's id.
    let previous = request.requestId;
    let reply = result.reply;
    while (!this.#closed) {
      const id = responseId();
      this.#write(encodeOpMsg(id, previous, reply, FLAG_MORE_TO_COME));
      previous = id;
      try {
        await delay(result.stream.intervalMs, this.info.signal);
      } catch {
        return;
      }
      reply = result.stream.next();
    }
  }

  async #onQuery(request: OpQueryRequest): Promise<void> {
    const query = unwrapQuery(request.query);
    const name = Object.keys(query)[0] ?? '';
    const dot = request.fullCollectionName.indexOf('.');
    const db = dot > 0 ? request.fullCollectionName.slice(0, dot) : request.fullCollectionName;
    const isCommand = request.fullCollectionName.slice(dot + 1) === '$cmd';
    if (!isCommand || !LEGACY_HANDSHAKE.has(name)) {
      const label = isCommand ? name : 'find';
      this.#write(
        encodeOpReply(responseId(), request.requestId, [
          errorReply(
            'UnsupportedOpQueryCommand',
            `Unsupported OP_QUERY command: ${label}. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal`,
          ),
        ]),
      );
      return;
    }
    const result = await dispatch(this.#state, this.info, query, { legacyDb: db, exhaustAllowed: false });
    if (result.kind === 'close') {
      this.close();
      return;
    }
    this.#write(encodeOpReply(responseId(), request.requestId, [result.reply]));
  }

  #write(bytes: Buffer): void {
    if (!this.#closed) this.#socket.write(bytes);
  }
}

// OP_QUERY commands may be wrapped as { $query: {...}, $readPreference: ... }.
function unwrapQuery(query: Document): Document {
  const inner = query['$query'] ?? query['query'];
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Document) : query;
}

function errorReply(codeName: 'ProtocolError' | 'UnsupportedOpQueryCommand', errmsg: string): Document {
  const code = codeName === 'ProtocolError' ? 17 : 352;
  return { ok: 0, errmsg, code, codeName: codeNameOf(code) };
}
