/**
 * One lane per resource for the core's read-modify-write paths: a PATCH to a connector that can
 * only replace (read, apply, write back), a PUT to one that can only modify (read, diff, write),
 * a PUT with `usePutSoftSync` (read, merge, write). Two such writes to the same resource at once
 * would each read the same state and the second would write away the first (SailPoint and Entra ID
 * send membership changes to one group in parallel). Writes to different resources, and every
 * path that hands the change to the connector whole (`modify`, `replace`), do not wait.
 *
 * This orders the writes of one gateway process. Several gateway processes in front of one
 * backend need a connector that applies changes itself (`modify`) or checks versions (`etag`).
 */
export class ResourceLanes {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier `work` of the same key has settled; the key is forgotten when idle. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key);
    const mine = before ? before.then(work, work) : work();
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return mine;
  }

  /** Keys with a write running or waiting (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}

const byConnector = new WeakMap<object, ResourceLanes>();

/**
 * The lanes of one connector, shared by every handler made for it (the gateway's, and the SCIM
 * Stream subscriber's that applies messages to the same connector).
 */
export function lanesOf(connector: object): ResourceLanes {
  let lanes = byConnector.get(connector);
  if (!lanes) {
    lanes = new ResourceLanes();
    byConnector.set(connector, lanes);
  }
  return lanes;
}
