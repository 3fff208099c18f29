import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BodyPrefix, NO_BODY, readPrefix } from './body.js';
import { namespaceHost, type RelayContext } from './context.js';
import type { ControlChannel } from './control-channel.js';
import { RelayServiceError, relayErrors } from './errors.js';
import { Exchange } from './exchange.js';
import {
  appendVia,
  headerBytes,
  joinRawHeaders,
  splitRequestTarget,
  takeRelayToken,
  withoutConnectionHeaders,
} from './headers.js';
import { type HybridConnection, matchConnection } from './hybrid-connection.js';
import type { RequestMessage } from './messages.js';
import { CONTROL_CHANNEL_BODY_BYTES, CONTROL_CHANNEL_HEADER_BYTES } from './options.js';
import type { PendingUpgrade } from './rendezvous.js';
import { RendezvousSession } from './rendezvous-session.js';
import { writeRelayedResponse, writeServiceError } from './respond.js';
import { pathSegments, verifySasToken } from './sas.js';

/**
 * Serves one HTTPS request from a sender: checks the relay token when the Hybrid Connection
 * requires it, forwards the request to a listener (control channel or rendezvous) and relays the
 * listener's response, or answers with the service's own error.
 */
export async function handleSenderRequest(context: RelayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await relay(context, req, res);
  } catch (error) {
    writeServiceError(
      res,
      error instanceof RelayServiceError ? error : relayErrors.internal('Something went wrong in the service.'),
    );
  }
}

/** A body not read at all yet. */
const UNREAD: BodyPrefix = { chunks: [], size: 0, ended: false };

interface Prepared {
  readonly connection: HybridConnection;
  readonly message: Omit<RequestMessage, 'address' | 'body'>;
  readonly declaredLength: number | undefined;
  readonly hasBody: boolean;
}

async function relay(context: RelayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const prepared = prepare(context, req);
  const socket = req.socket;
  await serialized(socket, async () => {
    if (context.faults.forwardDelayMs > 0) await sleep(context.faults.forwardDelayMs);
    const exchange = new Exchange(context.options.requestTimeoutMs);
    const onSenderGone = () => exchange.fail(relayErrors.badGateway('The sender closed the connection.'));
    socket.once('close', onSenderGone);
    exchange.onSettle(() => socket.off('close', onSenderGone));
    const session = context.sessions.get(socket);
    if (session?.isOpen) {
      const message: RequestMessage = { ...prepared.message, id: exchange.id, body: prepared.hasBody };
      void session.sendRequest(message, exchange, prepared.hasBody ? UNREAD : NO_BODY, req);
    } else {
      await forwardToListener(context, req, prepared, exchange);
    }
    writeRelayedResponse(res, await exchange.result, context.namespace);
  });
}

function prepare(context: RelayContext, req: IncomingMessage): Prepared {
  const target = splitRequestTarget(req.url ?? '/');
  if (pathSegments(target.pathname)[0] === '$hc') {
    throw relayErrors.notFound('The $hc endpoint accepts WebSocket handshakes only; HTTP requests use the entity address.');
  }
  const match = matchConnection(context.connections, target.pathname);
  if (match === undefined) throw relayErrors.notFound('The Hybrid Connection path is invalid or the base URL is malformed.');
  const method = req.method ?? 'GET';
  if (method === 'CONNECT') throw relayErrors.badRequest('The CONNECT method cannot be relayed.');
  const connection = match.connection;
  const authorizationOn = connection.config.requiresClientAuthorization;
  const { token, headers } = takeRelayToken(
    joinRawHeaders(req.rawHeaders),
    target.relayParams.get('sb-hc-token'),
    authorizationOn,
  );
  if (authorizationOn) {
    verifySasToken(token, {
      namespaceHost: namespaceHost(context),
      entityPath: connection.path,
      right: 'Send',
      keys: connection.keys(context.options.namespaceKeys),
      now: context.now(),
    });
  }
  const declaredLength = contentLength(req);
  if (declaredLength !== undefined && declaredLength > context.options.maxBodyBytes) {
    throw relayErrors.payloadTooLarge(`The request body exceeds ${context.options.maxBodyBytes} bytes.`);
  }
  const chunked = /\bchunked\b/i.test(req.headers['transfer-encoding'] ?? '');
  return {
    connection,
    message: {
      id: '',
      method,
      requestTarget: target.requestTarget,
      requestHeaders: appendVia(withoutConnectionHeaders(headers), context.namespace),
    },
    declaredLength,
    hasBody: declaredLength === undefined ? chunked : declaredLength > 0,
  };
}

