import { randomUUID } from 'node:crypto';
import { namespaceHost, type RelayContext } from './context.js';
import { ControlChannel } from './control-channel.js';
import { RelayServiceError, relayErrors } from './errors.js';
import { RELAY_AUTH_HEADER, type SplitTarget, splitRequestTarget } from './headers.js';
import { matchConnection, type PathMatch } from './hybrid-connection.js';
import type { PendingUpgrade } from './rendezvous.js';
import { refuseUpgrade } from './respond.js';
import { pathSegments, verifySasToken } from './sas.js';
import { connectSender } from './sender-websocket.js';

/**
 * Handles a WebSocket handshake on `/$hc/{path}`: `sb-hc-action=listen` registers a listener,
 * `accept` and `request` join a rendezvous, `connect` (or no action) is a sender. Refusals are HTTP
 * statuses with a description and a tracking id, as the protocol documentation lists them.
 */
export function handleUpgrade(context: RelayContext, upgrade: PendingUpgrade): void {
  try {
    dispatch(context, upgrade);
  } catch (error) {
    refuseUpgrade(
      upgrade.socket,
      error instanceof RelayServiceError ? error : relayErrors.internal('Something went wrong in the service.'),
    );
  }
}

function dispatch(context: RelayContext, upgrade: PendingUpgrade): void {
  const target = splitRequestTarget(upgrade.req.url ?? '/');
  const segments = pathSegments(target.pathname);
  if (segments[0] !== '$hc')
    throw relayErrors.badRequest('Protocol upgrades are not relayed; WebSocket clients connect to /$hc/{path}.');
  if ((upgrade.req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
    throw relayErrors.badRequest('Only WebSocket upgrades are accepted.');
  const match = matchConnection(context.connections, segments.slice(1).join('/'));
  if (match === undefined) throw relayErrors.notFound('The Hybrid Connection path is invalid or the base URL is malformed.');
  const action = target.relayParams.get('sb-hc-action') ?? 'connect';
  switch (action) {
    case 'listen':
      acceptListener(context, upgrade, match, target);
      return;
    case 'accept':
    case 'request':
      joinRendezvous(context, upgrade, match, action, target);
      return;
    case 'connect':
      connectSender(context, upgrade, match.connection, target);
      return;
    default:
      throw relayErrors.badRequest(`Unrecognized action ${JSON.stringify(action.slice(0, 40))}.`);
  }
}

function acceptListener(context: RelayContext, upgrade: PendingUpgrade, match: PathMatch, target: SplitTarget): void {
  if (match.suffix.length > 0)
    throw relayErrors.notFound('A listener registers on the Hybrid Connection path itself, without a suffix.');
  const connection = match.connection;
  const header = upgrade.req.headers[RELAY_AUTH_HEADER];
  const token = target.relayParams.get('sb-hc-token') ?? (Array.isArray(header) ? header[0] : header);
  const verified = verifySasToken(token, {
    namespaceHost: namespaceHost(context),
    entityPath: connection.path,
    right: 'Listen',
    keys: connection.keys(context.options.namespaceKeys),
    now: context.now(),
  });
  const refusal = context.faults.takeListenRefusal();
  if (refusal !== undefined)
    throw new RelayServiceError(refusal, 'Injected fault', 'The listener handshake was refused by fault injection.');
  const open = [...connection.listeners].filter((listener) => listener.isOpen).length;
  if (open >= context.options.maxListenersPerConnection) {
    throw relayErrors.forbidden(`QuotaExceeded: The Hybrid Connection already has ${open} listeners.`);
  }
  const id = target.relayParams.get('sb-hc-id') || randomUUID();
  context.wss.handleUpgrade(upgrade.req, upgrade.socket, upgrade.head, (ws) => {
    const channel = new ControlChannel(ws, {
      id,
      connection,
      context,
      tokenExpiresAt: verified.expiresAt,
      remoteAddress: upgrade.req.socket.remoteAddress,
    });
    connection.listeners.add(channel);
  });
}

function joinRendezvous(
  context: RelayContext,
  upgrade: PendingUpgrade,
  match: PathMatch,
  action: 'accept' | 'request',
  target: SplitTarget,
): void {
  if (context.faults.takeRendezvousRefusal())
    throw relayErrors.internal('The rendezvous handshake was refused by fault injection.');
  const handler = context.rendezvous.take(target.relayParams.get('sb-hc-rendezvous'), action, match.connection.path);
  if (handler === undefined) throw relayErrors.forbidden('The URL is not valid or has expired.');
  handler(upgrade, target.relayParams);
}
