import { constants, type KeyObject, verify } from 'node:crypto';

/** A JSON object as parsed from a JWT part. */
export type JsonObject = Record<string, unknown>;

/** A compact JWS (RFC 7515 §7.1) split and decoded, not yet verified. */
export interface DecodedJws {
  readonly header: JsonObject;
  readonly claims: JsonObject;
  /** The ASCII bytes of `BASE64URL(header) '.' BASE64URL(payload)`, which the signature covers. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** The result of {@link decodeJws}: the parts that could be decoded are given even when others could not. */
export type DecodeResult =
  | { readonly ok: true; readonly jws: DecodedJws }
  | { readonly ok: false; readonly header?: JsonObject; readonly claims?: JsonObject };

/**
 * Decodes base64url without padding (RFC 7515 §2, RFC 4648 §5) strictly: a character outside the
 * alphabet, `=`, an impossible length or non-zero unused bits make it undefined. Buffer.from alone
 * skips what it does not understand, so the bytes must encode back to exactly the text given.
 */
export function decodeBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses UTF-8 JSON that must be an object; anything else is undefined. */
export function parseJsonObject(bytes: Buffer): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** A member of a parsed JSON object, never one inherited from its prototype. */
export function member(object: JsonObject, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/** Splits a compact JWS into its three parts and decodes header and claims (RFC 7515 §5.2 steps 1–7). */
export function decodeJws(compact: string): DecodeResult {
  const parts = compact.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) {
    return { ok: false };
  }
  const headerBytes = decodeBase64url(headerPart);
  const payloadBytes = decodeBase64url(payloadPart);
  const header = headerBytes && parseJsonObject(headerBytes);
  const claims = payloadBytes && parseJsonObject(payloadBytes);
  const signature = decodeBase64url(signaturePart);
  if (!header || !claims || !signature) {
    return { ok: false, ...(header ? { header } : {}), ...(claims ? { claims } : {}) };
  }
  return { ok: true, jws: { header, claims, signingInput: Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'), signature } };
}

/** Verifies an RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3). Never throws. */
export function verifyRs256(jws: DecodedJws, publicKey: KeyObject): boolean {
  try {
    return verify('sha256', jws.signingInput, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, jws.signature);
  } catch {
    return false;
  }
}
