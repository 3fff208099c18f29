import type { ControlChannel } from './control-channel.js';
import type { Balancing, ResolvedConnection } from './options.js';
import type { SasKey } from './sas.js';
import { pathSegments } from './sas.js';

/** A configured Hybrid Connection and the listeners currently registered on it. */
export class HybridConnection {
  readonly config: ResolvedConnection;
  readonly listeners = new Set<ControlChannel>();
  #next = 0;

  constructor(config: ResolvedConnection) {
    this.config = config;
  }

  get path(): string {
    return this.config.path;
  }

  /** Rules that may sign tokens for this entity: its own, then the namespace's. */
  keys(namespaceKeys: readonly SasKey[]): readonly SasKey[] {
    return [...this.config.keys, ...namespaceKeys];
  }

  /** One open listener, or undefined when none is connected. */
  pick(balancing: Balancing): ControlChannel | undefined {
    const open = [...this.listeners].filter((listener) => listener.isOpen);
    if (open.length === 0) return undefined;
    if (balancing === 'round-robin') {
      this.#next = (this.#next + 1) % open.length;
      return open[this.#next];
    }
    return open[Math.floor(Math.random() * open.length)];
  }
}

/** A path resolved to a Hybrid Connection: the entity and the rest of the path after it. */
export interface PathMatch {
  readonly connection: HybridConnection;
  /** Path segments after the entity's (a suffix a sender may add). */
  readonly suffix: readonly string[];
}

/**
 * Finds the Hybrid Connection a path addresses: the configured entity whose segments are the
 * longest prefix of the path's (case-insensitive), so `/team/hyco/Users` finds `team/hyco`.
 */
export function matchConnection(connections: readonly HybridConnection[], path: string): PathMatch | undefined {
  const segments = pathSegments(path);
  let best: HybridConnection | undefined;
  for (const connection of connections) {
    const wanted = connection.config.segments;
    if (wanted.length > segments.length) continue;
    if (!wanted.every((segment, i) => segment === segments[i])) continue;
    if (best === undefined || wanted.length > best.config.segments.length) best = connection;
  }
  return best === undefined ? undefined : { connection: best, suffix: segments.slice(best.config.segments.length) };
}
