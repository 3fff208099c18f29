import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { RelayFaults } from './faults.js';
import type { HybridConnection } from './hybrid-connection.js';
import type { ResolvedOptions } from './options.js';
import type { RendezvousRegistry } from './rendezvous.js';
import type { RendezvousSession } from './rendezvous-session.js';
import type { ViolationLog } from './violations.js';

/** State every part of the emulated service shares while it runs. */
export interface RelayContext {
  readonly options: ResolvedOptions;
  /** Namespace host that tokens must name and `Via` carries. */
  readonly namespace: string;
  /** `host:port` clients connect to; rendezvous addresses point here. */
  readonly address: string;
  readonly connections: readonly HybridConnection[];
  readonly rendezvous: RendezvousRegistry;
  readonly faults: RelayFaults;
  readonly violations: ViolationLog;
  /** Rendezvous WebSockets bound to the sender connection they serve. */
  readonly sessions: Map<Duplex, RendezvousSession>;
  /** Completes WebSocket handshakes the emulator accepts (no server of its own). */
  readonly wss: WebSocketServer;
  /** Current time in milliseconds. */
  now(): number;
}

/** The namespace host without a port, as token audiences are compared. */
export function namespaceHost(context: RelayContext): string {
  const namespace = context.namespace;
  if (namespace.startsWith('[')) return namespace.slice(0, namespace.indexOf(']') + 1);
  const colon = namespace.lastIndexOf(':');
  return colon === -1 ? namespace : namespace.slice(0, colon);
}
