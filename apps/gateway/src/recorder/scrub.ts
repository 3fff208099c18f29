/**
 * What the recorder writes of a request and its answer: secrets replaced by `{{secret}}` (which
 * `scimgw replay` fills with a fresh value), and with pseudonyms on, every other value that could
 * name a person replaced by its pseudonym (pseudonyms.ts). Attribute names, schema URNs, PATCH
 * operations, canonical values (`type`, `primary`), timestamps, ETags and numbers stay as sent:
 * they are what a client's dialect is made of, and none of them names anyone.
 */
import { routeScimPath } from '@scimgw/core/handler';
import type { Pseudonyms } from './pseudonyms.js';

/** The placeholder of a secret. */
export const SECRET = '{{secret}}';

/** Keys whose string values are structure, not data (compared lower-cased). */
const KEEP = new Set([
  'schemas',
  'op',
  'type',
  'primary',
  'resourcetype',
  'operation',
  'method',
  'bulkid',
  'version',
  'created',
  'lastmodified',
  'scimtype',
  'status',
  'attributes',
  'excludedattributes',
  'sortby',
  'sortorder',
]);

/** Resource endpoints whose path segment below them is a resource id (data). */
const RESOURCE_ENDPOINTS = new Set(['Users', 'Groups', 'Roles', 'Entitlements']);

/** A comparison in a filter: attribute path, operator, then a quoted string or a bare word. */
const COMPARISON = /([A-Za-z_$][\w$:.-]*)(\s+)(eq|ne|co|sw|ew|gt|ge|lt|le)(\s+)("(?:[^"\\]|\\.)*"|[^\s"()[\]]+)/gi;
const KEPT_WORD = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/i;

export interface Scrubber {
  /** A request or answer body (parsed JSON), scrubbed; `undefined` stays `undefined`. */
  body(body: unknown): unknown;
  /** A request URL (path and query) as a client sent it, scrubbed. */
  url(url: string): string;
}

/** The last segment of an attribute path (`emails[type eq "work"].value` → `value`), lower-cased. */
function lastName(path: string): string {
  const plain = path.replace(/\[[^\]]*\]/g, '');
  const tail = plain.slice(plain.lastIndexOf(':') + 1);
  return tail.slice(tail.lastIndexOf('.') + 1).toLowerCase();
}

/**
 * @param isSecret - names that hold secrets (the log masker's test, `log.customMasking` included)
 * @param pseudonyms - pseudonyms for personal values; without them only secrets are replaced
 */
export function createScrubber(isSecret: (name: string) => boolean, pseudonyms?: Pseudonyms): Scrubber {
  const text = (s: string) => (pseudonyms ? pseudonyms.text(s) : s);

  /** A filter's (or PATCH path's) compared values: secrets masked, personal ones pseudonymized. */
  const filter = (f: string): string =>
    f.replace(COMPARISON, (whole, attr: string, s1: string, op: string, s2: string, value: string) => {
      const name = lastName(attr);
      const quoted = value.startsWith('"');
      let out: string;
      if (isSecret(attr)) out = quoted ? `"${SECRET}"` : SECRET;
      else if (KEEP.has(name) || attr.toLowerCase().startsWith('meta.') || (!quoted && KEPT_WORD.test(value))) return whole;
      else if (!quoted) out = text(value);
      else out = quotedText(value, text);
      return `${attr}${s1}${op}${s2}${out}`;
    });

  const walk = (v: unknown, key: string | undefined, depth: number): unknown => {
    if (depth > 64) return '[too deep]';
    if (key !== undefined && isSecret(key)) return SECRET;
    if (typeof v === 'string') {
      const k = key?.toLowerCase();
      if (k !== undefined && KEEP.has(k)) return v;
      if (k === 'path') return v.startsWith('/') ? url(v) : filter(v);
      if ((k === 'location' || k === '$ref') && /^https?:\/\//i.test(v)) return absolute(v);
      if (v.startsWith('bulkId:') || /^(true|false)$/i.test(v)) return v;
      return text(v);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key === 'Operations' ? undefined : key, depth + 1));
    if (v === null || typeof v !== 'object') return v;
    // What JSON.stringify would write of it (a Date, a value with its own JSON form).
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(v), key, depth + 1);
    const obj = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    // A PATCH operation (or a Bulk one) naming a secret attribute in its path carries the secret as its value.
    const pathIsSecret = typeof obj.path === 'string' && !obj.path.startsWith('/') && isSecret(obj.path);
    for (const [k, x] of Object.entries(obj)) {
      if (k === '__proto__') continue;
      if (k === 'value' && pathIsSecret) out[k] = SECRET;
      else if (k === 'filter' && typeof x === 'string') out[k] = filter(x);
      else out[k] = walk(x, k, depth + 1);
    }
    return out;
  };

  const path = (p: string): string => {
    if (!pseudonyms) return p;
    const route = routeScimPath(p);
    if (route?.id === undefined || !RESOURCE_ENDPOINTS.has(route.endpoint) || route.id.startsWith('bulkId:')) return p;
    const cut = p.replace(/\/+$/, '').lastIndexOf('/');
    return `${p.slice(0, cut + 1)}${encodeURIComponent(text(route.id))}`;
  };

  const url = (u: string): string => {
    const q = u.indexOf('?');
    if (q === -1) return path(u);
    const query = u
      .slice(q + 1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq === -1 || pair.slice(0, eq).toLowerCase() !== 'filter') return pair;
        let value: string;
        try {
          value = decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
        } catch {
          return `${pair.slice(0, eq)}=${encodeURIComponent(text(pair.slice(eq + 1)))}`;
        }
        return `${pair.slice(0, eq)}=${encodeURIComponent(filter(value))}`;
      })
      .join('&');
    return `${path(u.slice(0, q))}?${query}`;
  };

  /** A resource's address (`meta.location`, `$ref`, a Bulk answer's `location`): its id as in a path. */
  const absolute = (u: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      return text(u);
    }
    if (parsed.username || parsed.password || parsed.search || parsed.hash) return text(u);
    return `${parsed.origin}${path(parsed.pathname)}`;
  };

  return { body: (b) => (b === undefined ? undefined : walk(b, undefined, 0)), url };
}

/** A JSON string literal (quotes included) with its text replaced, escapes kept valid. */
function quotedText(literal: string, text: (s: string) => string): string {
  if (!literal.includes('\\')) return `"${text(literal.slice(1, -1))}"`;
  try {
    return JSON.stringify(text(JSON.parse(literal) as string));
  } catch {
    return `"${text(literal.slice(1, -1).replace(/\\./g, ''))}"`;
  }
}
