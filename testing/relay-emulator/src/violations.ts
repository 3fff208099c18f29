/** A listener's departure from the documented protocol, as the emulator noticed it. */
export interface ProtocolViolation {
  /** ISO time the emulator noticed it. */
  readonly at: string;
  /** Hybrid Connection path. */
  readonly path: string;
  /** Where it happened. */
  readonly channel: 'control' | 'rendezvous';
  /** The listener's id (`sb-hc-id`, or one the emulator assigned). */
  readonly listenerId: string;
  /** The request concerned, when known. */
  readonly requestId?: string;
  /** What was wrong; never contains a token or key. */
  readonly message: string;
}

const MAX_ENTRIES = 1000;

/** A bounded record of protocol violations, newest last. */
export class ViolationLog {
  readonly #entries: ProtocolViolation[] = [];

  record(entry: Omit<ProtocolViolation, 'at'>): void {
    this.#entries.push({ at: new Date().toISOString(), ...entry });
    if (this.#entries.length > MAX_ENTRIES) this.#entries.shift();
  }

  list(): ProtocolViolation[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
