import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { type MongoWireUser, UserStore } from './auth/users.js';
import { CallLog } from './call-log.js';
import { ClientConnection } from './connection.js';
import { type FailCommandSpec, FaultInjector } from './faults.js';
import { compileFilter } from './query/filter.js';
import { ClusterClock } from './sessions/cluster-time.js';
import { SessionRegistry } from './sessions/sessions.js';
import { newProcessId, type ServerState, type ServerStats } from './state.js';
import { Catalog } from './store/catalog.js';
import { CursorRegistry } from './store/cursors.js';
import { createTestCertificates, type TestCertificates } from './tls.js';

/** TLS material for the server. */
export interface MongoWireTlsOptions {
  /** PEM server certificate. */
  readonly cert: string | Buffer;
  /** PEM private key. */
  readonly key: string | Buffer;
  /** PEM of the CA that signed `cert` (reported back in {@link MongoWireServer.tls}). */
  readonly ca?: string;
  /** Path of that CA file (used in {@link MongoWireServer.url}). */
  readonly caFile?: string;
}

/** Options of {@link startMongoWireServer}. */
export interface MongoWireServerOptions {
  /** TCP port; default 0 (a free port). Restarts reuse the port first bound. */
  readonly port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  readonly host?: string;
  /**
   * Users for SCRAM authentication; when given, access control is on (as `mongod --auth`): every data
   * command requires authentication. More users can be made with `createUser`.
   */
  readonly users?: readonly MongoWireUser[];
  /** `true` for a throwaway CA and certificate made with `openssl`, or your own material. TLS-only when set. */
  readonly tls?: boolean | MongoWireTlsOptions;
  /**
   * Present the server as the primary of a one-member replica set with this name (instead of a
   * standalone): `hello` has the member fields, replies carry `$clusterTime`/`operationTime`,
   * retryable writes and transactions are accepted.
   */
  readonly replicaSet?: string;
}

/** Credentials for {@link MongoWireServer.connectionString}. */
export interface ConnectionCredentials {
  readonly username: string;
  readonly password: string;
  /** Default `admin`. */
  readonly authSource?: string;
}

/** A running (or stopped) test server. */
export interface MongoWireServer {
  readonly host: string;
  readonly port: number;
  /** `mongodb://host:port/` (with `tls=true&tlsCAFile=…` when TLS is on). */
  readonly url: string;
  /** The CA a client must trust, when TLS is on. */
  readonly tls: { readonly ca: string; readonly caFile: string | undefined } | undefined;
  /** Every command received, for assertions. */
  readonly calls: CallLog;
  /** Unexpected exceptions caught while serving (each was answered as InternalError). Should stay empty. */
  readonly internalErrors: readonly Error[];
  /** Work counters (documents examined, index lookups, collection scans); {@link reset} zeroes them. */
  readonly stats: Readonly<ServerStats>;
  /** Open client connections. */
  readonly connectionCount: number;
  /** Whether the server is listening. */
  readonly running: boolean;
  /** {@link url} with credentials (and `authSource`). */
  connectionString(credentials?: ConnectionCredentials, params?: Record<string, string>): string;
  /** Stops listening and drops every connection. Data stays, so {@link restart} brings the same server back. */
  stop(): Promise<void>;
  /**
   * Stops (if running) and starts again on the same port, as a restarted mongod: connections and
   * cursors are gone, data and users stay unless `keepData` is false (then the users are those
   * given at startup again), `topologyVersion.processId` is new.
   */
  restart(options?: { readonly keepData?: boolean }): Promise<void>;
  /** Closes every client connection (the listener stays up); returns how many were closed. */
  dropConnections(): number;
  /** Makes the next `times` (default 1) commands named `command` fail as `spec` says. */
  failNext(command: string, spec: FailCommandSpec, times?: number): void;
  /** Drops all data, cursors, planned failures and the call log; users go back to those given at startup. */
  reset(): void;
}

const generatedCertificates = new Set<string>();
let exitHookInstalled = false;

// Best effort for a process that ends without stopping its servers.
function removeOnExit(dir: string): void {
  generatedCertificates.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const path of generatedCertificates) rmSync(path, { recursive: true, force: true });
  });
}

