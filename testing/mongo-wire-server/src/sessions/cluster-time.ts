import { Binary, type Document, Long, Timestamp } from 'bson';

/**
 * The cluster time a replica-set member gossips in `$clusterTime` and `operationTime`. Writes advance
 * it. The signature is all zeros with key id 0, as a member without keys (no auth) sends it.
 */
export class ClusterClock {
  #seconds = Math.floor(Date.now() / 1000);
  #increment = 1;

  /** The latest cluster time. */
  now(): Timestamp {
    return new Timestamp({ t: this.#seconds, i: this.#increment });
  }

  /** Advances the clock for a write and returns the new time. */
  tick(): Timestamp {
    const seconds = Math.floor(Date.now() / 1000);
    if (seconds > this.#seconds) {
      this.#seconds = seconds;
      this.#increment = 1;
    } else {
      this.#increment += 1;
    }
    return this.now();
  }

  /** The fields a replica-set member adds to every reply. */
  gossip(): Document {
    const time = this.now();
    return {
      $clusterTime: { clusterTime: time, signature: { hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO } },
      operationTime: time,
    };
  }
}
