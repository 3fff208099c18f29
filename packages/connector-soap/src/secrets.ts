/**
 * Secret masking for everything the connector (and the REST transport under it) logs. SOAP bodies
 * carry secrets in text: a UsernameToken password (XML-escaped in the envelope), a user's password
 * in a create message. helper-rest masks what it knows (HTTP credentials); this layer masks what only
 * the SOAP side knows, and every `Password` element's content whatever its value.
 */
import type { Logger } from '@scimgw/core';

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not substring-masked (they would shred ordinary text). */
const MIN_SECRET_LENGTH = 4;
/** Remembered runtime secrets (user passwords passing through); the oldest go first. */
const MAX_SECRETS = 2000;

// `<wsse:Password Type="…">…</wsse:Password>`, `<password>…</password>`, in any case or prefix.
const PASSWORD_ELEMENT = /(<(?:[\w.-]+:)?password\b[^>]*>)[\s\S]*?(<\/(?:[\w.-]+:)?password\s*>)/gi;
const SENSITIVE_KEY = /pass(word|phrase)?|secret|token|authori[sz]ation|cookie|api[-_]?key|private|^key$|^pwd$/i;

function xmlEscaped(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The secret strings known to one connector, with the encodings they travel in. */
export class SecretMask {
  readonly #values = new Set<string>();
  #sorted: string[] | undefined;

  /** Registers a secret with its XML-escaped, URI-encoded and base64 forms. */
  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
    for (const form of [value, xmlEscaped(value), encodeURIComponent(value), Buffer.from(value).toString('base64')]) {
      this.#put(form);
    }
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

  /** `text` with every known secret and every password element's content replaced. */
  mask(text: string): string {
    let out = text.replace(PASSWORD_ELEMENT, `$1${REDACTED}$2`);
    if (this.#values.size === 0) return out;
    this.#sorted ??= [...this.#values].sort((a, b) => b.length - a.length);
    for (const s of this.#sorted) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** A deep copy of `value` with sensitive keys redacted and strings masked (bounded depth). */
  maskValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > 8) return '[…]';
    if (value instanceof Error) return { name: value.name, message: this.mask(value.message) };
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => this.maskValue(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SENSITIVE_KEY.test(k) && typeof v === 'string' ? REDACTED : this.maskValue(v, depth + 1);
    }
    return out;
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * A logger that masks every message and data object before `sink` sees it. A throwing sink never
 * fails a request.
 */
export function maskingLogger(sink: Logger, mask: SecretMask): Logger {
  const make = (level: (typeof LEVELS)[number]) => (msg: string, data?: Record<string, unknown>) => {
    try {
      sink[level](mask.mask(msg), data === undefined ? undefined : (mask.maskValue(data) as Record<string, unknown>));
    } catch {
      // Logging must never fail a request.
    }
  };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}
