import { bearerToken } from '@scimgw/testing-emulator-kit';
import { type ApiRefusal, apiErrors } from './errors.js';
import type { SuccessFactorsState } from './state.js';

/** The OData V2 service root of SuccessFactors' API server. */
export const ODATA_ROOT = '/odata/v2';

/** A User entity as the OData API answers it in JSON (the few properties the emulator keeps). */
export interface ODataUserResponse {
  readonly d: {
    readonly __metadata: { readonly uri: string; readonly type: 'SFOData.User' };
    readonly userId: string;
    /** `t`: an active user. */
    readonly status: 't';
  };
}

/** The answer of the OData resource. */
export type ApiOutcome = { readonly status: 200; readonly body: ODataUserResponse } | ApiRefusal;

/** The path of a User entity: `User('<userId>')` or `User(userId='<userId>')`, quotes in the key doubled (OData V2 URI conventions §5.1.1). */
const USER_PATH = /^\/odata\/v2\/User\((?:userId=)?'((?:[^']|'')*)'\)$/;

/** The request target of a User entity, without the query. */
export function userPath(userId: string): string {
  return `${ODATA_ROOT}/User('${encodeURIComponent(userId.replace(/'/g, "''"))}')`;
}

/** The user ID a path names, or `undefined` if the path is not a User entity. */
export function userIdOfPath(path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const match = USER_PATH.exec(decoded);
  return match ? match[1]!.replace(/''/g, "'") : undefined;
}

/** What the resource needs to decide. */
export interface ODataContext {
  readonly state: SuccessFactorsState;
  readonly base: string;
  /** Milliseconds. */
  readonly now: number;
}

/** Whether the request asks for JSON: `$format=json` or an Accept header that names JSON. */
export function wantsJson(query: URLSearchParams, accept: string | undefined): boolean {
  const format = query.get('$format');
  if (format !== null) return format.toLowerCase() === 'json';
  return /application\/json/i.test(accept ?? '');
}

/**
 * `GET /odata/v2/User('<userId>')`: the token must be valid; the user is looked up in the company
 * the token was issued for.
 */
export function getUser(userId: string, authorization: string | undefined, json: boolean, ctx: ODataContext): ApiOutcome {
  const presented = bearerToken(authorization);
  if (presented === null) return apiErrors.missingToken();
  const token = presented === undefined ? undefined : ctx.state.findToken(presented, ctx.now);
  if (!token) return apiErrors.invalidToken();
  if (!json) return apiErrors.notAcceptable();
  if (!ctx.state.hasUser(token.companyId, userId)) return apiErrors.userNotFound(userId);
  return {
    status: 200,
    body: { d: { __metadata: { uri: `${ctx.base}${userPath(userId)}`, type: 'SFOData.User' }, userId, status: 't' } },
  };
}