class WireServer implements MongoWireServer {
  readonly host: string;
  port: number;
  readonly tls: MongoWireServer['tls'];
  readonly calls: CallLog;
  readonly #state: ServerState;
  readonly #tlsMaterial: MongoWireTlsOptions | undefined;
  // A CA this server generated: its file exists while the server runs (clients read it), and is
  // written again at the same path when a stopped server starts.
  readonly #generated: TestCertificates | undefined;
  readonly #connections = new Set<ClientConnection>();
  #listener: NetServer | undefined;
  #nextConnectionId = 1;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: MongoWireServerOptions, tlsMaterial: MongoWireTlsOptions | undefined, generated?: TestCertificates) {
    this.#generated = generated;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.#tlsMaterial = tlsMaterial;
    this.tls = tlsMaterial ? { ca: tlsMaterial.ca ?? '', caFile: tlsMaterial.caFile } : undefined;
    this.calls = new CallLog();
    const catalog = new Catalog(compileFilter);
    this.#state = {
      catalog,
      topology: options.replicaSet ? { kind: 'replicaSet', setName: options.replicaSet, term: 1 } : { kind: 'standalone' },
      address: '',
      sessions: new SessionRegistry(catalog),
      clock: new ClusterClock(),
      cursors: new CursorRegistry(),
      users: new UserStore(options.users ?? []),
      calls: this.calls,
      faults: new FaultInjector(),
      processId: newProcessId(),
      internalErrors: [],
      stats: { documentsExamined: 0, indexLookups: 0, collectionScans: 0 },
    };
  }

  get url(): string {
    return this.connectionString();
  }

  get internalErrors(): readonly Error[] {
    return this.#state.internalErrors;
  }

  get stats(): Readonly<ServerStats> {
    return this.#state.stats;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get running(): boolean {
    return this.#listener !== undefined;
  }

  connectionString(credentials?: ConnectionCredentials, params: Record<string, string> = {}): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    const auth = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
    const query = new URLSearchParams(params);
    if (credentials) query.set('authSource', credentials.authSource ?? 'admin');
    if (this.#state.topology.kind === 'replicaSet') query.set('replicaSet', this.#state.topology.setName);
    if (this.tls) {
      query.set('tls', 'true');
      if (this.tls.caFile) query.set('tlsCAFile', this.tls.caFile);
    }
    const search = query.toString();
    return `mongodb://${auth}${host}:${this.port}/${search ? `?${search}` : ''}`;
  }

  async start(): Promise<void> {
    if (this.#generated) {
      mkdirSync(this.#generated.dir, { recursive: true });
      writeFileSync(this.#generated.caFile, this.#generated.ca);
    }
    const onSocket = (socket: Socket) => {
      const connection = new ClientConnection(this.#nextConnectionId++, socket, this.#state);
      this.#connections.add(connection);
      socket.once('close', () => this.#connections.delete(connection));
    };
    const listener = this.#tlsMaterial
      ? createTlsServer({ cert: this.#tlsMaterial.cert, key: this.#tlsMaterial.key }, onSocket)
      : createNetServer(onSocket);
    // A failed TLS handshake concerns only that client.
    listener.on('tlsClientError', () => {});
    await listenWithRetry(listener, this.port, this.host);
    const address = listener.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.#state.address = `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    this.#listener = listener;
    this.#sweeper = setInterval(() => this.#state.cursors.sweep(), 60_000);
    this.#sweeper.unref();
  }

  async stop(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    this.dropConnections();
    this.#state.cursors.clear();
    this.#state.sessions.clear();
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
    if (this.#generated) await this.#generated.dispose();
  }

  async restart(options: { readonly keepData?: boolean } = {}): Promise<void> {
    await this.stop();
    if (options.keepData === false) {
      this.#state.catalog.clear();
      this.#state.users.reset();
    }
    this.#state.processId = newProcessId();
    if (this.#state.topology.kind === 'replicaSet') this.#state.topology.term += 1;
    this.#nextConnectionId = 1;
    await this.start();
  }

  dropConnections(): number {
    const count = this.#connections.size;
    for (const connection of [...this.#connections]) connection.close();
    this.#connections.clear();
    return count;
  }

  failNext(command: string, spec: FailCommandSpec, times = 1): void {
    this.#state.faults.failNext(command, spec, times);
  }

  reset(): void {
    this.#state.catalog.clear();
    this.#state.users.reset();
    this.#state.cursors.clear();
    this.#state.sessions.clear();
    this.#state.faults.clear();
    this.calls.clear();
    Object.assign(this.#state.stats, { documentsExamined: 0, indexLookups: 0, collectionScans: 0 });
  }
}

async function listenWithRetry(listener: NetServer, port: number, host: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        listener.once('error', onError);
        listener.listen({ port, host, exclusive: true }, () => {
          listener.off('error', onError);
          resolve();
        });
      });
      return;
    } catch (error) {
      // Right after a stop the port can still be held briefly; a restart waits for it.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0 || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Starts a MongoDB wire-protocol test server on loopback.
 *
 * @example
 * const srv = await startMongoWireServer();
 * const client = new MongoClient(srv.url);
 * await client.db('test').collection('users').insertOne({ userName: 'alice' });
 * await client.close();
 * await srv.stop();
 */
export async function startMongoWireServer(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  let material: MongoWireTlsOptions | undefined;
  let generated: TestCertificates | undefined;
  if (options.tls === true) {
    generated = await createTestCertificates();
    removeOnExit(generated.dir);
    material = { cert: generated.cert, key: generated.key, ca: generated.ca, caFile: generated.caFile };
  } else if (options.tls) {
    material = options.tls;
  }
  const server = new WireServer(options, material, generated);
  await server.start();
  return server;
}
