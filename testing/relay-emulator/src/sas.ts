import { createHmac, timingSafeEqual } from 'node:crypto';
import { RelayServiceError, relayErrors } from './errors.js';

/** A right an authorization rule confers. `Manage` includes `Listen` and `Send`. */
export type SasRight = 'Listen' | 'Send' | 'Manage';

/**
 * A shared access authorization rule: a key name (`skn` in tokens) and its key.
 * The key string is used as the HMAC key as is (its UTF-8 bytes), as Azure does.
 */
export interface SasKey {
  readonly name: string;
  readonly key: string;
  /** Rights the rule confers; all three when omitted. */
  readonly rights?: readonly SasRight[];
}

/** The fields of a `SharedAccessSignature sr=…&sig=…&se=…&skn=…` token. */
export interface ParsedSasToken {
  /** `sr` exactly as it appears in the token (still URL-encoded): it is what was signed. */
  readonly rawResource: string;
  /** `sr` decoded: the resource URI the token is for. */
  readonly resource: string;
  /** `sig` decoded: base64 of the HMAC-SHA256. */
  readonly signature: string;
  /** `se` exactly as it appears in the token: it is what was signed. */
  readonly rawExpiry: string;
  /** `se`: expiry in Unix seconds. */
  readonly expiry: number;
  /** `skn`: the authorization rule's name. */
  readonly keyName: string;
}

const PREFIX = 'sharedaccesssignature ';
const MAX_TOKEN_LENGTH = 4096;

/**
 * Parses a Shared Access Signature token. Fields may come in any order; each of `sr`, `sig`, `se`
 * and `skn` must appear exactly once.
 *
 * @throws RelayServiceError 401 when the token is malformed.
 */
export function parseSasToken(token: string): ParsedSasToken {
  if (token.length > MAX_TOKEN_LENGTH) throw relayErrors.unauthorized('MalformedToken: The token is too long.');
  if (token.slice(0, PREFIX.length).toLowerCase() !== PREFIX) {
    throw relayErrors.unauthorized('MalformedToken: The token does not start with SharedAccessSignature.');
  }
  const fields = new Map<string, string>();
  for (const part of token.slice(PREFIX.length).trim().split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw relayErrors.unauthorized('MalformedToken: A token field has no name or value.');
    const name = part.slice(0, eq).trim();
    if (fields.has(name)) throw relayErrors.unauthorized(`MalformedToken: The field ${quoteName(name)} appears twice.`);
    fields.set(name, part.slice(eq + 1));
  }
  const rawResource = required(fields, 'sr');
  const rawSignature = required(fields, 'sig');
  const rawExpiry = required(fields, 'se');
  const keyName = decodeField(required(fields, 'skn'), 'skn');
  if (!/^\d{1,12}$/.test(rawExpiry)) throw relayErrors.unauthorized('MalformedToken: The expiry (se) is not a number.');
  return {
    rawResource,
    resource: decodeField(rawResource, 'sr'),
    signature: decodeField(rawSignature, 'sig'),
    rawExpiry,
    expiry: Number(rawExpiry),
    keyName,
  };
}

function required(fields: Map<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined || value === '') throw relayErrors.unauthorized(`MalformedToken: The field ${name} is missing.`);
  return value;
}

function decodeField(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw relayErrors.unauthorized(`MalformedToken: The field ${name} is not URL-encoded correctly.`);
  }
}

function quoteName(name: string): string {
  return JSON.stringify(name.slice(0, 32));
}

/** What a token must grant for one operation. */
export interface SasRequirement {
  /** The namespace host name tokens must name (port ignored, case-insensitive). */
  readonly namespaceHost: string;
  /** The Hybrid Connection path being accessed, e.g. `hyco` or `team/hyco`. */
  readonly entityPath: string;
  /** The right the operation needs. */
  readonly right: Exclude<SasRight, 'Manage'>;
  /** Rules that may have signed the token: the entity's, then the namespace's. */
  readonly keys: readonly SasKey[];
  /** Current time in milliseconds. */
  readonly now: number;
}

