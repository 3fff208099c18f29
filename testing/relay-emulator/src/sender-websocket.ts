import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { namespaceHost, type RelayContext } from './context.js';
import { closeReason } from './control-channel.js';
import { relayErrors } from './errors.js';
import { joinRawHeaders, type SplitTarget, takeRelayToken } from './headers.js';
import type { HybridConnection } from './hybrid-connection.js';
import { encodeAccept } from './messages.js';
import type { PendingUpgrade } from './rendezvous.js';
import { refuseUpgrade, refuseUpgradeWith } from './respond.js';
import { verifySasToken } from './sas.js';

/**
 * Sub-protocol the emulator selects when it completes a handshake (false: none). Handshakes not
 * listed get the first protocol they offer.
 */
export const protocolChoices = new WeakMap<IncomingMessage, string | false>();

/**
 * The sender side of a relayed WebSocket (`sb-hc-action=connect`, the default action): checks the
 * token, sends an `accept` message to one listener and waits for it to connect to the accept
 * address (or to reject with `sb-hc-statusCode`), then joins the two WebSockets.
 */
export function connectSender(
  context: RelayContext,
  upgrade: PendingUpgrade,
  connection: HybridConnection,
  target: SplitTarget,
): void {
  const authorizationOn = connection.config.requiresClientAuthorization;
  const { token, headers } = takeRelayToken(
    joinRawHeaders(upgrade.req.rawHeaders),
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
  const listener = connection.pick(context.options.balancing);
  if (listener === undefined) throw relayErrors.notFound('There are no listeners connected for this Hybrid Connection.');
  const id = target.relayParams.get('sb-hc-id') || randomUUID();
  const onSenderClose = () => issued.cancel();
  const issued = context.rendezvous.issue({
    kind: 'accept',
    id,
    path: connection.path,
    suffix: rawSuffix(target.requestTarget, connection.config.segments.length + 1),
    ttlMs: context.options.rendezvousTimeoutMs,
    handler: (listenerUpgrade, params) => {
      upgrade.socket.off('close', onSenderClose);
      join(context, upgrade, listenerUpgrade, params);
    },
    onExpire: () =>
      refuseUpgrade(upgrade.socket, relayErrors.gatewayTimeout('The listener did not accept the connection in time.')),
  });
  upgrade.socket.once('close', onSenderClose);
  listener.sendText(encodeAccept({ address: issued.address, id, connectHeaders: headers }));
}

function join(context: RelayContext, sender: PendingUpgrade, listener: PendingUpgrade, params: Map<string, string>): void {
  if (sender.socket.destroyed) {
    refuseUpgrade(listener.socket, relayErrors.gone('The sender gave up before the connection was accepted.'));
    return;
  }
  const rejectCode = params.get('sb-hc-statuscode');
  if (rejectCode !== undefined) {
    rejectSender(sender, listener, rejectCode, params.get('sb-hc-statusdescription') ?? '');
    return;
  }
  const chosen = listener.req.headers['sec-websocket-protocol']?.split(',')[0]?.trim();
  const offered = (sender.req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  protocolChoices.set(listener.req, chosen ?? false);
  protocolChoices.set(sender.req, chosen !== undefined && offered.includes(chosen) ? chosen : false);
  context.wss.handleUpgrade(listener.req, listener.socket, listener.head, (listenerWs) => {
    if (sender.socket.destroyed) {
      listenerWs.close(1001, 'The sender client shut down the connection.');
      return;
    }
    context.wss.handleUpgrade(sender.req, sender.socket, sender.head, (senderWs) => pipe(senderWs, listenerWs));
  });
}

/** A listener's rejection: its handshake ends with 410 Gone, the sender's with the listener's status. */
function rejectSender(sender: PendingUpgrade, listener: PendingUpgrade, rawCode: string, description: string): void {
  const code = Number(rawCode);
  if (!/^\d{3}$/.test(rawCode) || code < 400 || code > 599) {
    refuseUpgrade(listener.socket, relayErrors.badRequest('sb-hc-statusCode must be an HTTP error status (400 to 599).'));
    refuseUpgrade(sender.socket, relayErrors.internal('The listener rejected the connection with an invalid status.'));
    return;
  }
  refuseUpgradeWith(listener.socket, 410, 'Gone');
  refuseUpgradeWith(sender.socket, code, description.replace(/[^\t\x20-\x7e]/g, ' ').slice(0, 512) || 'Rejected');
}

/** Relays every message both ways, unchanged, and carries a close from either side to the other. */
function pipe(sender: WebSocket, listener: WebSocket): void {
  sender.on('message', (data, isBinary) => forward(listener, data, isBinary));
  listener.on('message', (data, isBinary) => forward(sender, data, isBinary));
  sender.on('close', (code, reason) => closeWith(listener, code, reason.toString(), 1001));
  listener.on('close', (code, reason) => closeWith(sender, code, reason.toString(), 1000));
  sender.on('error', () => listener.terminate());
  listener.on('error', () => sender.terminate());
}

function forward(to: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  if (to.readyState === to.OPEN) to.send(data, { binary: isBinary });
}

function closeWith(ws: WebSocket, code: number, reason: string, fallback: number): void {
  if (ws.readyState !== ws.OPEN) return;
  // Codes a peer may receive but never send (1005, 1006, 1015) become the documented fallback.
  const sendable =
    code === 1000 || (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
  ws.close(sendable ? code : fallback, closeReason(reason));
}

/** The sender's path after `/$hc/<entity>` plus its query (relay parameters removed). */
function rawSuffix(requestTarget: string, skipSegments: number): string {
  const q = requestTarget.indexOf('?');
  const path = q === -1 ? requestTarget : requestTarget.slice(0, q);
  const query = q === -1 ? '' : requestTarget.slice(q);
  const rest = path
    .split('/')
    .filter((segment) => segment !== '')
    .slice(skipSegments);
  return (rest.length > 0 ? `/${rest.join('/')}` : '') + query;
}
