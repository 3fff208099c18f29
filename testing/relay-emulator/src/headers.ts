/**
 * Header and request-target rules of the Hybrid Connections HTTP gateway: which headers are
 * connection-level (RFC 7230) and never forwarded, where the relay token may hide, and `Via`.
 */

/** RFC 7230 headers the service strips from forwarded requests and from listener responses (`Via` excepted). */
export const CONNECTION_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'content-length',
  'host',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'close',
]);

/** The header that carries a relay token and is always stripped. */
export const RELAY_AUTH_HEADER = 'servicebusauthorization';

/** Query parameters with this prefix are the relay's own and never reach the listener. */
export const RELAY_QUERY_PREFIX = 'sb-hc-';

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE_CHARS = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True for a syntactically valid header name (RFC 7230 token). */
export function isHeaderName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && TOKEN_CHARS.test(name);
}

/** True for a header value without control characters (no CR, LF or NUL: no response splitting). */
export function isHeaderValue(value: string): boolean {
  return VALUE_CHARS.test(value);
}

/**
 * Collects raw header lines into name → value, keeping the sender's spelling of each name and
 * joining repeated names with `, ` (`; ` for Cookie). A `Map` keeps client-chosen names such as
 * `__proto__` from touching any prototype.
 */
export function joinRawHeaders(rawHeaders: readonly string[]): Map<string, string> {
  const byLower = new Map<string, { name: string; value: string }>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    const existing = byLower.get(lower);
    if (existing === undefined) byLower.set(lower, { name, value });
    else existing.value += (lower === 'cookie' ? '; ' : ', ') + value;
  }
  return new Map([...byLower.values()].map(({ name, value }) => [name, value]));
}

/** Result of {@link takeRelayToken}. */
export interface TokenExtraction {
  /** The token the service evaluates, if any. */
  readonly token: string | undefined;
  /** Request headers with the relay's authorization removed. */
  readonly headers: Map<string, string>;
}

/**
 * Applies the documented token rules for sender requests: `sb-hc-token` (query) and
 * `ServiceBusAuthorization` are always stripped; `Authorization` is taken (and stripped) only when
 * sender authorization is on and neither of the others is present, and is otherwise passed on.
 */
export function takeRelayToken(
  headers: Map<string, string>,
  queryToken: string | undefined,
  authorizationOn: boolean,
): TokenExtraction {
  const kept = new Map<string, string>();
  let headerToken: string | undefined;
  let authorization: { name: string; value: string } | undefined;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === RELAY_AUTH_HEADER) headerToken = value;
    else if (lower === 'authorization') authorization = { name, value };
    else kept.set(name, value);
  }
  let token = queryToken ?? headerToken;
  if (authorization !== undefined) {
    if (authorizationOn && token === undefined) token = authorization.value;
    else kept.set(authorization.name, authorization.value);
  }
  return { token, headers: kept };
}

/** Removes connection-level headers (RFC 7230) from a header map. */
export function withoutConnectionHeaders(headers: Map<string, string>): Map<string, string> {
  const kept = new Map<string, string>();
  for (const [name, value] of headers) if (!CONNECTION_HEADERS.has(name.toLowerCase())) kept.set(name, value);
  return kept;
}

/** Adds the namespace to `Via` (RFC 7230 §5.7.1), appending to an existing `Via` header. */
export function appendVia(headers: Map<string, string>, namespace: string): Map<string, string> {
  const result = new Map(headers);
  const entry = `1.1 ${namespace}`;
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'via') {
      result.set(name, `${value}, ${entry}`);
      return result;
    }
  }
  result.set('Via', entry);
  return result;
}

/** Total size of header names and values, as the 32 kB header limit counts it. */
export function headerBytes(headers: Map<string, string>): number {
  let total = 0;
  for (const [name, value] of headers) total += Buffer.byteLength(name) + Buffer.byteLength(value) + 4;
  return total;
}

/** A request target split into the relay's parameters and what the listener may see. */
export interface SplitTarget {
  /** Path and query with every `sb-hc-` parameter removed, raw encoding otherwise kept. */
  readonly requestTarget: string;
  /** The decoded path, for matching the Hybrid Connection. */
  readonly pathname: string;
  /** Decoded `sb-hc-*` parameters, lower-cased names, first occurrence wins. */
  readonly relayParams: Map<string, string>;
}

/**
 * Splits a raw request target (`/hyco/x?a=1&sb-hc-token=…`) into what the listener sees and the
 * relay's own parameters.
 */
export function splitRequestTarget(rawTarget: string): SplitTarget {
  const q = rawTarget.indexOf('?');
  const rawPath = q === -1 ? rawTarget : rawTarget.slice(0, q);
  const rawQuery = q === -1 ? '' : rawTarget.slice(q + 1);
  const kept: string[] = [];
  const relayParams = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const name = safeDecode(rawName).toLowerCase();
    if (name.startsWith(RELAY_QUERY_PREFIX)) {
      if (!relayParams.has(name)) relayParams.set(name, eq === -1 ? '' : safeDecode(part.slice(eq + 1)));
    } else {
      kept.push(part);
    }
  }
  return {
    requestTarget: kept.length === 0 ? rawPath : `${rawPath}?${kept.join('&')}`,
    pathname: rawPath,
    relayParams,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