/** A token accepted for an operation. */
export interface VerifiedSasToken {
  readonly keyName: string;
  /** Expiry in milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * Checks a token the way the service documents: signature over the URL-encoded resource URI, a
 * newline and the expiry, with a configured rule's key; not expired; a resource URI that names the
 * namespace and covers the entity; and a rule that confers the right.
 *
 * @throws RelayServiceError 401 (missing, malformed, unknown rule, bad signature, expired) or 403
 * (not valid for this path or this action).
 */
export function verifySasToken(token: string | undefined, requirement: SasRequirement): VerifiedSasToken {
  if (token === undefined || token === '') throw relayErrors.unauthorized('MissingToken: The request has no security token.');
  const parsed = parseSasToken(token);
  const rule = requirement.keys.find((k) => k.name === parsed.keyName);
  if (rule === undefined) {
    throw relayErrors.unauthorized(
      `InvalidSignature: The token names an unknown authorization rule ${quoteName(parsed.keyName)}.`,
    );
  }
  if (!signatureMatches(parsed, rule.key)) {
    throw relayErrors.unauthorized('InvalidSignature: The token has an invalid signature.');
  }
  const expiresAt = parsed.expiry * 1000;
  if (expiresAt <= requirement.now) {
    throw relayErrors.unauthorized(`ExpiredToken: The token is expired. Expiration time: ${new Date(expiresAt).toISOString()}.`);
  }
  checkAudience(parsed.resource, requirement);
  const rights = rule.rights ?? ['Listen', 'Send', 'Manage'];
  if (!rights.includes(requirement.right) && !rights.includes('Manage')) {
    throw relayErrors.forbidden(
      `InvalidClaim: The rule ${quoteName(rule.name)} does not confer the '${requirement.right}' right.`,
    );
  }
  return { keyName: rule.name, expiresAt };
}

function signatureMatches(parsed: ParsedSasToken, key: string): boolean {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(parsed.signature)) return false;
  const expected = hmac(key, `${parsed.rawResource}\n${parsed.rawExpiry}`);
  return timingSafeEqual(Buffer.from(parsed.signature, 'base64'), expected);
}

function hmac(key: string, text: string): Buffer {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(text, 'utf8').digest();
}

const AUDIENCE_SCHEMES = new Set(['http:', 'https:', 'sb:', 'ws:', 'wss:']);

function checkAudience(resource: string, requirement: SasRequirement): void {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw relayErrors.unauthorized('MalformedToken: The resource (sr) is not an absolute URI.');
  }
  if (!AUDIENCE_SCHEMES.has(url.protocol) || url.hostname.toLowerCase() !== requirement.namespaceHost.toLowerCase()) {
    throw relayErrors.unauthorized('InvalidAudience: The token is not for this namespace.');
  }
  const granted = pathSegments(url.pathname);
  const wanted = pathSegments(requirement.entityPath);
  const covers = granted.length <= wanted.length && granted.every((segment, i) => segment === wanted[i]);
  if (!covers) throw relayErrors.forbidden('InvalidAudience: The token is not valid for this path.');
}

/** Lower-cased, decoded, non-empty path segments; entity names are case-insensitive. */
export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment).toLowerCase();
      } catch {
        return segment.toLowerCase();
      }
    });
}

/** Options of {@link createSasToken}. */
export interface CreateSasTokenOptions {
  /** Resource URI the token is for, e.g. `http://contoso.servicebus.windows.net/hyco`. */
  readonly resourceUri: string;
  readonly keyName: string;
  readonly key: string;
  /** Expiry in Unix seconds. */
  readonly expiry: number;
}

/**
 * Builds a `SharedAccessSignature` token: `sr` is the URL-encoded resource URI, `sig` the URL-encoded
 * base64 HMAC-SHA256 of `sr + "\n" + se`, `se` the expiry in Unix seconds, `skn` the rule name.
 *
 * @example
 * createSasToken({ resourceUri: 'http://127.0.0.1:8443/hyco', keyName: 'listen', key: 'k', expiry: 1900000000 });
 */
export function createSasToken(options: CreateSasTokenOptions): string {
  const rawResource = encodeURIComponent(options.resourceUri);
  const rawExpiry = String(Math.floor(options.expiry));
  const signature = hmac(options.key, `${rawResource}\n${rawExpiry}`).toString('base64');
  return `SharedAccessSignature sr=${rawResource}&sig=${encodeURIComponent(signature)}&se=${rawExpiry}&skn=${encodeURIComponent(options.keyName)}`;
}

/** True when `error` is the service error a failed token check throws. */
export function isAuthError(error: unknown): error is RelayServiceError {
  return error instanceof RelayServiceError && (error.status === 401 || error.status === 403);
}
