/**
 * A service account client written for these tests from Google's "Using OAuth 2.0 for Server to
 * Server Applications": it signs an RS256 JWT with the key file's private key and posts it to the
 * key file's token_uri. Every part can be bent to make wrong requests.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { type JsonAnswer, postForm } from '@scimgw/testing-emulator-kit/client';
import type { ServiceAccountKeyFile } from '../../src/index.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const DIRECTORY_USER_READONLY = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
export const DIRECTORY_USER = 'https://www.googleapis.com/auth/admin.directory.user';
export const DIRECTORY_GROUP = 'https://www.googleapis.com/auth/admin.directory.group';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** Signs `header.claims` with RS256 (RSASSA-PKCS1-v1_5, SHA-256). */
export function signJwt(header: object, claims: object, privateKeyPem: string): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), createPrivateKey(privateKeyPem));
  return `${input}.${signature.toString('base64url')}`;
}

export interface AssertionOptions {
  /** Claims to set (or, with `undefined`, to leave out) over the defaults. */
  readonly claims?: Record<string, unknown>;
  /** Header members over `{alg: 'RS256', typ: 'JWT', kid: private_key_id}`; `kid: undefined` leaves it out. */
  readonly header?: Record<string, unknown>;
  readonly scopes?: readonly string[];
  readonly sub?: string;
  /** Seconds; default now. */
  readonly now?: number;
  /** Sign with this PEM instead of the key file's. */
  readonly signingKey?: string;
}

/** The assertion Google documents: iss, scope, aud, exp, iat (and sub for delegation). */
export function assertionFor(key: ServiceAccountKeyFile, options: AssertionOptions = {}): string {
  const iat = Math.floor(options.now ?? Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: key.client_email,
    scope: (options.scopes ?? [DIRECTORY_USER_READONLY]).join(' '),
    aud: key.token_uri,
    exp: iat + 3600,
    iat,
    ...(options.sub ? { sub: options.sub } : {}),
    ...options.claims,
  };
  const header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: key.private_key_id, ...options.header };
  return signJwt(dropUndefined(header), dropUndefined(claims), options.signingKey ?? key.private_key);
}

function dropUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** Requests with JSON answers read strictly: the kit's client, under the names these tests use. */
export { getJson as get, type JsonAnswer, postForm as postToken, postRaw } from '@scimgw/testing-emulator-kit/client';

/** The JWT bearer grant with an assertion. */
export function requestToken(tokenUri: string, assertion: string): Promise<JsonAnswer> {
  return postForm(tokenUri, { grant_type: JWT_BEARER, assertion });
}

/** An access token, or a thrown error with the refusal. */
export async function accessToken(key: ServiceAccountKeyFile, options: AssertionOptions = {}): Promise<string> {
  const result = await requestToken(key.token_uri, assertionFor(key, options));
  if (result.status !== 200) throw new Error(`token refused: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json.access_token as string;
}
