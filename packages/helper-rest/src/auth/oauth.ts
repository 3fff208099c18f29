/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4), including Microsoft
 * Entra ID (`azureTenantId` → `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`,
 * scope `https://graph.microsoft.com/.default`), and the seed's `token` flavour
 * that trades a username/password for a token at `tokenUrl`.
 */
import { TokenCache } from '../token-cache.js';
import type { BearerAuthOptions, OAuthClientCredentialsOptions } from '../types.js';
import { requestToken, tokenAuth, withExtra } from './token-endpoint.js';
import type { AuthDeps, AuthProvider } from './types.js';

/** Client credentials with a client secret (`client_secret_post` by default). */
export function clientCredentialsAuth(deps: AuthDeps, o: OAuthClientCredentialsOptions): AuthProvider {
  const tokenUrl = o.tokenUrl as string;
  // The schema requires it: only the certificate flow (resolved to oauthJwtBearer) goes without.
  const clientSecret = o.clientSecret as string;
  // Required unless a service account key is configured, which resolves to oauthJwtBearer.
  const clientId = o.clientId as string;
  const cache = new TokenCache(() => {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    const headers: Record<string, string> = {};
    if (o.tokenAuthMethod === 'client_secret_basic') {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
      const enc = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
      const basic = Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64');
      deps.secrets.add(basic);
      headers.Authorization = `Basic ${basic}`;
    } else {
      form.client_id = clientId;
      form.client_secret = clientSecret;
    }
    if (o.scope) form.scope = o.scope;
    return requestToken(deps, tokenUrl, withExtra(form, o.extraParams), headers);
  });
  return tokenAuth(cache);
}

/** Seed `token` type with `tokenUrl`: posts `username`/`password`, uses the returned token. */
export function passwordTokenAuth(deps: AuthDeps, o: BearerAuthOptions): AuthProvider {
  const cache = new TokenCache(() =>
    requestToken(deps, o.tokenUrl as string, { username: o.username ?? '', password: o.password ?? '' }),
  );
  return tokenAuth(cache);
}
