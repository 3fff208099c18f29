/**
 * Request bodies: the one JSON parser of every route (SCIM and the host's API routes), with the
 * depth bound and prototype-safe keys, and the handler's reading of what a host passed in.
 */
import { InvalidSyntaxError } from '../errors.js';
import { isForbiddenKey, MAX_JSON_DEPTH, parseJsonSafe } from '../util/object.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Bytes → text, refusing what is not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is
 * UTF-8). A replacement character stored in place of a client's bytes would be data nobody sent.
 *
 * @throws InvalidSyntaxError (400 `invalidSyntax`) for bytes that are not UTF-8
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InvalidSyntaxError('Request body is not valid UTF-8');
  }
}

/** Roots of values {@link parseJsonBody} produced: safe already, never walked again. */
const parsed = new WeakSet<object>();

/**
 * Parses a request body: `undefined` for an empty one, a 400 `invalidSyntax` for text that is not
 * JSON or nests deeper than {@link MAX_JSON_DEPTH} levels. Keys that could pollute prototypes
 * (`__proto__`, `constructor`, `prototype`) are dropped.
 *
 * @example parseJsonBody('{"userName":"bjensen"}') // { userName: 'bjensen' }
 */
export function parseJsonBody(text: string | Uint8Array): unknown {
  const s = typeof text === 'string' ? text : decodeUtf8(text);
  if (s.trim() === '') return undefined;
  let value: unknown;
  try {
    value = parseJsonSafe(s);
  } catch (e) {
    throw new InvalidSyntaxError(`Request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value === 'object' && value !== null) parsed.add(value);
  return value;
}

/**
 * Copies JSON a host parsed some other way without prototype-polluting keys, refusing nesting
 * deeper than {@link MAX_JSON_DEPTH} as text bodies are.
 */
function sanitize(v: unknown, depth = 1): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_JSON_DEPTH) throw new InvalidSyntaxError(`Request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((x) => sanitize(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (!isForbiddenKey(k)) out[k] = sanitize(val, depth + 1);
  return out;
}

/** The body of a {@link ScimRequest}: raw text is parsed, JSON from {@link parseJsonBody} taken as is. */
export function requestBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return parseJsonBody(body);
  if (typeof body === 'object' && parsed.has(body)) return body;
  return sanitize(body);
}
