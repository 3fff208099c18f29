import type { Document } from 'bson';
import { authorize } from './auth/roles.js';
import { redactForLog } from './call-log.js';
import { checkFields } from './commands/args.js';
import { COMMANDS } from './commands/registry.js';
import { transactionsUnsupported } from './commands/sessions.js';
import { commandError, MongoCommandError } from './errors.js';
import { sessionKey, txnNumberOf } from './sessions/sessions.js';
import type { CommandContext, ConnectionInfo, ServerState } from './state.js';
import { validateDatabaseName } from './store/catalog.js';
import { isPlainObject } from './store/values.js';

/** The result of running one command. */
export type DispatchResult =
  | { kind: 'reply'; reply: Document; stream?: CommandContext['stream'] }
  /** A planned fault: close the connection without replying. */
  | { kind: 'close' };

/** How the command arrived. */
export interface DispatchOptions {
  /** The database of a legacy OP_QUERY (`<db>.$cmd`); OP_MSG carries `$db` in the body. */
  readonly legacyDb?: string;
  readonly exhaustAllowed: boolean;
}

const TRANSACTION_FIELDS = ['txnNumber', 'autocommit', 'startTransaction'];
// Commands MongoDB runs inside a multi-document transaction (this server: without create/createIndexes).
const IN_TRANSACTION = new Set([
  'find',
  'getMore',
  'killCursors',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'aggregate',
  'distinct',
  'commitTransaction',
  'abortTransaction',
]);
const RETRYABLE_WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
const WRITES = new Set([
  ...RETRYABLE_WRITES,
  'create',
  'drop',
  'dropDatabase',
  'createIndexes',
  'dropIndexes',
  'deleteIndexes',
  'commitTransaction',
  'createUser',
  'dropUser',
]);

/**
 * Runs one command: records it, applies planned faults, checks authentication, `$db`, session and
 * transaction fields and argument types, then calls the implementation. Every failure becomes an
 * error reply; nothing thrown here escapes to the connection.
 */
export async function dispatch(
  state: ServerState,
  connection: ConnectionInfo,
  body: Document,
  options: DispatchOptions,
): Promise<DispatchResult> {
  const name = Object.keys(body)[0] ?? '';
  const rawDb = options.legacyDb ?? body['$db'];
  const db = typeof rawDb === 'string' ? rawDb : '';
  const target = body[name];
  state.calls.record({
    command: name,
    db,
    collection: typeof target === 'string' ? target : undefined,
    connectionId: connection.id,
    body: redactForLog(name, body),
  });
  const fault = state.faults.take(name);
  if (fault.kind === 'close') return { kind: 'close' };
  if (fault.kind === 'reply') return { kind: 'reply', reply: withGossip(state, fault.reply) };
  let ctx: CommandContext | undefined;
  try {
    ctx = prepare(state, connection, body, name, db, options);
    const retry = retryableWrite(state, ctx);
    if (retry?.reply) return { kind: 'reply', reply: withGossip(state, retry.reply) };
    if (state.topology.kind === 'replicaSet' && WRITES.has(name)) state.clock.tick();
    const result = await COMMANDS.get(name)!.run(ctx);
    const reply: Document = { ...result };
    delete reply['ok'];
    reply['ok'] = 1;
    if (ctx.transaction && reply['writeErrors']) ctx.transaction.state = 'aborted';
    if (retry) state.sessions.rememberWrite(retry.key, retry.txnNumber, reply);
    if (fault.kind === 'closeAfterRunning') return { kind: 'close' };
    return ctx.stream
      ? { kind: 'reply', reply: withGossip(state, reply), stream: ctx.stream }
      : { kind: 'reply', reply: withGossip(state, reply) };
  } catch (error) {
    // A failed command aborts the transaction it ran in.
    if (ctx?.transaction?.state === 'active' && ctx.name !== 'commitTransaction') ctx.transaction.state = 'aborted';
    if (error instanceof MongoCommandError) return { kind: 'reply', reply: withGossip(state, error.toReply()) };
    // The connection closed while the command waited (an awaitable hello): nobody to answer.
    if (connection.signal.aborted) return { kind: 'close' };
    const internal = error instanceof Error ? error : new Error(String(error));
    state.internalErrors.push(internal);
    return { kind: 'reply', reply: { ok: 0, errmsg: `internal error: ${internal.message}`, code: 1, codeName: 'InternalError' } };
  }
}

function withGossip(state: ServerState, reply: Document): Document {
  return state.topology.kind === 'replicaSet' ? { ...reply, ...state.clock.gossip() } : reply;
}

