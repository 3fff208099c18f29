import type { WebSocket } from 'ws';
import { namespaceHost, type RelayContext } from './context.js';
import { RelayServiceError, relayErrors } from './errors.js';
import type { Exchange } from './exchange.js';
import { ListenerFrameReader } from './frame-reader.js';
import type { HybridConnection } from './hybrid-connection.js';
import { encodeRendezvousRequest, encodeRequest, type RequestMessage } from './messages.js';
import { CONTROL_CHANNEL_BODY_BYTES } from './options.js';
import { verifySasToken } from './sas.js';

/** What the emulator reports about a registered listener. */
export interface ListenerInfo {
  /** `sb-hc-id` the listener sent, or an id the emulator assigned. */
  readonly id: string;
  readonly path: string;
  readonly remoteAddress: string | undefined;
  /** ISO time the control channel was accepted. */
  readonly connectedAt: string;
  /** ISO time the current token expires; the service closes the channel then (1008). */
  readonly tokenExpiresAt: string;
  /** Requests routed to this listener so far. */
  readonly requestsRouted: number;
}

/** Size of the binary frames a body is split into on the wire. */
export const BODY_FRAME_BYTES = 16 * 1024;

/** WebSocket close reasons are limited to 123 bytes (RFC 6455 §5.5). */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

/**
 * A listener's control channel: carries `request` and `accept` messages to the listener and
 * `response` and `renewToken` messages back, and is closed by the service with 1008 when the
 * listener's token expires without renewal.
 */
export class ControlChannel {
  readonly id: string;
  readonly connection: HybridConnection;
  readonly #ws: WebSocket;
  readonly #context: RelayContext;
  readonly #pending = new Map<string, Exchange>();
  readonly #swallowed = new Set<string>();
  readonly #reader = new ListenerFrameReader({ maxBodyBytes: CONTROL_CHANNEL_BODY_BYTES, allowRenew: true });
  readonly #connectedAt = new Date().toISOString();
  readonly #remoteAddress: string | undefined;
  #tokenExpiresAt: number;
  #expiryTimer: NodeJS.Timeout | undefined;
  #requestsRouted = 0;

