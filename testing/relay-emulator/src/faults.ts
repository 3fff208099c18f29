/**
 * Fault injection for tests: make the emulated service misbehave in ways the real one can
 * (refused registrations, slow forwarding, lost responses, refused rendezvous).
 *
 * @example
 * relay.faults.refuseListeners(2, 500); // the next two listener handshakes fail with 500
 */
export class RelayFaults {
  #listenRefusals: { remaining: number; status: number } | undefined;
  #rendezvousRefusals = 0;
  #forwardDelayMs = 0;
  #swallow = 0;

  /** The next `count` listener (control channel) handshakes are refused with `status` (default 500). */
  refuseListeners(count: number, status: 401 | 403 | 404 | 500 = 500): void {
    this.#listenRefusals = count > 0 ? { remaining: count, status } : undefined;
  }

  /** The next `count` rendezvous handshakes (accept and request addresses) are refused with 500. */
  refuseRendezvous(count: number): void {
    this.#rendezvousRefusals = Math.max(0, count);
  }

  /** Every request waits `ms` before it is forwarded to a listener (0 turns this off). */
  delayForwarding(ms: number): void {
    this.#forwardDelayMs = Math.max(0, ms);
  }

  /**
   * The next `count` requests are forwarded, but the listener's responses are dropped, so the
   * senders get the 504 the service sends when a listener does not answer in time.
   */
  swallowResponses(count: number): void {
    this.#swallow = Math.max(0, count);
  }

  /** Turns every fault off. */
  clear(): void {
    this.#listenRefusals = undefined;
    this.#rendezvousRefusals = 0;
    this.#forwardDelayMs = 0;
    this.#swallow = 0;
  }

  /** @internal Status to refuse this listener handshake with, if a refusal is armed. */
  takeListenRefusal(): number | undefined {
    const refusal = this.#listenRefusals;
    if (refusal === undefined) return undefined;
    refusal.remaining -= 1;
    if (refusal.remaining <= 0) this.#listenRefusals = undefined;
    return refusal.status;
  }

  /** @internal Whether to refuse this rendezvous handshake. */
  takeRendezvousRefusal(): boolean {
    if (this.#rendezvousRefusals === 0) return false;
    this.#rendezvousRefusals -= 1;
    return true;
  }

  /** @internal Delay before forwarding, in milliseconds. */
  get forwardDelayMs(): number {
    return this.#forwardDelayMs;
  }

  /** @internal Whether to drop this request's response. */
  takeSwallow(): boolean {
    if (this.#swallow === 0) return false;
    this.#swallow -= 1;
    return true;
  }
}
