import { type ListenerMessage, parseListenerMessage, type ResponseHead } from './messages.js';

/**
 * What one WebSocket message from a listener means, once read in sequence. A `response` whose head
 * says `body: true` is complete only with the binary message that follows it (WebSocket fragments
 * of one message arrive here joined, ending with the frame that has FIN set).
 */
export type ReaderEvent =
  | { readonly kind: 'response'; readonly head: ResponseHead; readonly body: Buffer | undefined }
  | { readonly kind: 'renewToken'; readonly token: string }
  | { readonly kind: 'violation'; readonly error: string; readonly requestId?: string };

/** Options of {@link ListenerFrameReader}. */
export interface FrameReaderOptions {
  /** Largest response body accepted on this channel (64 kB on the control channel). */
  readonly maxBodyBytes: number;
  /** Whether `renewToken` is allowed (only on the control channel). */
  readonly allowRenew: boolean;
}

/**
 * Turns the sequence of messages a listener sends on one WebSocket into protocol events. It never
 * throws: a text frame that is no valid message, a binary frame nobody announced, a body that
 * does not follow its head, or a body over the channel's limit each become a `violation`.
 */
export class ListenerFrameReader {
  readonly #options: FrameReaderOptions;
  #awaitingBody: ResponseHead | undefined;

  constructor(options: FrameReaderOptions) {
    this.#options = options;
  }

  /** The response head whose body is still expected, if any. */
  get awaitingBodyFor(): string | undefined {
    return this.#awaitingBody?.requestId;
  }

  /** Reads one complete WebSocket message. */
  read(data: Buffer, isBinary: boolean): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    const pending = this.#awaitingBody;
    if (isBinary) {
      if (pending === undefined) {
        events.push({
          kind: 'violation',
          error:
            data.length === 0
              ? 'An empty binary frame arrived after a response that announced no body (ignored).'
              : 'A binary frame arrived without a response that announced a body.',
        });
      } else {
        this.#awaitingBody = undefined;
        if (data.length > this.#options.maxBodyBytes) {
          events.push({
            kind: 'violation',
            requestId: pending.requestId,
            error: `The response body (${data.length} bytes) exceeds ${this.#options.maxBodyBytes} bytes on this channel.`,
          });
        } else {
          events.push({ kind: 'response', head: pending, body: data });
        }
      }
      return events;
    }
    if (pending !== undefined) {
      this.#awaitingBody = undefined;
      events.push({
        kind: 'violation',
        requestId: pending.requestId,
        error: 'A text frame arrived where the binary body of the previous response was expected.',
      });
    }
    const parsed = parseListenerMessage(data.toString('utf8'));
    if (!parsed.ok) {
      events.push(
        parsed.requestId === undefined
          ? { kind: 'violation', error: parsed.error }
          : { kind: 'violation', error: parsed.error, requestId: parsed.requestId },
      );
      return events;
    }
    events.push(...this.#accept(parsed.message));
    return events;
  }

  #accept(message: ListenerMessage): ReaderEvent[] {
    if (message.type === 'renewToken') {
      if (!this.#options.allowRenew) return [{ kind: 'violation', error: 'renewToken is only valid on the control channel.' }];
      return [{ kind: 'renewToken', token: message.token }];
    }
    if (message.response.body) {
      this.#awaitingBody = message.response;
      return [];
    }
    return [{ kind: 'response', head: message.response, body: undefined }];
  }
}
