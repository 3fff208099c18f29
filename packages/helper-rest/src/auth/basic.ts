/**
 * Static credentials: HTTP Basic (RFC 7617) and a fixed bearer token (RFC 6750).
 */
import type { BasicAuthOptions } from '../types.js';
import type { AuthProvider } from './types.js';

/** `Authorization: Basic base64(username:password)`. */
export function basicAuth(options: BasicAuthOptions): AuthProvider {
  const header = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  return { authorize: async () => header, ready: () => header, refresh: () => false };
}

/** `Authorization: Bearer <token>` with a configured token that never changes. */
export function staticBearerAuth(token: string): AuthProvider {
  const header = `Bearer ${token}`;
  return { authorize: async () => header, ready: () => header, refresh: () => false };
}
