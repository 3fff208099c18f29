import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RelayServiceError } from './errors.js';
import type { RelayedResponse } from './exchange.js';
import { appendVia } from './headers.js';

const ERROR_CONTENT_TYPE = 'application/xml; charset=utf-8';

/**
 * Answers a sender with an error of the service itself. It carries no `Via` header: that is how a
 * sender tells the service's errors from the listener's responses.
 */
export function writeServiceError(res: ServerResponse, error: RelayServiceError): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = error.body;
  res.statusCode = error.status;
  res.statusMessage = error.statusDescription;
  res.setHeader('Content-Type', ERROR_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Relays a listener's response to the sender, adding the namespace to `Via`. */
export function writeRelayedResponse(res: ServerResponse, response: RelayedResponse, namespace: string): void {
  if (res.destroyed) return;
  const { head, body } = response;
  res.statusCode = head.statusCode;
  res.statusMessage = head.statusDescription ?? STATUS_CODES[head.statusCode] ?? 'Unknown';
  for (const [name, value] of appendVia(head.responseHeaders, namespace)) res.setHeader(name, value);
  if (body === undefined || body.length === 0) res.end();
  else res.end(body);
}

/**
 * Refuses a WebSocket handshake with an HTTP status whose description carries the reason and a
 * tracking id, as the service does for listeners and senders.
 */
export function refuseUpgrade(socket: Duplex, error: RelayServiceError): void {
  refuseUpgradeWith(socket, error.status, error.statusDescription, error.body, ERROR_CONTENT_TYPE);
}

/** Refuses a WebSocket handshake with exactly this status and description. */
export function refuseUpgradeWith(
  socket: Duplex,
  status: number,
  description: string,
  body = '',
  contentType = 'text/plain',
): void {
  if (socket.destroyed) return;
  const head =
    `HTTP/1.1 ${status} ${description}\r\n` +
    `Content-Type: ${contentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n';
  socket.once('finish', () => socket.destroy());
  socket.end(head + body);
}
