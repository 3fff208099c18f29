import type { SasKey } from './sas.js';
import { pathSegments } from './sas.js';

/** A Hybrid Connection the emulated namespace hosts. */
export interface HybridConnectionOptions {
  /** Entity path, e.g. `hyco` or `team/hyco` (case-insensitive, as Azure entity names are). */
  readonly path: string;
  /** Authorization rules of this Hybrid Connection. */
  readonly keys: readonly SasKey[];
  /**
   * Whether senders must present a token with the `Send` right. Azure's default is `true`; a
   * Hybrid Connection that SCIM clients call directly is created with `false`.
   */
  readonly requiresClientAuthorization?: boolean;
}

/** How an incoming request picks one of several listeners. */
export type Balancing = 'random' | 'round-robin';

/** Options of `startRelayEmulator`. */
export interface RelayEmulatorOptions {
  /**
   * Namespace host name that tokens must be issued for and that `Via` names. Default: the
   * emulator's own address, `127.0.0.1:<port>` (token ports are ignored, as `hyco-https` puts
   * `:443` into its tokens' resource URI).
   */
  readonly namespace?: string;
  /** Address to bind; default `127.0.0.1`. */
  readonly host?: string;
  /** Port to bind; default 0 (any free port, kept across `restart()`). */
  readonly port?: number;
  readonly connections: readonly HybridConnectionOptions[];
  /** Namespace-level authorization rules, valid for every Hybrid Connection. */
  readonly namespaceKeys?: readonly SasKey[];
  /** TLS material to serve with; a fresh test CA and certificate (openssl CLI) when omitted. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string; readonly caPem: string };
  /** Deadline for a listener's response; the documented 60 s by default. Answered with 504. */
  readonly requestTimeoutMs?: number;
  /** How long a rendezvous (accept) address stays valid; the documented 30 s by default. */
  readonly rendezvousTimeoutMs?: number;
  /** Concurrent listeners per Hybrid Connection; the documented 25 by default. */
  readonly maxListenersPerConnection?: number;
  /** Largest request or response body relayed at all (bounded memory); 16 MiB by default. */
  readonly maxBodyBytes?: number;
  /** `random` (the service's documented behaviour, default) or `round-robin` (deterministic). */
  readonly balancing?: Balancing;
  /**
   * `auto` (default): the control channel for requests up to 64 kB, rendezvous above.
   * `rendezvous`: every request goes over a rendezvous WebSocket (the service may do so at will).
   */
  readonly requestRouting?: 'auto' | 'rendezvous';
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly namespace: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly connections: readonly ResolvedConnection[];
  readonly namespaceKeys: readonly SasKey[];
  readonly requestTimeoutMs: number;
  readonly rendezvousTimeoutMs: number;
  readonly maxListenersPerConnection: number;
  readonly maxBodyBytes: number;
  readonly balancing: Balancing;
  readonly requestRouting: 'auto' | 'rendezvous';
}

/** A Hybrid Connection's configuration, with its path split into segments. */
export interface ResolvedConnection {
  readonly path: string;
  readonly segments: readonly string[];
  readonly keys: readonly SasKey[];
  readonly requiresClientAuthorization: boolean;
}

/** The protocol's control-channel limit for request and response bodies. */
export const CONTROL_CHANNEL_BODY_BYTES = 64 * 1024;
/** The protocol's limit for request header metadata on the control channel. */
export const CONTROL_CHANNEL_HEADER_BYTES = 32 * 1024;

/**
 * Applies defaults and rejects configurations the service would not allow.
 *
 * @throws TypeError on an invalid configuration.
 */
export function resolveOptions(options: RelayEmulatorOptions): ResolvedOptions {
  if (!Array.isArray(options.connections) || options.connections.length === 0) {
    throw new TypeError('startRelayEmulator: at least one Hybrid Connection is required in `connections`.');
  }
  const connections = options.connections.map(resolveConnection);
  const seen = new Set<string>();
  for (const connection of connections) {
    const key = connection.segments.join('/');
    if (seen.has(key))
      throw new TypeError(`startRelayEmulator: the path ${JSON.stringify(connection.path)} is configured twice.`);
    seen.add(key);
  }
  for (const key of options.namespaceKeys ?? []) checkKey(key, 'namespaceKeys');
  return {
    namespace: options.namespace,
    host: options.host ?? '127.0.0.1',
    port: positiveOr(options.port, 0, 'port', true),
    connections,
    namespaceKeys: options.namespaceKeys ?? [],
    requestTimeoutMs: positiveOr(options.requestTimeoutMs, 60_000, 'requestTimeoutMs'),
    rendezvousTimeoutMs: positiveOr(options.rendezvousTimeoutMs, 30_000, 'rendezvousTimeoutMs'),
    maxListenersPerConnection: positiveOr(options.maxListenersPerConnection, 25, 'maxListenersPerConnection'),
    maxBodyBytes: positiveOr(options.maxBodyBytes, 16 * 1024 * 1024, 'maxBodyBytes'),
    balancing: options.balancing ?? 'random',
    requestRouting: options.requestRouting ?? 'auto',
  };
}

function resolveConnection(options: HybridConnectionOptions): ResolvedConnection {
  const segments = pathSegments(options.path ?? '');
  if (segments.length === 0 || segments.some((s) => s === '$hc' || !/^[\w.\-~]+$/.test(s))) {
    throw new TypeError(`startRelayEmulator: invalid Hybrid Connection path ${JSON.stringify(options.path)}.`);
  }
  if (!Array.isArray(options.keys)) throw new TypeError(`startRelayEmulator: \`keys\` of ${options.path} must be an array.`);
  for (const key of options.keys) checkKey(key, options.path);
  return {
    path: segments.join('/'),
    segments,
    keys: options.keys,
    requiresClientAuthorization: options.requiresClientAuthorization ?? true,
  };
}

function checkKey(key: SasKey, where: string): void {
  if (typeof key?.name !== 'string' || key.name === '' || typeof key.key !== 'string' || key.key === '') {
    throw new TypeError(`startRelayEmulator: every key of ${where} needs a non-empty \`name\` and \`key\`.`);
  }
}

function positiveOr(value: number | undefined, fallback: number, name: string, zeroAllowed = false): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) {
    throw new TypeError(`startRelayEmulator: \`${name}\` must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer.`);
  }
  return value;
}