function prepare(
  state: ServerState,
  connection: ConnectionInfo,
  body: Document,
  name: string,
  db: string,
  options: DispatchOptions,
): CommandContext {
  if (name === '') throw commandError('CommandNotFound', "no such command: ''");
  if (options.legacyDb === undefined && body['$db'] === undefined) {
    throw commandError('Location40571', 'OP_MSG requests require a $db argument');
  }
  if (typeof body['$db'] !== 'string' && options.legacyDb === undefined) {
    throw commandError('TypeMismatch', "BSON field '$db' is the wrong type, expected type 'string'");
  }
  validateDatabaseName(db);
  const definition = COMMANDS.get(name);
  if (!definition) throw commandError('CommandNotFound', `no such command: '${name}'`);
  // A dropped user is logged out of the connections it had authenticated (MongoDB drops it from
  // each session's user cache on the next command).
  if (connection.principals.some((p) => !state.users.get(p.db, p.user))) {
    connection.principals = connection.principals.filter((p) => state.users.get(p.db, p.user));
  }
  if (state.users.enabled && definition.requiresAuth !== false && connection.principals.length === 0) {
    throw commandError('Unauthorized', `Command ${name} requires authentication`);
  }
  if (state.users.enabled) authorize(connection.principals, (p) => state.users.rolesOf(p.db, p.user), db, name, body);
  const base = { state, connection, db, body, name, exhaustAllowed: options.exhaustAllowed };
  const inTransaction = sessionFields(state, body, name);
  if (definition.fields) checkFields(name, body, definition.fields);
  if (!inTransaction) return { ...base, data: state.catalog, transaction: undefined };
  return { ...base, data: inTransaction.view, transaction: inTransaction };
}

// Checks txnNumber / autocommit / startTransaction and returns the transaction the command runs in.
function sessionFields(state: ServerState, body: Document, name: string) {
  const present = TRANSACTION_FIELDS.filter((field) => body[field] !== undefined);
  if (present.length === 0) return undefined;
  if (state.topology.kind === 'standalone') throw transactionsUnsupported();
  const key = sessionKey(body['lsid']);
  if (!key) throw commandError('InvalidOptions', 'Transaction number requires a session ID to also be specified');
  const txnNumber = txnNumberOf(body['txnNumber']);
  const autocommit = body['autocommit'];
  if (autocommit === undefined) {
    if (body['startTransaction'] !== undefined)
      throw commandError('InvalidOptions', 'startTransaction requires autocommit:false');
    return undefined; // a retryable write, see retryableWrite()
  }
  if (autocommit !== false) throw commandError('InvalidOptions', 'autocommit field can only be specified as false');
  if (!IN_TRANSACTION.has(name)) {
    throw commandError('OperationNotSupportedInTransaction', `Cannot run '${name}' in a multi-document transaction.`);
  }
  const start = body['startTransaction'] === true;
  if (!start && body['readConcern'] !== undefined) {
    throw commandError('InvalidOptions', 'Only the first command in a transaction may specify a readConcern');
  }
  if (body['writeConcern'] !== undefined && name !== 'commitTransaction' && name !== 'abortTransaction') {
    throw commandError('InvalidOptions', 'Cannot set write concern after starting a transaction.');
  }
  return state.sessions.transaction(key, txnNumber, start, name);
}

// A write with txnNumber and no autocommit: answered from the session's record when it is a retry.
function retryableWrite(state: ServerState, ctx: CommandContext) {
  const { body, name } = ctx;
  if (ctx.transaction || body['txnNumber'] === undefined || state.topology.kind === 'standalone') return undefined;
  if (!RETRYABLE_WRITES.has(name)) {
    throw commandError(
      'IllegalOperation',
      `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${name} is not a retryable write command.`,
    );
  }
  const statements = (body['updates'] ?? body['deletes']) as unknown;
  if (Array.isArray(statements)) {
    for (const statement of statements) {
      if (isPlainObject(statement) && (statement['multi'] === true || statement['limit'] === 0)) {
        throw commandError(
          'InvalidOptions',
          `Cannot use (or request) retryable writes with ${statement['multi'] === true ? 'multi=true' : 'limit=0'}`,
        );
      }
    }
  }
  const key = sessionKey(body['lsid'])!;
  const txnNumber = txnNumberOf(body['txnNumber']);
  return { key, txnNumber, reply: state.sessions.retriedWrite(key, txnNumber) };
}
