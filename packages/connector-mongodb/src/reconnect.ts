/**
 * A `MongoClient` that connects again after a connection that failed. The driver (7.9.0) closes a
 * client's topology when connecting fails but keeps it on the client, and reconnects on its own only
 * a client without one: after a failed first connection (MongoDB down when the gateway started, a
 * server certificate refused) every later operation would fail with `MongoTopologyClosedError`,
 * for good. Once connected, the driver's own monitoring rides out outages and failovers.
 */
import type { MongoClient } from 'mongodb';

/** One client and whether it is connected; operations wait for {@link ClientConnection.ready} first. */
export class ClientConnection {
  /** The driver's client: collections are built on it once and stay valid across reconnections. */
  readonly client: MongoClient;
  #connected = false;
  #closed = false;
  /** The connection attempt in flight, shared by every operation that waits meanwhile. */
  #attempt: Promise<void> | undefined;
  readonly #onConnected: (() => void) | undefined;

  /** @param onConnected - called after each successful connection attempt (for a log line). */
  constructor(client: MongoClient, onConnected?: () => void) {
    this.client = client;
    this.#onConnected = onConnected;
    // Emitted when the driver gives up a topology (a failed connection, or close()): connect again
    // on the next use rather than hand operations a closed one.
    client.on('topologyClosed', () => {
      this.#connected = false;
    });
  }

  /**
   * Resolves once the client is connected: at once when it is, otherwise after one connection
   * attempt, shared by concurrent callers (at most one in flight, so an outage causes no storm of
   * them). Rejects with the driver's error when the attempt fails; the next call tries again.
   * After {@link close} it resolves without connecting: the driver then refuses the operation.
   */
  ready(): Promise<void> {
    if (this.#connected || this.#closed) return Promise.resolve();
    this.#attempt ??= this.connect();
    return this.#attempt;
  }

  private async connect(): Promise<void> {
    try {
      await this.client.connect();
      this.#connected = !this.#closed;
      if (this.#connected) this.#onConnected?.();
    } finally {
      this.#attempt = undefined;
    }
  }

  /** Closes the client for good (a later {@link ready} does not reopen it). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#connected = false;
    await this.client.close();
  }
}
