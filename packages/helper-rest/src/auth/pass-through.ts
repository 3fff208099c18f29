/**
 * Pass-through: the inbound request's `Authorization` header is forwarded to
 * the backend, which then does its own authorization (gateway chaining,
 * per-user APIs).
 */
import { RestAuthError } from '../errors.js';
import type { AuthProvider } from './types.js';

/** Forwards `ctx.authorization`; fails with a 401-mapped error when it is absent. */
export function passThroughAuth(): AuthProvider {
  return {
    async authorize(ctx) {
      if (!ctx?.authorization) {
        throw new RestAuthError('Pass-through auth needs the inbound Authorization header (ctx.authorization)', {
          category: 'missingCredentials',
        });
      }
      return ctx.authorization;
    },
    ready: (ctx) => ctx?.authorization ?? false,
    refresh: () => false,
    callerCredentials: true,
  };
}
