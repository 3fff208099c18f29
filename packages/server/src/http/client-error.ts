/**
 * Requests node:http refuses before a handler sees them (a request line or headers past
 * `maxHeaderSize`, bytes that are not HTTP): answered with a SCIM error body and reported, instead
 * of Node's bare status line and a dropped connection.
 */
import type { Duplex } from 'node:stream';
import { errorBody } from '@scimgw/core/handler';
import { errors } from '@scimgw/core';

/** What {@link answerClientError} reports for each refused request. */
export interface ClientErrorReport {
  status: number;
  /** Node's parser code, e.g. `HPE_HEADER_OVERFLOW`. */
  code: string;
  remoteAddress: string | undefined;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

const REQUEST_LINE_START = /^[A-Z]+ \S/;
const REQUEST_LINE_END = / HTTP\/\d\.\d$/;
/** A request line longer than this is what overflowed (Node's whole limit is 16 KB by default). */
const LONG_LINE = 8192;

/**
 * 414 when the overflow is in the request line (a filter in the URL), 431 when it is in the
 * headers. Node says only "header overflow"; the packet it failed on tells which: a request line
 * that is long or still unfinished, or the unfinished tail of one, against header lines. (A packet
 * from the middle of a line carries no mark of its own; it counts as the request line unless it
 * holds a header's `": "`.)
 */
export function overflowStatus(raw: Buffer | undefined): 414 | 431 {
  if (!raw) return 431;
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n');
  const first = end === -1 ? text : text.slice(0, end);
  if (REQUEST_LINE_START.test(first)) return end === -1 || first.length > LONG_LINE ? 414 : 431;
  if (end !== -1 && REQUEST_LINE_END.test(first) && !first.includes(': ')) return 414;
  return first.includes(': ') || end !== -1 ? 431 : 414;
}

/**
 * A `clientError` listener: writes a SCIM error response (RFC 7644 §3.12) and closes the
 * connection gracefully; reports every refusal with a status through `report`. Resets and
 * timeouts of connections that sent nothing are closed without a report.
 */
export function answerClientError(
  err: Error & { code?: string; rawPacket?: Buffer },
  socket: Duplex & { remoteAddress?: string },
  report?: (r: ClientErrorReport) => void,
): void {
  const code = err.code ?? 'UNKNOWN';
  if (code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  let status: number;
  let detail: string;
  if (code === 'HPE_HEADER_OVERFLOW') {
    status = overflowStatus(err.rawPacket);
    detail =
      status === 414
        ? 'Request URI too long: send a long filter in the body of POST /.search instead (RFC 7644 §3.4.3)'
        : 'Request header fields too large';
  } else if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADER_TIMEOUT') {
    socket.destroy();
    return;
  } else {
    status = 400;
    detail = 'Malformed HTTP request';
  }
  const body = JSON.stringify(errorBody(new errors.ScimError(status, detail), '2.0'));
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/scim+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  report?.({ status, code, remoteAddress: socket.remoteAddress });
}
