/** Connection settings → the official driver's `MongoClientOptions`, and a URL safe to log. */
import type { MongoClientOptions } from 'mongodb';
import type { MongoConnectionConfig } from './config.js';

/**
 * The driver options of one connection. Timeouts are always bounded; writes are not retried by the
 * driver on a standalone (it cannot), and are retried once on replica sets (retryable writes).
 *
 * @param baseDir - directory relative certificate paths resolve against
 */
export function clientOptions(c: MongoConnectionConfig, resolvePath: (p: string) => string = (p) => p): MongoClientOptions {
  const t = c.timeouts;
  const o: MongoClientOptions = {
    appName: c.appName,
    maxPoolSize: c.maxPoolSize,
    connectTimeoutMS: t.connectMS,
    serverSelectionTimeoutMS: t.serverSelectionMS,
    socketTimeoutMS: t.socketMS,
    waitQueueTimeoutMS: t.waitQueueMS,
    // Ignore keys of undefined values rather than store nulls.
    ignoreUndefined: true,
  };
  if (c.username !== undefined) {
    o.auth = c.password === undefined ? { username: c.username } : { username: c.username, password: c.password };
  }
  if (c.authSource !== undefined) o.authSource = c.authSource;
  if (c.authMechanism !== undefined && c.authMechanism !== 'DEFAULT') o.authMechanism = c.authMechanism;
  if (c.authMechanism === 'MONGODB-X509' && c.authSource === undefined) o.authSource = '$external';
  if (c.replicaSet !== undefined) o.replicaSet = c.replicaSet;
  if (c.tls) {
    o.tls = c.tls.enabled;
    if (c.tls.caFile !== undefined) o.tlsCAFile = resolvePath(c.tls.caFile);
    if (c.tls.certificateKeyFile !== undefined) o.tlsCertificateKeyFile = resolvePath(c.tls.certificateKeyFile);
    if (c.tls.certificateKeyFilePassword !== undefined) o.tlsCertificateKeyFilePassword = c.tls.certificateKeyFilePassword;
    if (c.tls.allowInvalidCertificates) o.tlsAllowInvalidCertificates = true;
    if (c.tls.allowInvalidHostnames) o.tlsAllowInvalidHostnames = true;
  }
  return o;
}

const SECRET_PARAMS = /^(password|tlsCertificateKeyFilePassword|authMechanismProperties|proxyPassword)$/i;

/**
 * The connection string with its password (and any secret query option) masked, for logs.
 *
 * @example
 * redactUrl('mongodb://scim:s3cret@db1,db2/?replicaSet=rs0') // 'mongodb://scim:***@db1,db2/?replicaSet=rs0'
 */
export function redactUrl(url: string): string {
  const scheme = /^mongodb(?:\+srv)?:\/\//.exec(url)?.[0];
  if (!scheme) return 'mongodb://***';
  let rest = url.slice(scheme.length);
  let out = scheme;
  // Everything before the last "@" is user information, whatever characters the password holds.
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    out += `${rest.slice(0, at).split(':')[0]}:***@`;
    rest = rest.slice(at + 1);
  }
  const q = rest.indexOf('?');
  if (q < 0) return out + rest;
  const params = rest
    .slice(q + 1)
    .split('&')
    .map((kv) => {
      const k = kv.split('=')[0] ?? '';
      return SECRET_PARAMS.test(k) ? `${k}=***` : kv;
    });
  return `${out}${rest.slice(0, q)}?${params.join('&')}`;
}
