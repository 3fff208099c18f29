/** Writing plain responses to node:http. */
import type { ServerResponse } from 'node:http';

/** Sends a status, headers and an optional JSON body. */
export function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body?: unknown): void {
  if (body === undefined || status === 204 || status === 304) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  // Sent as a string: Node joins a string body to the header block and writes both with one
  // `write`, where a Buffer body costs an encoding pass, an allocation and a two-part `writev`. The
  // length goes in with setHeader, as a spread of the headers plus one key is a slow object shape.
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  res.setHeader('content-length', Buffer.byteLength(data, 'utf8'));
  res.writeHead(status, headers);
  res.end(data, 'utf8');
}

/** The origin (`https://host:port`) a client used, for `meta.location`. */
export function requestOrigin(
  headers: Record<string, string | string[] | undefined>,
  encrypted: boolean,
  trustForwarded: boolean,
): string {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
  const proto = (trustForwarded && first(headers['x-forwarded-proto'])) || (encrypted ? 'https' : 'http');
  const host = (trustForwarded && first(headers['x-forwarded-host'])) || first(headers.host) || 'localhost';
  return `${proto}://${host}`;
}
