import WebSocket from 'ws';

/** One WebSocket message as received. */
export interface Received {
  readonly binary: boolean;
  readonly data: Buffer;
  text(): string;
  json(): any;
}

/** Why a handshake was refused. */
export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly statusMessage: string,
    readonly body: string,
  ) {
    super(`${status} ${statusMessage}`);
  }
}

/**
 * A minimal WebSocket peer written from the protocol documentation, for driving the emulator
 * directly (a listener's control channel or rendezvous socket, or a sender's WebSocket).
 */
export class RawSocket {
  readonly ws: WebSocket;
  readonly #queue: Received[] = [];
  readonly #waiters: ((message: Received) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, binary: boolean) => {
      const message: Received = {
        binary,
        data,
        text: () => data.toString('utf8'),
        json: () => JSON.parse(data.toString('utf8')),
      };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(message);
      else this.#queue.push(message);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a WebSocket; rejects with {@link HandshakeRefused} when the service answers with an HTTP status. */
  static open(
    url: string,
    caPem: string,
    options: { headers?: Record<string, string>; protocols?: string[] } = {},
  ): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], { ca: caPem, headers: options.headers, perMessageDeflate: false });
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          reject(new HandshakeRefused(res.statusCode ?? 0, res.statusMessage ?? '', Buffer.concat(chunks).toString())),
        );
        ws.once('error', () => undefined);
      });
      ws.once('error', (error) => reject(error));
    });
  }

  next(): Promise<Received> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  sendBinary(data: Buffer): void {
    this.ws.send(data, { binary: true });
  }

  close(code = 1000, reason = ''): void {
    this.ws.close(code, reason);
  }
}

/** The refusal of a handshake that should fail. */
export async function refusal(open: Promise<RawSocket>): Promise<HandshakeRefused> {
  try {
    const socket = await open;
    socket.close();
  } catch (error) {
    if (error instanceof HandshakeRefused) return error;
    throw error;
  }
  throw new Error('the handshake was accepted');
}

/** A WebSocket frame header as seen on the wire. */
export interface WireFrame {
  readonly fin: boolean;
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number;
  readonly length: number;
}

/**
 * Records the headers of the frames the server sends on `socket`, read from the raw TLS stream
 * next to ws's own parser (server frames are unmasked, RFC 6455 §5.2).
 */
export function tapFrames(socket: RawSocket): WireFrame[] {
  const frames: WireFrame[] = [];
  let buffered = Buffer.alloc(0);
  let skip = 0;
  const raw = (socket.ws as unknown as { _socket: NodeJS.ReadableStream })._socket;
  raw.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (skip > 0) {
        const skipped = Math.min(skip, buffered.length);
        buffered = buffered.subarray(skipped);
        skip -= skipped;
        if (skip > 0) return;
      }
      if (buffered.length < 2) return;
      const first = buffered[0]!;
      const second = buffered[1]!;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      frames.push({ fin: (first & 0x80) !== 0, opcode: first & 0x0f, length });
      buffered = buffered.subarray(offset);
      skip = length;
    }
  });
  return frames;
}
