import type { Document } from 'bson';
import { redactForLog } from './call-log.js';
import { checkFields } from './commands/args.js';
import { COMMANDS } from './commands/registry.js';
import { transactionsUnsupported } from './commands/sessions.js';
import { commandError, MongoCommandError } from './errors.js';
import type { CommandContext, ConnectionInfo, ServerState } from './state.js';
import { validateDatabaseName } from './store/catalog.js';

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

/**
 * Runs one command: records it, applies planned faults, checks authentication, `$db`, transaction
 * fields and argument types, then calls the implementation. Every failure becomes an error reply;
 * nothing thrown here escapes to the connection.
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
  if (fault.kind === 'reply') return { kind: 'reply', reply: fault.reply };
  try {
    const ctx = prepare(state, connection, body, name, db, options);
    const definition = COMMANDS.get(name)!;
    const result = await definition.run(ctx);
    const reply: Document = { ...result };
    delete reply['ok'];
    reply['ok'] = 1;
    return ctx.stream ? { kind: 'reply', reply, stream: ctx.stream } : { kind: 'reply', reply };
  } catch (error) {
    if (error instanceof MongoCommandError) return { kind: 'reply', reply: error.toReply() };
    // The connection closed while the command waited (an awaitable hello): nobody to answer.
    if (connection.signal.aborted) return { kind: 'close' };
    const internal = error instanceof Error ? error : new Error(String(error));
    state.internalErrors.push(internal);
    return { kind: 'reply', reply: { ok: 0, errmsg: `internal error: ${internal.message}`, code: 1, codeName: 'InternalError' } };
  }
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
  if (state.users.enabled && definition.requiresAuth !== false && connection.principals.length === 0) {
    throw commandError('Unauthorized', `Command ${name} requires authentication`);
  }
  if (TRANSACTION_FIELDS.some((field) => body[field] !== undefined)) throw transactionsUnsupported();
  if (definition.fields) checkFields(name, body, definition.fields);
  return { state, connection, db, body, name, exhaustAllowed: options.exhaustAllowed };
}
