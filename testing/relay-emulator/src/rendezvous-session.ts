import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import { type BodyPrefix, pumpBody } from './body.js';
import type { RelayContext } from './context.js';
import { closeReason, toBuffer } from './control-channel.js';
import { RelayServiceError, relayErrors } from './errors.js';
import type { Exchange } from './exchange.js';
import { ListenerFrameReader } from './frame-reader.js';
import type { HybridConnection } from './hybrid-connection.js';
import { encodeRequest, type RequestMessage } from './messages.js';

/** A sender's connection, as far as a rendezvous session needs it. */
export interface SenderConnection {
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  end(): unknown;
}

/**
 * A rendezvous WebSocket a listener opened for one sender connection. As the documentation
 * requires, the service keeps it for as long as the sender's HTTPS connection lasts and routes all
 * of that sender's later requests over it; if the listener drops it, the sender's connection is
 * dropped too.
 */
export class RendezvousSession {
  readonly #ws: WebSocket;
  readonly #context: RelayContext;
  readonly #connection: HybridConnection;
  readonly #sender: SenderConnection;
  readonly #listenerId: string;
  readonly #reader: ListenerFrameReader;
  #current: Exchange | undefined;
  readonly #onSenderClose = () => this.close(1001, 'The sender client shut down the connection.');

  constructor(
    ws: WebSocket,
    init: { context: RelayContext; connection: HybridConnection; sender: SenderConnection; listenerId: string },
  ) {
    this.#ws = ws;
    this.#context = init.context;
    this.#connection = init.connection;
    this.#sender = init.sender;
    this.#listenerId = init.listenerId;
    this.#reader = new ListenerFrameReader({ maxBodyBytes: init.context.options.maxBodyBytes, allowRenew: false });
    init.sender.once('close', this.#onSenderClose);
    ws.on('message', (data, isBinary) => this.#onMessage(toBuffer(data), isBinary));
    ws.on('close', () => this.#onClose());
    ws.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  /** Expects the response to `exchange` on this socket (the listener upgraded to answer here). */
  expect(exchange: Exchange): void {
    this.#current = exchange;
    exchange.onSettle(() => {
      if (this.#current === exchange) this.#current = undefined;
    });
  }

  /**
   * Delivers a full request: the `request` text frame, then the body as one binary message whose
   * frames follow the sender's chunks (the last frame has FIN set).
   */
  async sendRequest(message: RequestMessage, exchange: Exchange, prefix: BodyPrefix, rest: Readable | undefined): Promise<void> {
    this.expect(exchange);
    try {
      await this.#send(encodeRequest(message), { binary: false, fin: true });
      if (!message.body) return;
      for (const chunk of prefix.chunks) await this.#send(chunk, { binary: true, fin: false });
      if (!prefix.ended && rest !== undefined) {
        await pumpBody(rest, prefix.size, this.#context.options.maxBodyBytes, (chunk) =>
          this.#send(chunk, { binary: true, fin: false }),
        );
      }
      await this.#send(Buffer.alloc(0), { binary: true, fin: true });
    } catch (error) {
      // A body cut off halfway cannot be finished on this socket: it is closed, and the sender told why.
      exchange.fail(
        error instanceof RelayServiceError ? error : relayErrors.badGateway('The request body could not be relayed.'),
      );
      this.close(1011, 'The request body could not be relayed.');
    }
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) {
      this.#ws.close(code, closeReason(reason));
    }
  }

  terminate(): void {
    this.#ws.terminate();
  }

  #send(data: Buffer | string, options: { binary: boolean; fin: boolean }): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(relayErrors.badGateway('The rendezvous WebSocket closed.'));
        return;
      }
      this.#ws.send(data, options, (error) =>
        error ? reject(relayErrors.badGateway('The rendezvous WebSocket failed.')) : resolve(),
      );
    });
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    for (const event of this.#reader.read(data, isBinary)) {
      const current = this.#current;
      if (event.kind === 'violation') {
        this.#record(event.error, event.requestId);
        if (current !== undefined && event.requestId === current.id) {
          current.fail(relayErrors.badGateway(`The listener sent an invalid response: ${event.error}`));
        }
      } else if (event.kind === 'response') {
        if (current === undefined || event.head.requestId !== current.id) {
          this.#record(
            'A response arrived for a request that is not pending on this rendezvous WebSocket.',
            event.head.requestId,
          );
        } else {
          if (event.head.strippedHeaders.length > 0) {
            this.#record(
              `The response carried RFC 7230 headers, which were removed: ${event.head.strippedHeaders.join(', ')}.`,
              current.id,
            );
          }
          current.complete({ head: event.head, body: event.body });
        }
      }
    }
  }

  #onClose(): void {
    this.#sender.off('close', this.#onSenderClose);
    this.#current?.fail(relayErrors.badGateway('The listener closed the rendezvous WebSocket before it responded.'));
    for (const [socket, session] of this.#context.sessions) {
      if (session === this) this.#context.sessions.delete(socket);
    }
    // After the answer already on its way (or the 502 just decided) has been written.
    setImmediate(() => this.#sender.end());
  }

  #record(message: string, requestId: string | undefined): void {
    this.#context.violations.record({
      path: this.#connection.path,
      channel: 'rendezvous',
      listenerId: this.#listenerId,
      message,
      ...(requestId === undefined ? {} : { requestId }),
    });
  }
}
