import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** A WebSocket handshake the emulator has not answered yet. */
export interface PendingUpgrade {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
}

/** `accept`: a sender WebSocket waits; `request`: an HTTP request waits for its rendezvous. */
export type RendezvousKind = 'accept' | 'request';

/** What a listener's handshake on a rendezvous address is handed to. */
export type RendezvousHandler = (upgrade: PendingUpgrade, params: Map<string, string>) => void;

interface Ticket {
  readonly kind: RendezvousKind;
  readonly path: string;
  readonly handler: RendezvousHandler;
  readonly timer: NodeJS.Timeout;
}

/** Options of {@link RendezvousRegistry.issue}. */
export interface IssueOptions {
  readonly kind: RendezvousKind;
  /** Id shown to the listener as `sb-hc-id` (the request's or connection's id). */
  readonly id: string;
  /** Hybrid Connection path (segments joined with `/`). */
  readonly path: string;
  /** Raw path suffix and query the sender added after the entity path (passed on in the address). */
  readonly suffix?: string;
  /** How long the address is valid. */
  readonly ttlMs: number;
  readonly handler: RendezvousHandler;
  /** Called if nobody connected before the address expired. */
  readonly onExpire?: () => void;
}

/** An issued rendezvous address. */
export interface IssuedAddress {
  readonly address: string;
  /** Invalidates the address (the exchange it belonged to is over). */
  cancel(): void;
}

/**
 * Rendezvous addresses the service hands to listeners. Each carries an unguessable secret, is valid
 * for a limited time and for one successful connection, as the protocol documentation says.
 */
export class RendezvousRegistry {
  readonly #tickets = new Map<string, Ticket>();
  readonly #origin: () => string;

  /** @param origin returns `host:port` of the emulator, which rendezvous addresses point at. */
  constructor(origin: () => string) {
    this.#origin = origin;
  }

  issue(options: IssueOptions): IssuedAddress {
    const secret = randomBytes(18).toString('base64url');
    const timer = setTimeout(() => {
      if (this.#tickets.delete(secret)) options.onExpire?.();
    }, options.ttlMs);
    timer.unref();
    this.#tickets.set(secret, { kind: options.kind, path: options.path, handler: options.handler, timer });
    const path = options.path.split('/').map(encodeURIComponent).join('/');
    const suffix = options.suffix ?? '';
    const separator = suffix.includes('?') ? '&' : '?';
    const address =
      `wss://${this.#origin()}/$hc/${path}${suffix}${separator}sb-hc-action=${options.kind}` +
      `&sb-hc-id=${encodeURIComponent(options.id)}&sb-hc-rendezvous=${secret}`;
    return {
      address,
      cancel: () => {
        const ticket = this.#tickets.get(secret);
        if (ticket === undefined) return;
        clearTimeout(ticket.timer);
        this.#tickets.delete(secret);
      },
    };
  }

  /**
   * Takes the ticket for a handshake: it must exist, not have expired or been used, and match the
   * action and path of the address it was issued with.
   */
  take(secret: string | undefined, kind: RendezvousKind, path: string): RendezvousHandler | undefined {
    if (secret === undefined) return undefined;
    const ticket = this.#tickets.get(secret);
    if (ticket === undefined || ticket.kind !== kind || ticket.path !== path) return undefined;
    clearTimeout(ticket.timer);
    this.#tickets.delete(secret);
    return ticket.handler;
  }

  /** Forgets every address (the service went away). */
  clear(): void {
    for (const ticket of this.#tickets.values()) clearTimeout(ticket.timer);
    this.#tickets.clear();
  }
}
