import { type Document, ObjectId } from 'bson';
import type { ScramConversation, Principal } from './auth/scram.js';
import type { UserStore } from './auth/users.js';
import type { CallLog } from './call-log.js';
import type { FaultInjector } from './faults.js';
import type { ClusterClock } from './sessions/cluster-time.js';
import type { SessionRegistry, Transaction } from './sessions/sessions.js';
import type { Catalog } from './store/catalog.js';
import type { CursorRegistry } from './store/cursors.js';
import type { DataSource } from './store/data-view.js';

/** How the server presents itself: a standalone mongod, or the primary of a one-member replica set. */
export type Topology = { readonly kind: 'standalone' } | { readonly kind: 'replicaSet'; readonly setName: string; term: number };

/** Everything the commands share: data, cursors, users, the call log and planned faults. */
export interface ServerState {
  readonly catalog: Catalog;
  readonly cursors: CursorRegistry;
  readonly users: UserStore;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** `topologyVersion.processId`: new on every (re)start, as for a real process. */
  processId: ObjectId;
  readonly topology: Topology;
  /** `host:port` clients reach the server at (the replica-set member name). */
  address: string;
  /** Sessions with transactions and retryable writes (replica-set mode). */
  readonly sessions: SessionRegistry;
  /** Cluster time gossiped in replica-set mode. */
  readonly clock: ClusterClock;
  /** Unexpected exceptions caught while running commands (answered as InternalError). */
  readonly internalErrors: Error[];
  /** Work counters, like the `totalDocsExamined` of MongoDB's explain output. */
  readonly stats: ServerStats;
}

/** Work counters of a server. */
export interface ServerStats {
  /** Documents tested against a query filter (index lookups examine only their candidates). */
  documentsExamined: number;
  /** Queries answered through the `_id` map or a secondary index. */
  indexLookups: number;
  /** Queries answered by testing every document of the collection. */
  collectionScans: number;
}

/** What a command knows about the connection it arrived on. */
export interface ConnectionInfo {
  readonly id: number;
  /** `host:port` of the client. */
  readonly remote: string;
  /** Aborted when the connection closes. */
  readonly signal: AbortSignal;
  /** Users this connection has authenticated as. */
  principals: Principal[];
  /** The SASL conversation in progress, if any. */
  conversation: ScramConversation | undefined;
  /** The client metadata of the handshake. */
  client: Document | undefined;
}

/** A command invocation. */
export interface CommandContext {
  readonly state: ServerState;
  readonly connection: ConnectionInfo;
  /** The database the command runs against (`$db`). */
  readonly db: string;
  /** The command document, document sequences merged in. */
  readonly body: Document;
  /** The command name as sent. */
  readonly name: string;
  /** The data the command reads and writes: the catalog, or its transaction's view. */
  readonly data: DataSource;
  /** The transaction the command runs in, if any. */
  readonly transaction: Transaction | undefined;
  /** Whether the request allows several replies (OP_MSG `exhaustAllowed`). */
  readonly exhaustAllowed: boolean;
  /** Set by a handler that keeps answering after its first reply (streaming `hello`). */
  stream?: { readonly intervalMs: number; readonly next: () => Document };
}

/** A command implementation. */
export interface CommandDefinition {
  readonly run: (ctx: CommandContext) => Document | Promise<Document>;
  /**
   * Fields the command accepts besides its name and the generic arguments, with their types;
   * anything else is answered with MongoDB's "unknown field" error. Omit to accept anything.
   */
  readonly fields?: Readonly<Record<string, FieldType>>;
  /** Whether the command needs an authenticated connection when users are configured (default true). */
  readonly requiresAuth?: boolean;
}

/** A field type of a command argument. */
export type FieldType =
  | 'string'
  | 'object'
  | 'array'
  | 'bool'
  | 'number'
  | 'any'
  | 'objectOrArray'
  | 'stringOrObject'
  | 'stringOrNumber';

/** A fresh process id (on start and restart). */
export function newProcessId(): ObjectId {
  return new ObjectId();
}
