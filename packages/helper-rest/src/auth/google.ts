/**
 * Google service accounts (`serviceAccountKeyFile`): the JSON key Google Cloud's console
 * downloads signs a JWT that is itself the grant (RFC 7523 §2.1), sent to the token endpoint the
 * key names. With `subject` the account acts as that Google Workspace user (domain-wide
 * delegation), which the Admin SDK and Gmail APIs require.
 *
 * The key file is read and checked when the helper is created, so a wrong path, a file that is
 * not a service account key or a key that is not RSA fails at startup, naming the config path.
 * Errors never quote the file's content.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { RestConfigError } from '../errors.js';
import { certPath } from '../tls.js';
import { TokenCache } from '../token-cache.js';
import type { JwtBearerOptions } from '../types.js';
import { GRANT_TYPE_JWT_BEARER } from './jwt-bearer.js';
import { lazyRsaPrivateKey } from './keys.js';
import { requestToken, tokenAuth, withExtra } from './token-endpoint.js';
import type { AuthDeps, AuthProvider } from './types.js';

/** Google's token endpoint, for a key file that names none. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** The longest assertion Google accepts: one hour. */
const ASSERTION_LIFETIME_S = 3600;

/** What a service account key file holds that signing in needs. */
export interface ServiceAccountKey {
  clientEmail: string;
  privateKeyPem: string;
  privateKeyId?: string;
  tokenUri?: string;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * Reads a service account key: a file name (relative to the certificates directory) or the JSON
 * itself (e.g. from an environment variable).
 *
 * @param ref - the configured value
 * @param certsDir - where relative file names are resolved
 * @param where - the config path, for error messages
 */
export function readServiceAccountKey(ref: string, certsDir: string, where: string): ServiceAccountKey {
  const inline = ref.trimStart().startsWith('{');
  const source = inline ? 'the configured JSON' : certPath(ref, certsDir);
  let text = ref;
  if (!inline) {
    try {
      text = readFileSync(source, 'utf8');
    } catch (e) {
      throw new RestConfigError(`${where}: cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
        cause: e,
      });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No cause: the parser's message may quote the file.
    throw new RestConfigError(`${where}: ${source} is not JSON (expected a service account key file)`);
  }
  const k = (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>;
  if (k.type !== undefined && k.type !== 'service_account') {
    const kind = typeof k.type === 'string' ? `a "${k.type.slice(0, 40)}"` : 'not a';
    throw new RestConfigError(`${where}: ${source} is ${kind} credential, not a service account key`);
  }
  const lacking = ['client_email', 'private_key'].filter((f) => !isText(k[f]));
  if (lacking.length) throw new RestConfigError(`${where}: ${source} lacks ${lacking.join(' and ')}`);
  for (const f of ['private_key_id', 'token_uri']) {
    if (k[f] !== undefined && typeof k[f] !== 'string') throw new RestConfigError(`${where}: ${source}: ${f} is not a string`);
  }
  if (isText(k.token_uri) && !/^https?:\/\//i.test(k.token_uri)) {
    throw new RestConfigError(`${where}: ${source}: token_uri is not an http(s) URL`);
  }
  const privateKeyPem = k.private_key as string;
  let type: string | undefined;
  try {
    type = createPrivateKey(privateKeyPem).asymmetricKeyType;
  } catch {
    throw new RestConfigError(`${where}: ${source}: private_key is not a PEM private key`);
  }
  if (type !== 'rsa') throw new RestConfigError(`${where}: ${source}: private_key is ${type ?? 'not an'} key, not RSA`);
  return {
    clientEmail: k.client_email as string,
    privateKeyPem,
    ...(isText(k.private_key_id) ? { privateKeyId: k.private_key_id } : {}),
    ...(isText(k.token_uri) ? { tokenUri: k.token_uri } : {}),
  };
}

/** The token URL a service account signs in at: the configured one, the key's, or Google's. */
export function serviceAccountTokenUrl(o: Pick<JwtBearerOptions, 'tokenUrl'>, key: ServiceAccountKey): string {
  return isText(o.tokenUrl) ? o.tokenUrl : (key.tokenUri ?? GOOGLE_TOKEN_URI);
}

/** Creates the provider for a service account key (`oauth` or `oauthJwtBearer` with `serviceAccountKeyFile`). */
export function serviceAccountAuth(deps: AuthDeps, o: JwtBearerOptions): AuthProvider {
  const where = `endpoint.entity.${deps.conn.tenant ?? 'undefined'}.connection.auth.options.serviceAccountKeyFile`;
  const key = readServiceAccountKey(o.serviceAccountKeyFile as string, deps.certsDir, where);
  deps.secrets.add(key.privateKeyPem);
  const tokenUrl = serviceAccountTokenUrl(o, key);
  const signingKey = lazyRsaPrivateKey(key.privateKeyPem);
  const cache = new TokenCache(async () => {
    const { privateKey } = await signingKey();
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: key.clientEmail,
      scope: o.scope,
      aud: tokenUrl,
      iat: now,
      exp: now + ASSERTION_LIFETIME_S,
      ...(isText(o.subject) ? { sub: o.subject } : {}),
    };
    const assertion = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) })
      .sign(privateKey);
    deps.secrets.add(assertion);
    return requestToken(deps, tokenUrl, withExtra({ grant_type: GRANT_TYPE_JWT_BEARER, assertion }, o.extraParams));
  });
  return tokenAuth(cache);
}