/**
 * Routes a request to a listener. Small requests (headers plus body within 64 kB, read completely)
 * go over the control channel with a rendezvous address for the response; anything larger, or a
 * chunked body that outgrows 64 kB, is announced with only a rendezvous address and delivered over
 * the rendezvous WebSocket once the listener connects.
 */
async function forwardToListener(
  context: RelayContext,
  req: IncomingMessage,
  prepared: Prepared,
  exchange: Exchange,
): Promise<void> {
  const listener = prepared.connection.pick(context.options.balancing);
  if (listener === undefined) throw relayErrors.badGateway('The request could not be routed: no listener is connected.');
  const headerSize = headerBytes(prepared.message.requestHeaders);
  const mayUseControl =
    context.options.requestRouting === 'auto' &&
    headerSize <= CONTROL_CHANNEL_HEADER_BYTES &&
    (prepared.declaredLength === undefined || prepared.declaredLength + headerSize <= CONTROL_CHANNEL_BODY_BYTES);
  const prefix = !prepared.hasBody
    ? NO_BODY
    : mayUseControl
      ? await readPrefix(req, CONTROL_CHANNEL_BODY_BYTES - headerSize)
      : UNREAD;
  if (mayUseControl && prefix.ended) sendOverControl(context, req.socket, listener, prepared, exchange, prefix);
  else sendOverRendezvous(context, req, listener, prepared, exchange, prefix);
}

function sendOverControl(
  context: RelayContext,
  socket: Duplex,
  listener: ControlChannel,
  prepared: Prepared,
  exchange: Exchange,
  prefix: BodyPrefix,
): void {
  const issued = context.rendezvous.issue({
    kind: 'request',
    id: exchange.id,
    path: prepared.connection.path,
    ttlMs: context.options.requestTimeoutMs,
    handler: (upgrade) => {
      // The listener answers this request over a rendezvous WebSocket of its own choosing.
      bindSession(context, upgrade, socket, prepared.connection, listener.id, (session) => session.expect(exchange));
    },
  });
  exchange.onSettle(issued.cancel);
  const body = prefix.size > 0 ? Buffer.concat(prefix.chunks) : undefined;
  listener.sendRequest(
    { ...prepared.message, address: issued.address, id: exchange.id, body: body !== undefined },
    body,
    exchange,
  );
}

function sendOverRendezvous(
  context: RelayContext,
  req: IncomingMessage,
  listener: ControlChannel,
  prepared: Prepared,
  exchange: Exchange,
  prefix: BodyPrefix,
): void {
  const issued = context.rendezvous.issue({
    kind: 'request',
    id: exchange.id,
    path: prepared.connection.path,
    ttlMs: context.options.requestTimeoutMs,
    handler: (upgrade) => {
      bindSession(context, upgrade, req.socket, prepared.connection, listener.id, (session) => {
        const message: RequestMessage = { ...prepared.message, id: exchange.id, body: prepared.hasBody };
        void session.sendRequest(message, exchange, prefix, prefix.ended ? undefined : req);
      });
    },
  });
  exchange.onSettle(issued.cancel);
  listener.sendRendezvousRequest(issued.address, exchange.id);
}

/** Completes a listener's rendezvous handshake and binds the WebSocket to the sender's connection. */
function bindSession(
  context: RelayContext,
  upgrade: PendingUpgrade,
  senderSocket: Duplex,
  connection: HybridConnection,
  listenerId: string,
  then: (session: RendezvousSession) => void,
): void {
  context.wss.handleUpgrade(upgrade.req, upgrade.socket, upgrade.head, (ws) => {
    const session = new RendezvousSession(ws, { context, connection, sender: senderSocket, listenerId });
    if (senderSocket.destroyed) {
      session.close(1001, 'The sender client shut down the connection.');
      return;
    }
    context.sessions.set(senderSocket, session);
    then(session);
  });
}

function contentLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) return undefined;
  const length = Number(value);
  if (!Number.isSafeInteger(length) || length < 0) throw relayErrors.badRequest('The Content-Length header is invalid.');
  return length;
}

const queues = new WeakMap<Duplex, Promise<void>>();

/** Runs requests of one sender connection one after another (HTTP/1.1 pipelining keeps order). */
function serialized(socket: Duplex, work: () => Promise<void>): Promise<void> {
  const previous = queues.get(socket) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(
    socket,
    next.catch(() => undefined),
  );
  return next;
}
