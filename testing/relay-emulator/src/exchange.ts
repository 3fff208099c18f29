import { randomUUID } from 'node:crypto';
import { type RelayServiceError, relayErrors } from './errors.js';
import type { ResponseHead } from './messages.js';

/** A listener's complete answer to one relayed request. */
export interface RelayedResponse {
  readonly head: ResponseHead;
  readonly body: Buffer | undefined;
}

/**
 * One sender request on its way through the relay: settled once, by the listener's response,
 * by a service error, or by the documented 60-second deadline (504).
 */
export class Exchange {
  readonly id: string = randomUUID();
  readonly result: Promise<RelayedResponse>;
  #settled = false;
  #timer: NodeJS.Timeout | undefined;
  #resolve!: (response: RelayedResponse) => void;
  #reject!: (error: RelayServiceError) => void;
  readonly #onSettle: (() => void)[] = [];

  constructor(timeoutMs: number) {
    this.result = new Promise<RelayedResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // The sender side always awaits result; this keeps an unobserved rejection from being reported twice.
    this.result.catch(() => undefined);
    this.#timer = setTimeout(() => {
      this.fail(relayErrors.gatewayTimeout('The request was routed to a listener, but the listener did not respond in time.'));
    }, timeoutMs);
    this.#timer.unref();
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Runs `callback` once the exchange settles (immediately if it already has). */
  onSettle(callback: () => void): void {
    if (this.#settled) callback();
    else this.#onSettle.push(callback);
  }

  complete(response: RelayedResponse): boolean {
    if (!this.#settle()) return false;
    this.#resolve(response);
    return true;
  }

  fail(error: RelayServiceError): boolean {
    if (!this.#settle()) return false;
    this.#reject(error);
    return true;
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    for (const callback of this.#onSettle.splice(0)) callback();
    return true;
  }
}
