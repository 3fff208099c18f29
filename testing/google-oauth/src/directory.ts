import { bearerToken } from '@scimgw/testing-emulator-kit';
import { type ApiRefusal, apiErrors } from './errors.js';
import type { IssuedToken, TokenStore, UserStore } from './state.js';

/** The scopes that let a token read users (Admin SDK Directory API, users.get). */
export const DIRECTORY_USER_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
] as const;

/** The path of users.get: `GET https://admin.googleapis.com/admin/directory/v1/users/{userKey}`. */
export const USERS_PATH = /^\/admin\/directory\/v1\/users\/([^/]+)$/;

/** A user resource as users.get returns it (the fields the emulator keeps). */
export interface DirectoryUserResource {
  readonly kind: 'admin#directory#user';
  readonly id: string;
  readonly primaryEmail: string;
}

/** The answer of the protected resource. */
export type ApiOutcome = { readonly status: 200; readonly body: DirectoryUserResource } | ApiRefusal;

/** What the resource needs to decide. */
export interface DirectoryContext {
  readonly tokens: TokenStore;
  readonly users: UserStore;
  /** Milliseconds. */
  readonly now: number;
}

/**
 * users.get: the token must be valid, carry a Directory user scope and act for (`sub`) an
 * administrator of the domain; the user is named by primary email or unique ID.
 */
export function getUser(userKeyInPath: string, authorization: string | undefined, ctx: DirectoryContext): ApiOutcome {
  const presented = bearerToken(authorization);
  if (presented === null) return apiErrors.missingCredential();
  const token: IssuedToken | undefined = presented === undefined ? undefined : ctx.tokens.find(presented, ctx.now);
  if (!token) return apiErrors.invalidCredential();
  if (!token.scopes.some((scope) => (DIRECTORY_USER_SCOPES as readonly string[]).includes(scope))) {
    return apiErrors.insufficientScope(DIRECTORY_USER_SCOPES);
  }
  // A service account is not a Workspace administrator: it reads the directory only as a delegated admin.
  const actor = token.sub === undefined ? undefined : ctx.users.findByEmail(token.sub);
  if (!actor?.isAdmin) return apiErrors.forbidden();
  let userKey: string;
  try {
    userKey = decodeURIComponent(userKeyInPath);
  } catch {
    return apiErrors.userNotFound();
  }
  const user = ctx.users.find(userKey);
  if (!user) return apiErrors.userNotFound();
  return { status: 200, body: { kind: 'admin#directory#user', id: user.id, primaryEmail: user.primaryEmail } };
}
