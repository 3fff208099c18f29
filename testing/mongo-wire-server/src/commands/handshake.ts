import { Binary, type Document, Long, ObjectId } from 'bson';
import { ScramConversation } from '../auth/scram.js';
import { delay } from '../delay.js';
import type { ScramMechanism } from '../auth/users.js';
import { commandError, MongoCommandError } from '../errors.js';
import type { CommandContext, CommandDefinition } from '../state.js';
import { isNumeric, isPlainObject, toNumber } from '../store/values.js';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE, MAX_WRITE_BATCH_SIZE } from '../wire/constants.js';

/** The server version this emulator reports (wire version 25 is MongoDB 8.0). */
export const SERVER_VERSION = '8.0.0';
/** `maxWireVersion` of MongoDB 8.0. */
export const MAX_WIRE_VERSION = 25;
/** `logicalSessionTimeoutMinutes` (MongoDB's default). */
export const SESSION_TIMEOUT_MINUTES = 30;

function helloFields(ctx: CommandContext, legacy: boolean): Document {
  const { topology, address, processId } = ctx.state;
  const writable = legacy ? 'ismaster' : 'isWritablePrimary';
  const topologyVersion = { processId, counter: Long.ZERO };
  const head: Document =
    topology.kind === 'replicaSet'
      ? {
          topologyVersion,
          hosts: [address],
          setName: topology.setName,
          setVersion: 1,
          [writable]: true,
          secondary: false,
          primary: address,
          me: address,
          electionId: electionId(topology.term),
          lastWrite: lastWrite(ctx),
        }
      : { [writable]: true, topologyVersion };
  return {
    ...head,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: SESSION_TIMEOUT_MINUTES,
    connectionId: ctx.connection.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
}

// A replica set's election id grows with its term, so a restarted primary is never taken for a stale one.
function electionId(term: number): ObjectId {
  return new ObjectId(`7fffffff${term.toString(16).padStart(16, '0')}`);
}

function lastWrite(ctx: CommandContext): Document {
  const ts = ctx.state.clock.now();
  const opTime = { ts, t: Long.fromNumber(ctx.state.topology.kind === 'replicaSet' ? ctx.state.topology.term : 1) };
  const date = new Date(ts.t * 1000);
  return { opTime, lastWriteDate: date, majorityOpTime: opTime, majorityWriteDate: date };
}

async function hello(ctx: CommandContext, legacy: boolean): Promise<Document> {
  const { body, connection } = ctx;
  if (body['client'] !== undefined) {
    if (connection.client !== undefined) {
      throw commandError('ClientMetadataCannotBeMutated', 'The client metadata document may only be sent in the first hello');
    }
    connection.client = isPlainObject(body['client']) ? body['client'] : {};
  }
  await awaitTopologyChange(ctx);
  const reply = helloFields(ctx, legacy);
  if (body['helloOk'] === true) reply['helloOk'] = true;
  const mechs = body['saslSupportedMechs'];
  if (typeof mechs === 'string') {
    const dot = mechs.indexOf('.');
    const mechanisms = dot > 0 ? ctx.state.users.mechanisms(mechs.slice(0, dot), mechs.slice(dot + 1)) : undefined;
    if (mechanisms) reply['saslSupportedMechs'] = mechanisms;
  }
  if (isPlainObject(body['speculativeAuthenticate'])) {
    const speculative = await speculativeAuthenticate(ctx, body['speculativeAuthenticate']);
    if (speculative) reply['speculativeAuthenticate'] = speculative;
  }
  if (
    ctx.exhaustAllowed &&
    ctx.stream === undefined &&
    isPlainObject(body['topologyVersion']) &&
    isNumeric(body['maxAwaitTimeMS'])
  ) {
    const intervalMs = toNumber(body['maxAwaitTimeMS']);
    ctx.stream = {
      intervalMs,
      next: () => ({
        ...helloFields(ctx, legacy),
        ok: 1,
        ...(ctx.state.topology.kind === 'replicaSet' ? ctx.state.clock.gossip() : {}),
      }),
    };
  }
  return reply;
}

// An awaitable hello (streaming monitoring) is answered when the topology changes or after
// maxAwaitTimeMS; a standalone's topology never changes while it runs, so it waits the full time.
async function awaitTopologyChange(ctx: CommandContext): Promise<void> {
  const { body } = ctx;
  const version = body['topologyVersion'];
  const wait = body['maxAwaitTimeMS'];
  if (version === undefined && wait === undefined) return;
  if (!isPlainObject(version) || !isNumeric(wait)) {
    throw commandError('BadValue', 'topologyVersion must be provided if and only if maxAwaitTimeMS is provided');
  }
  const ms = toNumber(wait);
  if (!(ms >= 0)) throw commandError('BadValue', 'maxAwaitTimeMS must be a non-negative integer');
  const processId = version['processId'];
  const current = ctx.state.processId.toHexString();
  const same =
    processId !== undefined && String((processId as { toHexString?: () => string }).toHexString?.() ?? processId) === current;
  if (!same || toNumber(version['counter']) !== 0) return;
  await delay(ms, ctx.connection.signal);
}

async function speculativeAuthenticate(ctx: CommandContext, request: Document): Promise<Document | undefined> {
  const db = typeof request['db'] === 'string' ? request['db'] : 'admin';
  try {
    const { conversation, step } = await startConversation(ctx, db, request);
    ctx.connection.conversation = conversation;
    return { conversationId: 1, done: step.done, payload: new Binary(step.payload) };
  } catch (error) {
    // A failed speculative attempt is not an error: the client falls back to saslStart.
    if (error instanceof MongoCommandError) return undefined;
    throw error;
  }
}

/** The bytes of a SASL payload (BinData or string). */
export function payloadBytes(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Binary) return Buffer.from(value.buffer.subarray(0, value.position));
  throw commandError('TypeMismatch', "BSON field 'payload' is the wrong type, expected types '[string, binData]'");
}

