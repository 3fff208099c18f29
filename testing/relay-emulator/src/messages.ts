/**
 * The JSON control messages of the Hybrid Connections protocol: what the service sends (`accept`,
 * `request`) and the parser for what a listener sends (`response`, `renewToken`).
 */
import { CONNECTION_HEADERS, isHeaderName, isHeaderValue } from './headers.js';

/** Body of a `request` message the service sends. */
export interface RequestMessage {
  /** Rendezvous address; always present on the control channel. */
  readonly address?: string;
  readonly id: string;
  readonly requestTarget: string;
  readonly method: string;
  readonly requestHeaders: Map<string, string>;
  readonly body: boolean;
}

/** Body of an `accept` message the service sends for a sender WebSocket. */
export interface AcceptMessage {
  readonly address: string;
  readonly id: string;
  readonly connectHeaders: Map<string, string>;
}

/** Serializes a full `request` message. */
export function encodeRequest(message: RequestMessage): string {
  const request: Record<string, unknown> = {};
  if (message.address !== undefined) request.address = message.address;
  request.id = message.id;
  request.requestTarget = message.requestTarget;
  request.method = message.method;
  request.requestHeaders = Object.fromEntries(message.requestHeaders);
  request.body = message.body;
  return JSON.stringify({ request });
}

/**
 * Serializes a `request` message that only tells the listener where to fetch the request: the
 * documented form for requests the service routes over a rendezvous WebSocket.
 */
export function encodeRendezvousRequest(address: string, id: string): string {
  return JSON.stringify({ request: { address, id } });
}

/** Serializes an `accept` message. */
export function encodeAccept(message: AcceptMessage): string {
  return JSON.stringify({
    accept: { address: message.address, id: message.id, connectHeaders: Object.fromEntries(message.connectHeaders) },
  });
}

/** Head of a listener's `response` message (the body, if any, follows as binary frames). */
export interface ResponseHead {
  readonly requestId: string;
  readonly statusCode: number;
  readonly statusDescription: string | undefined;
  /** Headers to send to the sender; connection-level (RFC 7230) ones already removed. */
  readonly responseHeaders: Map<string, string>;
  /** Names of RFC 7230 headers the listener sent although it must not; they were removed. */
  readonly strippedHeaders: readonly string[];
  readonly body: boolean;
}

/** A message a listener may send over the control channel or a rendezvous WebSocket. */
export type ListenerMessage =
  | { readonly type: 'response'; readonly response: ResponseHead }
  | { readonly type: 'renewToken'; readonly token: string };

/** Outcome of {@link parseListenerMessage}: a message, or why the text is not one. */
export type ParseResult =
  | { readonly ok: true; readonly message: ListenerMessage }
  | { readonly ok: false; readonly error: string; readonly requestId?: string };

/** Upper bound for one JSON control message: 32 kB of headers plus room for the JSON around them. */
export const MAX_CONTROL_TEXT_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 32 * 1024;
const MAX_HEADER_COUNT = 256;
const MAX_ID_LENGTH = 256;
const MAX_TOKEN_LENGTH = 4096;

/**
 * Parses one text frame from a listener. Never throws: any input yields a message or an error
 * that says what is wrong (and, when it can be read, which request it concerned).
 *
 * @example
 * parseListenerMessage('{"response":{"requestId":"1","statusCode":200,"body":false}}');
 */
export function parseListenerMessage(text: string): ParseResult {
  if (Buffer.byteLength(text) > MAX_CONTROL_TEXT_BYTES) return fail('The control message is larger than 64 kB.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('The control message is not JSON.');
  }
  if (!isObject(value)) return fail('The control message is not a JSON object.');
  const keys = Object.keys(value);
  if (keys.length !== 1) return fail('The control message must have exactly one of "response" or "renewToken".');
  if (Object.hasOwn(value, 'response')) return parseResponse(value.response);
  if (Object.hasOwn(value, 'renewToken')) return parseRenewToken(value.renewToken);
  return fail(`Unknown control message ${JSON.stringify(keys[0]!.slice(0, 40))}.`);
}

function parseRenewToken(value: unknown): ParseResult {
  if (!isObject(value)) return fail('"renewToken" must be an object.');
  const token = value.token;
  if (typeof token !== 'string' || token === '') return fail('"renewToken.token" must be a non-empty string.');
  if (token.length > MAX_TOKEN_LENGTH) return fail('"renewToken.token" is too long.');
  return { ok: true, message: { type: 'renewToken', token } };
}

function parseResponse(value: unknown): ParseResult {
  if (!isObject(value)) return fail('"response" must be an object.');
  const requestId = value.requestId;
  if (typeof requestId !== 'string' || requestId === '' || requestId.length > MAX_ID_LENGTH) {
    return fail('"response.requestId" must be a non-empty string.');
  }
  const failFor = (error: string): ParseResult => ({ ok: false, error, requestId });
  const statusCode = parseStatusCode(value.statusCode);
  if (statusCode === undefined) return failFor('"response.statusCode" must be an HTTP status code from 200 to 599.');
  if (statusCode === 502 || statusCode === 504) {
    return failFor(`"response.statusCode" ${statusCode} is reserved for the service; listeners must not use it.`);
  }
  const description = value.statusDescription;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string' || description.length > 512 || !/^[\t\x20-\x7e\x80-\xff]*$/.test(description)) {
      return failFor('"response.statusDescription" must be a reason phrase (RFC 7230 §3.1.2).');
    }
  }
  if (typeof value.body !== 'boolean') return failFor('"response.body" must be a boolean.');
  const headers = parseHeaders(value.responseHeaders);
  if (typeof headers === 'string') return failFor(headers);
  return {
    ok: true,
    message: {
      type: 'response',
      response: {
        requestId,
        statusCode,
        statusDescription: typeof description === 'string' ? description : undefined,
        responseHeaders: headers.kept,
        strippedHeaders: headers.stripped,
        body: value.body,
      },
    },
  };
}

function parseStatusCode(value: unknown): number | undefined {
  // The documentation's own example sends the code as a string ("200"), so both forms are read.
  const code =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(code) && code >= 200 && code <= 599 ? code : undefined;
}

function parseHeaders(value: unknown): { kept: Map<string, string>; stripped: string[] } | string {
  const kept = new Map<string, string>();
  const stripped: string[] = [];
  if (value === undefined || value === null) return { kept, stripped };
  if (!isObject(value)) return '"response.responseHeaders" must be an object.';
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADER_COUNT) return '"response.responseHeaders" has too many headers.';
  let bytes = 0;
  const seen = new Set<string>();
  for (const [name, raw] of entries) {
    if (!isHeaderName(name)) return `"response.responseHeaders" has an invalid header name ${JSON.stringify(name.slice(0, 40))}.`;
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : undefined;
    if (text === undefined || !isHeaderValue(text)) {
      return `"response.responseHeaders" has an invalid value for ${JSON.stringify(name)}.`;
    }
    const lower = name.toLowerCase();
    if (seen.has(lower)) return `"response.responseHeaders" names ${JSON.stringify(name)} twice.`;
    seen.add(lower);
    bytes += name.length + Buffer.byteLength(text);
    if (CONNECTION_HEADERS.has(lower)) stripped.push(name);
    else kept.set(name, text);
  }
  if (bytes > MAX_HEADER_BYTES) return '"response.responseHeaders" exceed 32 kB.';
  return { kept, stripped };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(error: string): ParseResult {
  return { ok: false, error };
}
