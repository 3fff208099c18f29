/**
 * The part of `hyco-https` (Microsoft's Hybrid Connections listener for Node.js; it ships no
 * types) this package uses, loaded on first use: requiring it replaces `Server` and
 * `ServerResponse` on Node's own `https` module, so a host that does not listen through the relay
 * never loads it.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

/** A WebSocket as hyco-https holds it (its `ws` dependency). */
export interface HycoSocket extends EventEmitter {
  onmessage: ((event: { data: unknown }) => void) | null;
  close(code?: number, reason?: string): void;
  pendingRequest?: unknown;
}

/** hyco-https's relayed server. */
export interface HycoServer extends EventEmitter {
  listen(): void;
  close(callback?: (error: Error | null) => void): void;
  controlChannel?: HycoSocket | undefined;
  pendingRequest?: unknown;
}

/** The module's functions used here. */
export interface HycoModule {
  createRelayedServer(
    options: { server: string; token: string | (() => string) },
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ): HycoServer;
  createRelayToken(uri: string, keyName: string, key: string, expirationSeconds?: number): string;
}

/** A WebSocket client class (hyco-https's own `ws`), for refusing rendezvous requests. */
export type WsClass = new (
  address: string,
  options?: Record<string, unknown>,
) => EventEmitter & { close(): void; terminate(): void };

let loaded: { hyco: HycoModule; Ws: WsClass } | undefined;

/** Loads hyco-https (once). */
export function loadHyco(): { hyco: HycoModule; Ws: WsClass } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const hyco = require('hyco-https') as HycoModule;
  // The same `ws` hyco-https uses, so its trust settings and version apply.
  const Ws = createRequire(require.resolve('hyco-https'))('ws') as WsClass;
  loaded = { hyco, Ws };
  return loaded;
}