/** Starts a SCRAM conversation from a `saslStart`-shaped document. */
export async function startConversation(ctx: CommandContext, db: string, request: Document) {
  const mechanism = request['mechanism'];
  if (mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-1') {
    throw commandError('MechanismUnavailable', `Received authentication for mechanism ${String(mechanism)} which is not enabled`);
  }
  const options = isPlainObject(request['options']) ? request['options'] : {};
  const skipEmptyExchange = options['skipEmptyExchange'] === true;
  return ScramConversation.start(
    ctx.state.users,
    db,
    mechanism as ScramMechanism,
    payloadBytes(request['payload']),
    skipEmptyExchange,
  );
}

/** `hello`, `isMaster`/`ismaster`, `ping`, `buildInfo`, `connectionStatus`, `whatsmyuri`. */
export const handshakeCommands: Record<string, CommandDefinition> = {
  hello: { run: (ctx) => hello(ctx, false), requiresAuth: false },
  isMaster: { run: (ctx) => hello(ctx, true), requiresAuth: false },
  ismaster: { run: (ctx) => hello(ctx, true), requiresAuth: false },
  ping: { run: () => ({}), requiresAuth: false, fields: {} },
  buildInfo: { run: () => buildInfo(), requiresAuth: false },
  buildinfo: { run: () => buildInfo(), requiresAuth: false },
  connectionStatus: {
    requiresAuth: false,
    fields: { showPrivileges: 'bool' },
    run: (ctx) => ({
      authInfo: {
        authenticatedUsers: ctx.connection.principals.map((p) => ({ user: p.user, db: p.db })),
        authenticatedUserRoles: ctx.connection.principals.flatMap((p) =>
          ctx.state.users.rolesOf(p.db, p.user).map((g) => ({ role: g.role, db: g.db })),
        ),
      },
    }),
  },
  whatsmyuri: { requiresAuth: false, fields: {}, run: (ctx) => ({ you: ctx.connection.remote }) },
};

function buildInfo(): Document {
  const [major, minor, patch] = SERVER_VERSION.split('.').map(Number);
  return {
    version: SERVER_VERSION,
    gitVersion: 'scimgw-testing-mongo-wire-server',
    modules: [],
    allocator: 'system',
    javascriptEngine: 'none',
    sysInfo: 'deprecated',
    versionArray: [major, minor, patch, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['inMemory'],
  };
}
