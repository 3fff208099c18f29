import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RelayContext } from './context.js';
import type { ListenerInfo } from './control-channel.js';
import { RelayFaults } from './faults.js';
import { HybridConnection, matchConnection } from './hybrid-connection.js';
import { type RelayEmulatorOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { RendezvousRegistry } from './rendezvous.js';
import type { RendezvousSession } from './rendezvous-session.js';
import { createSasToken } from './sas.js';
import { handleSenderRequest } from './sender-http.js';
import { protocolChoices } from './sender-websocket.js';
import { createTestTls, type TlsMaterial } from './tls.js';
import { handleUpgrade } from './upgrade.js';
import { type ProtocolViolation, ViolationLog } from './violations.js';

/** Options of {@link RelayEmulator.sasToken}. */
export interface SasTokenOptions {
  /** Hybrid Connection the token is for; the first configured one by default. */
  readonly path?: string;
  /** Rule name; the Hybrid Connection's first rule by default. */
  readonly keyName?: string;
  /** Key to sign with; the configured key of `keyName` by default (give another to make a wrong token). */
  readonly key?: string;
  /** Lifetime from now in seconds (negative for an expired token); 3600 by default. */
  readonly expiresInSeconds?: number;
  /** Resource URI to sign for; `http://<namespace>/<path>` by default. */
  readonly resource?: string;
}

/** Options of {@link RelayEmulator.dropListeners}. */
export interface DropListenersOptions {
  /** Only the listeners of this Hybrid Connection; all by default. */
  readonly path?: string;
  /** `close` sends a WebSocket close frame (code 1011 by default); `terminate` drops the TCP connection. */
  readonly mode?: 'close' | 'terminate';
  readonly code?: number;
  readonly reason?: string;
}

/** A running emulated Azure Relay namespace. */
export interface RelayEmulator {
  /** Bound address and port. */
  readonly host: string;
  readonly port: number;
  /** `host:port` to connect to (`[::1]:port` for IPv6). */
  readonly address: string;
  /** Namespace name tokens must be issued for. */
  readonly namespace: string;
  /** PEM of the CA that signed the emulator's certificate: what clients must trust. */
  readonly caPem: string;
  /** A file holding {@link caPem}, e.g. for `NODE_EXTRA_CA_CERTS` of a child process. */
  readonly caFile: string;
  /** Fault injection. */
  readonly faults: RelayFaults;
  /** Whether the emulator is serving (false between `stop()` and `restart()`). */
  readonly running: boolean;
  /** `wss://<address>/$hc/<path>?sb-hc-action=listen`: the `server` option of `createRelayedServer`. */
  listenUrl(path: string): string;
  /** `https://<address>/<path><suffix>`: where senders send HTTP requests. */
  senderUrl(path: string, suffix?: string): string;
  /** `wss://<address>/$hc/<path>?sb-hc-action=connect`: where sender WebSockets connect. */
  senderWebSocketUrl(path: string): string;
  /** A `SharedAccessSignature` token for a configured rule (or for any key, to test refusals). */
  sasToken(options?: SasTokenOptions): string;
  /** Listeners currently registered on a Hybrid Connection. */
  listeners(path: string): ListenerInfo[];
  /** Drops control channels, as a service-side failure would; returns how many. */
  dropListeners(options?: DropListenersOptions): number;
  /** Protocol violations noticed so far (bounded, newest last). */
  protocolViolations(): ProtocolViolation[];
  /** Stops serving: every connection is dropped, the port released. Configuration and state stay. */
  stop(): Promise<void>;
  /** Serves again on the same port with the same certificate (stops first if running). */
  restart(): Promise<void>;
  /** Stops and removes the temporary files. */
  close(): Promise<void>;
}

/**
 * Starts an emulated Azure Relay namespace with Hybrid Connections over HTTPS and WSS.
 *
 * @example
 * const relay = await startRelayEmulator({
 *   connections: [{ path: 'hyco', keys: [{ name: 'RootManageSharedAccessKey', key: 'secret' }] }],
 * });
 * const uri = relay.listenUrl('hyco');
 * // hyco-https in a process started with NODE_EXTRA_CA_CERTS=relay.caFile:
 * // https.createRelayedServer({ server: uri, token: () => https.createRelayToken(uri, name, key) }, handler).listen();
 * await fetch(relay.senderUrl('hyco', '/Users'), { headers: { ServiceBusAuthorization: relay.sasToken() } });
 * await relay.close();
 */
export async function startRelayEmulator(options: RelayEmulatorOptions): Promise<RelayEmulator> {
  const resolved = resolveOptions(options);
  const dir = await mkdtemp(join(tmpdir(), 'relay-emulator-'));
  try {
    const tls = options.tls ?? (await createTestTls(dir, resolved.namespace === undefined ? [] : [hostOf(resolved.namespace)]));
    const caFile = join(dir, 'relay-ca.pem');
    await writeFile(caFile, tls.caPem);
    const emulator = new Emulator(resolved, tls, dir, caFile);
    await emulator.start();
    return emulator;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class Emulator implements RelayEmulator {
  readonly faults = new RelayFaults();
  readonly caFile: string;
  readonly #options: ResolvedOptions;
  readonly #tls: TlsMaterial;
  readonly #dir: string;
  readonly #connections: HybridConnection[];
  readonly #violations = new ViolationLog();
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Map<Duplex, RendezvousSession>();
  readonly #rendezvous: RendezvousRegistry;
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port: number;

  constructor(options: ResolvedOptions, tls: TlsMaterial, dir: string, caFile: string) {
    this.#options = options;
    this.#tls = tls;
    this.#dir = dir;
    this.caFile = caFile;
    this.#port = options.port;
    this.#connections = options.connections.map((config) => new HybridConnection(config));
    this.#rendezvous = new RendezvousRegistry(() => this.address);
  }

  get host(): string {
    return this.#options.host;
  }
  get port(): number {
    return this.#port;
  }
  get address(): string {
    return isIPv6(this.host) ? `[${this.host}]:${this.#port}` : `${this.host}:${this.#port}`;
  }
  get namespace(): string {
    return this.#options.namespace ?? this.address;
  }
  get caPem(): string {
    return this.#tls.caPem;
  }
  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<void> {
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: this.#options.maxBodyBytes + 64 * 1024,
      handleProtocols: (protocols, req) => {
        const choice = protocolChoices.get(req);
        return choice !== undefined ? choice : (protocols.values().next().value ?? false);
      },
    });
    const emulator = this;
    const context: RelayContext = {
      options: this.#options,
      // Getters: the port is known only once the server listens.
      get namespace() {
        return emulator.namespace;
      },
      get address() {
        return emulator.address;
      },
      connections: this.#connections,
      rendezvous: this.#rendezvous,
      faults: this.faults,
      violations: this.#violations,
      sessions: this.#sessions,
      wss,
      now: () => Date.now(),
    };
    const server = createServer({ cert: this.#tls.certPem, key: this.#tls.keyPem, minVersion: 'TLSv1.2' });
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req, res) => void handleSenderRequest(context, req, res));
    server.on('upgrade', (req, socket, head) => handleUpgrade(context, { req, socket, head }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address();
    if (bound !== null && typeof bound === 'object') this.#port = bound.port;
    this.#server = server;
    this.#wss = wss;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of this.#connections) {
      for (const listener of connection.listeners) listener.terminate();
      connection.listeners.clear();
    }
    for (const session of this.#sessions.values()) session.terminate();
    this.#sessions.clear();
    this.#rendezvous.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#wss?.close();
    this.#wss = undefined;
    await closed;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async close(): Promise<void> {
    await this.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }

  listenUrl(path: string): string {
    return `wss://${this.address}/$hc/${encodePath(path)}?sb-hc-action=listen`;
  }

  senderUrl(path: string, suffix = ''): string {
    return `https://${this.address}/${encodePath(path)}${suffix}`;
  }

  senderWebSocketUrl(path: string): string {
    return `wss://${this.address}/$hc/${encodePath(path)}?sb-hc-action=connect`;
  }

  sasToken(options: SasTokenOptions = {}): string {
    const connection = this.#connection(options.path ?? this.#connections[0]!.path);
    const keyName = options.keyName ?? connection.config.keys[0]?.name ?? this.#options.namespaceKeys[0]?.name;
    if (keyName === undefined) throw new TypeError('sasToken: no authorization rule is configured; pass keyName and key.');
    const key = options.key ?? connection.keys(this.#options.namespaceKeys).find((k) => k.name === keyName)?.key;
    if (key === undefined) throw new TypeError(`sasToken: no rule named ${JSON.stringify(keyName)}; pass its key.`);
    return createSasToken({
      resourceUri: options.resource ?? `http://${this.namespace}/${connection.path}`,
      keyName,
      key,
      expiry: Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600),
    });
  }

  listeners(path: string): ListenerInfo[] {
    return [...this.#connection(path).listeners].filter((l) => l.isOpen).map((l) => l.info());
  }

  dropListeners(options: DropListenersOptions = {}): number {
    const connections = options.path === undefined ? this.#connections : [this.#connection(options.path)];
    let dropped = 0;
    for (const connection of connections) {
      for (const listener of [...connection.listeners]) {
        if (options.mode === 'terminate') listener.terminate();
        else listener.close(options.code ?? 1011, options.reason ?? 'Something went wrong in the service.');
        dropped += 1;
      }
    }
    return dropped;
  }

  protocolViolations(): ProtocolViolation[] {
    return this.#violations.list();
  }

  #connection(path: string): HybridConnection {
    const match = matchConnection(this.#connections, path);
    if (match === undefined || match.suffix.length > 0)
      throw new TypeError(`No Hybrid Connection ${JSON.stringify(path)} is configured.`);
    return match.connection;
  }
}

function encodePath(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map(encodeURIComponent)
    .join('/');
}

function hostOf(namespace: string): string {
  if (namespace.startsWith('[')) return namespace.slice(1, namespace.indexOf(']'));
  const colon = namespace.lastIndexOf(':');
  return colon === -1 ? namespace : namespace.slice(0, colon);
}
