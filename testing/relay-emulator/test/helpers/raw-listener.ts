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
