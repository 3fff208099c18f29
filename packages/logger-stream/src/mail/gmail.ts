import { sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type FetchFn, TokenCache, postForm, postJson, withToken } from './http.js';
import { buildMime } from './mime.js';
import type { MailTransport, ResolvedMail } from './types.js';

/** Where the Gmail transport talks to. */
export interface GmailEndpoints {
  fetch: FetchFn;
  /** e.g. `https://gmail.googleapis.com` */
  gmailBase: string;
  /** Overrides the key file's `token_uri` (tests). */
  tokenUri?: string;
  /** Absolute path of the service account key file. */
  keyFile: string;
  /** Told the private key once it is read, so the logger can blank it out anywhere. */
  onSecret?: (secret: string) => void;
}

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri?: string;
}

const SCOPE = 'https://www.googleapis.com/auth/gmail.send';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Signs the service-account assertion (RFC 7523 JWT bearer grant, RS256) that
 * impersonates `subject` through domain-wide delegation.
 *
 * @param key - the service account key
 * @param subject - the mailbox to act as (the `from` address)
 * @param audience - the token endpoint
 * @param now - seconds since the epoch
 */
export function signServiceAccountJwt(key: ServiceAccountKey, subject: string, audience: string, now: number): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({ iss: key.client_email, sub: subject, scope: SCOPE, aud: audience, iat: now, exp: now + 3600 }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), key.private_key);
  return `${header}.${claims}.${b64url(signature)}`;
}

/**
 * Google Workspace delivery through the Gmail API: a JWT signed with the
 * service account's key is exchanged at the key file's `token_uri`, then the
 * raw MIME message goes to `POST {gmail}/gmail/v1/users/{from}/messages/send`.
 * Needs domain-wide delegation with the `gmail.send` scope.
 *
 * @param endpoints - key file, fetch and base URLs
 */
export function createGmailTransport(endpoints: GmailEndpoints): MailTransport {
  let key: Promise<ServiceAccountKey> | undefined;
  const loadKey = (): Promise<ServiceAccountKey> => {
    key ??= readFile(endpoints.keyFile, 'utf8').then((text) => {
      const k = JSON.parse(text) as Partial<ServiceAccountKey>;
      if (typeof k.client_email !== 'string' || typeof k.private_key !== 'string') {
        throw new Error(`service account key file ${endpoints.keyFile} lacks client_email or private_key`);
      }
      endpoints.onSecret?.(k.private_key);
      return k as ServiceAccountKey;
    });
    // A failed read is retried on the next send rather than cached forever.
    key.catch(() => {
      key = undefined;
    });
    return key;
  };
  // One token per impersonated mailbox: the JWT's `sub` differs.
  const caches = new Map<string, TokenCache>();
  const tokensFor = (from: string): TokenCache => {
    let cache = caches.get(from);
    if (!cache) {
      cache = new TokenCache(async () => {
        const k = await loadKey();
        const aud = endpoints.tokenUri ?? k.token_uri ?? DEFAULT_TOKEN_URI;
        const assertion = signServiceAccountJwt(k, from, aud, Math.floor(Date.now() / 1000));
        return postForm(endpoints.fetch, aud, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
      });
      caches.set(from, cache);
    }
    return cache;
  };
  return {
    kind: 'gmail',
    async send(mail: ResolvedMail) {
      const raw = b64url(await buildMime(mail));
      const url = `${endpoints.gmailBase.replace(/\/+$/, '')}/gmail/v1/users/${encodeURIComponent(mail.from)}/messages/send`;
      const res = await withToken(tokensFor(mail.from), (token) => postJson(endpoints.fetch, url, token, { raw }));
      return typeof res.id === 'string' ? { id: res.id } : {};
    },
  };
}