  constructor(
    ws: WebSocket,
    init: {
      id: string;
      connection: HybridConnection;
      context: RelayContext;
      tokenExpiresAt: number;
      remoteAddress: string | undefined;
    },
  ) {
    this.#ws = ws;
    this.id = init.id;
    this.connection = init.connection;
    this.#context = init.context;
    this.#remoteAddress = init.remoteAddress;
    this.#tokenExpiresAt = init.tokenExpiresAt;
    this.#armExpiry();
    ws.on('message', (data, isBinary) => this.#onMessage(toBuffer(data), isBinary));
    ws.on('close', () => this.#onClose());
    ws.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  info(): ListenerInfo {
    return {
      id: this.id,
      path: this.connection.path,
      remoteAddress: this.#remoteAddress,
      connectedAt: this.#connectedAt,
      tokenExpiresAt: new Date(this.#tokenExpiresAt).toISOString(),
      requestsRouted: this.#requestsRouted,
    };
  }

  /**
   * Sends a request with its body over the control channel. The text frame and the body's binary
   * frames go out back to back, so no other message can come between a head and its body.
   */
  sendRequest(message: RequestMessage, body: Buffer | undefined, exchange: Exchange): void {
    this.#requestsRouted += 1;
    this.#pending.set(exchange.id, exchange);
    if (this.#context.faults.takeSwallow()) this.#swallowed.add(exchange.id);
    exchange.onSettle(() => {
      this.#pending.delete(exchange.id);
      this.#swallowed.delete(exchange.id);
    });
    this.#ws.send(encodeRequest(message));
    if (message.body && body !== undefined) sendFragmented(this.#ws, body);
  }

  /** Tells the listener to fetch a request over a rendezvous WebSocket (only the address is sent). */
  sendRendezvousRequest(address: string, id: string): void {
    this.#requestsRouted += 1;
    this.#ws.send(encodeRendezvousRequest(address, id));
  }

  /** Sends a control message as is (used for `accept`). */
  sendText(text: string): void {
    this.#ws.send(text);
  }

  /** Closes the channel with a WebSocket status, as the service does on error conditions. */
  close(code: number, reason: string): void {
    this.#ws.close(code, closeReason(reason));
  }

  /** Drops the TCP connection without a closing handshake. */
  terminate(): void {
    this.#ws.terminate();
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    for (const event of this.#reader.read(data, isBinary)) {
      if (event.kind === 'renewToken') this.#renew(event.token);
      else if (event.kind === 'violation') this.#violation(event.error, event.requestId);
      else {
        const exchange = this.#pending.get(event.head.requestId);
        if (exchange === undefined) {
          this.#record(`A response arrived for a request that is not pending on this control channel.`, event.head.requestId);
        } else if (!this.#swallowed.has(exchange.id)) {
          if (event.head.strippedHeaders.length > 0) {
            this.#record(
              `The response carried RFC 7230 headers, which were removed: ${event.head.strippedHeaders.join(', ')}.`,
              exchange.id,
            );
          }
          exchange.complete({ head: event.head, body: event.body });
        }
      }
    }
  }

  #violation(error: string, requestId: string | undefined): void {
    this.#record(error, requestId);
    if (requestId === undefined) return;
    const exchange = this.#pending.get(requestId);
    if (exchange !== undefined && !this.#swallowed.has(requestId)) {
      exchange.fail(relayErrors.badGateway(`The listener sent an invalid response: ${error}`));
    }
  }

  #renew(token: string): void {
    try {
      const verified = verifySasToken(token, {
        namespaceHost: namespaceHost(this.#context),
        entityPath: this.connection.path,
        right: 'Listen',
        keys: this.connection.keys(this.#context.options.namespaceKeys),
        now: this.#context.now(),
      });
      this.#tokenExpiresAt = verified.expiresAt;
      this.#armExpiry();
    } catch (error) {
      const detail = error instanceof RelayServiceError ? error.detail : 'The token could not be validated.';
      this.close(1008, `renewToken refused: ${detail}`);
    }
  }

  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    // setTimeout keeps delays within 2^31 ms; a later expiry is re-armed when this one fires.
    const delay = Math.min(this.#tokenExpiresAt - this.#context.now(), 2 ** 31 - 1);
    this.#expiryTimer = setTimeout(
      () => {
        if (this.#tokenExpiresAt <= this.#context.now()) this.close(1008, 'The security token has expired.');
        else this.#armExpiry();
      },
      Math.max(0, delay),
    );
    this.#expiryTimer.unref();
  }

  #onClose(): void {
    clearTimeout(this.#expiryTimer);
    this.connection.listeners.delete(this);
    for (const exchange of [...this.#pending.values()]) {
      exchange.fail(relayErrors.badGateway('The listener disconnected before it responded.'));
    }
  }

  #record(message: string, requestId: string | undefined): void {
    this.#context.violations.record({
      path: this.connection.path,
      channel: 'control',
      listenerId: this.id,
      message,
      ...(requestId === undefined ? {} : { requestId }),
    });
  }
}

/** Sends `body` as one binary message split into several frames; only the last has FIN set. */
export function sendFragmented(ws: WebSocket, body: Buffer): void {
  if (body.length <= BODY_FRAME_BYTES) {
    ws.send(body, { binary: true, fin: true });
    return;
  }
  for (let offset = 0; offset < body.length; offset += BODY_FRAME_BYTES) {
    const end = Math.min(offset + BODY_FRAME_BYTES, body.length);
    ws.send(body.subarray(offset, end), { binary: true, fin: end === body.length });
  }
}

/** ws hands over a Buffer, an ArrayBuffer or fragments depending on options; this makes one Buffer. */
export function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
