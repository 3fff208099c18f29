/**
 * Secret masking for log output. Two layers, because either alone leaks:
 * values under sensitive keys are dropped wherever they appear, and every
 * known secret string (configured passwords, fetched tokens, forwarded
 * Authorization headers, and their base64/URL-encoded forms) is replaced in
 * any message or value.
 */
import type { Logger } from '@scimgw/core';

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Keys whose values are never logged. */
const SENSITIVE_KEY =
  /pass(word|phrase)?|secret|token|assertion|authori[sz]ation|cookie|api[-_]?key|credential|private|^key$|^pwd$/i;

/** Secrets shorter than this are not substring-masked (they would shred ordinary text). */
const MIN_SECRET_LENGTH = 4;

/** Upper bound of remembered runtime secrets (tokens rotate; the set must not grow forever). */
const MAX_SECRETS = 2000;

/** Names that merely describe a credential (`tokenUrl`, `token_type`, `client_assertion_type`): not secret. */
const DESCRIPTIVE_KEY = /(url|uri|endpoint|type|method|expires?(_?in|_?at)?|lifetime|format|file|path)$/i;

/** True when a key name is considered sensitive. */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !DESCRIPTIVE_KEY.test(key);
}

/**
 * The set of secret strings known to this helper instance. Insertion-ordered
 * so that the oldest runtime secrets (expired tokens) are evicted first.
 */
export class SecretRegistry {
  readonly #values = new Set<string>();
  #sorted: string[] | undefined;

  /** Registers a secret and its common encodings. Empty and very short values are ignored. */
  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
    this.#put(value);
    const uri = encodeURIComponent(value);
    if (uri !== value) this.#put(uri);
    const formEncoded = new URLSearchParams({ v: value }).toString().slice(2);
    if (formEncoded !== value) this.#put(formEncoded);
  }

  /** Registers `user:password` the way Basic auth carries it. */
  addBasic(username: string, password: string): void {
    this.add(password);
    this.add(Buffer.from(`${username}:${password}`).toString('base64'));
  }

  #put(v: string): void {
    if (this.#values.has(v)) return;
    if (this.#values.size >= MAX_SECRETS) {
      const oldest = this.#values.values().next().value;
      if (oldest !== undefined) this.#values.delete(oldest);
    }
    this.#values.add(v);
    this.#sorted = undefined;
  }

  /** Replaces every known secret in `text`. Longest first, so a secret containing another is masked whole. */
  maskString(text: string): string {
    if (this.#values.size === 0) return text;
    this.#sorted ??= [...this.#values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of this.#sorted) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    return out;
  }
}

/**
 * Registers the values found under sensitive keys of an outbound body (a
 * user's `password` in a SCIM create), so a backend echoing them back in an
 * error message cannot leak them into logs.
 */
export function registerSensitiveValues(value: unknown, secrets: SecretRegistry, depth = 0): void {
  if (depth > 8 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    const t = value.trimStart();
    if (depth === 0 && (t.startsWith('{') || t.startsWith('['))) {
      try {
        registerSensitiveValues(JSON.parse(value), secrets, depth + 1);
      } catch {
        // not JSON: nothing to find
      }
    }
    return;
  }
  if (typeof value !== 'object') return;
  if (value instanceof URLSearchParams) {
    for (const [k, v] of value) if (isSensitiveKey(k)) secrets.add(v);
    return;
  }
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return;
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 200)) registerSensitiveValues(v, secrets, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (isSensitiveKey(k) && (typeof v === 'string' || typeof v === 'number')) secrets.add(String(v));
    else registerSensitiveValues(v, secrets, depth + 1);
  }
}

/**
 * Deep-copies `value` with sensitive keys redacted and known secrets masked.
 * Depth and size are bounded so a huge response body cannot stall logging.
 */
export function maskValue(value: unknown, secrets: SecretRegistry, depth = 0): unknown {
  if (typeof value === 'string') return secrets.maskString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[…]';
  if (value instanceof Error) {
    return { name: value.name, message: secrets.maskString(value.message) };
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, 50).map((v) => maskValue(v, secrets, depth + 1));
    if (value.length > 50) items.push(`[… ${value.length - 50} more]`);
    return items;
  }
  if (value instanceof URLSearchParams) {
    return maskValue(Object.fromEntries(value), secrets, depth);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSensitiveKey(k) && v !== undefined && v !== null ? REDACTED : maskValue(v, secrets, depth + 1);
  }
  return out;
}

/**
 * Masks a URL for logs: drops user-info and redacts sensitive query
 * parameters (`client_secret`, `access_token`, `code` style names).
 */
export function maskUrl(url: string, secrets: SecretRegistry): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const k of [...u.searchParams.keys()]) {
      if (isSensitiveKey(k) || /^(code|sig|signature)$/i.test(k)) u.searchParams.set(k, REDACTED);
    }
    return secrets.maskString(u.toString());
  } catch {
    return secrets.maskString(url);
  }
}

/** Log levels. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger that masks every message and data object before handing it on. */
export interface SafeLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  /** False when lines of `level` would be dropped: callers skip building them. */
  enabled(level: LogLevel): boolean;
}

/** Whether a sink takes lines of `level` (true when it cannot say). */
export function sinkEnabled(sink: Logger | undefined, level: LogLevel): boolean {
  if (!sink) return false;
  if (typeof sink.isLevelEnabled !== 'function') return true;
  try {
    return sink.isLevelEnabled(level);
  } catch {
    return true;
  }
}

/**
 * Wraps an optional sink so nothing unmasked can reach it. Without a sink it
 * is a no-op logger. A throwing sink never breaks a request.
 */
export function createSafeLogger(sink: Logger | undefined, secrets: SecretRegistry): SafeLogger {
  const enabled = (level: LogLevel): boolean => sinkEnabled(sink, level);
  const make = (level: LogLevel) => (msg: string, data?: Record<string, unknown>) => {
    if (!sink) return;
    try {
      const masked = data === undefined ? undefined : (maskValue(data, secrets) as Record<string, unknown>);
      sink[level](secrets.maskString(msg), masked);
    } catch {
      // Logging must never fail a request.
    }
  };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error'), enabled };
}

/** Shortens text for log lines. */
export function truncate(text: string, max = 2000): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more chars]` : text;
}
