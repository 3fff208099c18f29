/**
 * Whether a pooled connection is still open, seen from its sockets. ldapts (8.2.0) notices a
 * closed socket only while that socket is the one it connected with: `startTLS()` puts the TLS
 * socket in its place, and the `close` handler left on the plain socket then compares itself with
 * the TLS socket and does nothing. `isConnected` stays true for a connection the server closed (a
 * restart, `idletimeout`), and every request sent on it waits for its timeout.
 *
 * So the pool opens the sockets itself, through ldapts' public `createConnection` and
 * `createSecureConnection` options (also used for the TLS socket of StartTLS), and watches each
 * one: the first `close` marks the connection dead for good, fails every operation waiting on it
 * at once, and makes the pool replace it before the next use. No private ldapts field is read.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ClientOptions } from 'ldapts';
import type { LdapClient } from './pool.js';

/**
 * The message of an operation failed because its connection closed while it waited: a transport
 * error (errors.ts) after which a write may have been applied.
 */
export const CLOSED_MESSAGE = 'Connection closed: the directory closed this connection';
/** The message of an operation not sent because its connection had closed: a transport error, safe to send again. */
export const NOT_SENT_MESSAGE = 'Socket connection not established: the directory closed this connection';

/** The sockets of one client connection, and whether any of them has closed. */
export class ConnectionWatch {
  private readonly sockets = new Set<net.Socket>();
  private readonly waiting = new Set<(e: Error) => void>();
  private dead = false;

  /** ldapts options that open every socket of the client through this watch. */
  clientOptions(): Pick<ClientOptions, 'createConnection' | 'createSecureConnection'> {
    const plain = net.connect as (...args: unknown[]) => net.Socket;
    const secure = tls.connect as (...args: unknown[]) => tls.TLSSocket;
    return {
      createConnection: ((...args: unknown[]) => this.watch(plain(...args))) as typeof net.connect,
      createSecureConnection: ((...args: unknown[]) => this.watch(secure(...args))) as typeof tls.connect,
    };
  }

  /** True once a socket of the connection has closed. */
  get closed(): boolean {
    return this.dead;
  }

  private watch<S extends net.Socket>(socket: S): S {
    this.sockets.add(socket);
    socket.once('close', () => this.close());
    return socket;
  }

  /** Marks the connection dead: its sockets are destroyed and waiting operations fail. */
  close(): void {
    if (this.dead) return;
    this.dead = true;
    // The plain socket under a TLS one (and the other way round) goes too.
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const error = new Error(CLOSED_MESSAGE);
    for (const fail of this.waiting) fail(error);
    this.waiting.clear();
  }

  /** `op`'s outcome, or a transport error as soon as the connection closes (at once if it has). */
  guard<T>(op: () => Promise<T>): Promise<T> {
    // Nothing goes out on a connection known to be closed (ldapts would write to the dead socket).
    if (this.dead) return Promise.reject(new Error(NOT_SENT_MESSAGE));
    return this.waitFor(op());
  }

  /** `op`'s outcome, or the connection's close, whichever comes first. */
  private waitFor<T>(op: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      op.then(
        (v) => {
          this.waiting.delete(reject);
          resolve(v);
        },
        (e: unknown) => {
          this.waiting.delete(reject);
          reject(e);
        },
      );
    });
  }

  /** The pages of a paged search, each one {@link ConnectionWatch.guard}ed. */
  async *guardPages<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
    let done = false;
    try {
      for (;;) {
        const next = await this.guard(() => pages.next());
        if (next.done) {
          done = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // A reader that stops early ends the search; on a dead connection it would only queue.
      if (!done && !this.dead) await pages.return(undefined);
    }
  }
}

/** Operations that wait for the directory's answer. */
const GUARDED = new Set<PropertyKey>(['bind', 'startTLS', 'search', 'add', 'modify', 'modifyDN', 'del', 'compare', 'exop']);

/**
 * The client as the pool hands it out: every operation fails at once when the connection closes,
 * `isConnected` is false from that moment, and unbinding a closed connection sends nothing. A
 * proxy, so whatever else a client factory's client carries stays reachable.
 */
export function watchedClient(c: LdapClient, w: ConnectionWatch): LdapClient {
  return new Proxy(c, {
    get(target, prop) {
      if (prop === 'isConnected') return !w.closed && target.isConnected;
      if (prop === 'isBound') return w.closed ? false : target.isBound;
      // A closed connection has nothing to unbind: ldapts would write to the dead socket and wait.
      if (prop === 'unbind') return () => (w.closed ? Promise.resolve() : target.unbind());
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      const op = v as (...a: unknown[]) => unknown;
      if (prop === 'searchPaginated') return (...a: unknown[]) => w.guardPages(op.apply(target, a) as AsyncGenerator<unknown>);
      if (GUARDED.has(prop)) return (...a: unknown[]) => w.guard(() => op.apply(target, a) as Promise<unknown>);
      return op.bind(target);
    },
  });
}
