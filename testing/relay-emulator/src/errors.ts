import { randomUUID } from 'node:crypto';

/**
 * An error the emulated service reports to a client: an HTTP status and a description that ends
 * with a tracking id, as the protocol documentation describes for refused handshakes and requests.
 *
 * @example
 * throw new RelayServiceError(404, 'Not Found', 'The Hybrid Connection path is invalid.');
 */
export class RelayServiceError extends Error {
  /** HTTP status code sent to the client. */
  readonly status: number;
  /** Short error name, e.g. `Unauthorized`. */
  readonly error: string;
  /** Human-readable reason without the tracking id. */
  readonly detail: string;
  /** Tracking id appended to the status description, as the service does. */
  readonly trackingId: string;

  constructor(status: number, error: string, detail: string) {
    super(`${status} ${error}: ${detail}`);
    this.name = 'RelayServiceError';
    this.status = status;
    this.error = error;
    this.detail = detail;
    this.trackingId = randomUUID();
  }

  /** The HTTP status description (reason phrase): the detail plus `TrackingId:…`, safe for a status line. */
  get statusDescription(): string {
    return toReasonPhrase(`${this.detail} TrackingId:${this.trackingId}`);
  }

  /** The response body the emulator sends with the status: an `<Error>` document, as Service Bus endpoints answer. */
  get body(): string {
    return `<Error><Code>${this.status}</Code><Detail>${escapeXml(this.statusDescription)}</Detail></Error>`;
  }
}

const MAX_REASON = 512;

/** Makes any text a valid HTTP reason phrase (RFC 7230 §3.1.2: HTAB, SP, VCHAR), bounded in length. */
export function toReasonPhrase(text: string): string {
  const cleaned = text.replace(/[^\t\x20-\x7e]/g, ' ');
  return cleaned.length > MAX_REASON ? cleaned.slice(0, MAX_REASON) : cleaned;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shorthand constructors for the statuses the protocol documentation lists. */
export const relayErrors = {
  badRequest: (detail: string) => new RelayServiceError(400, 'Bad Request', detail),
  unauthorized: (detail: string) => new RelayServiceError(401, 'Unauthorized', detail),
  forbidden: (detail: string) => new RelayServiceError(403, 'Forbidden', detail),
  notFound: (detail: string) => new RelayServiceError(404, 'Not Found', detail),
  gone: (detail: string) => new RelayServiceError(410, 'Gone', detail),
  payloadTooLarge: (detail: string) => new RelayServiceError(413, 'Payload Too Large', detail),
  internal: (detail: string) => new RelayServiceError(500, 'Internal Server Error', detail),
  badGateway: (detail: string) => new RelayServiceError(502, 'Bad Gateway', detail),
  gatewayTimeout: (detail: string) => new RelayServiceError(504, 'Gateway Timeout', detail),
} as const;
