/**
 * What the chain proxy does with a path: probes and its own routes (`/logger`, `/oauth/token`,
 * `/auth`, with or without a leading tenant) answer here; SCIM routes go on to the next gateway;
 * anything else is 404 (the proxy has no connector, so no `/api` or `/mcp`).
 */
import { routeScimPath, type ScimRoute } from '@scimgw/core/handler';

/** A route of the chain proxy. */
export type ProxyRoute =
  | { kind: 'logger' | 'token' | 'auth'; tenant?: string }
  | { kind: 'scim'; route: ScimRoute; tenant?: string };

const LOCAL = /^(?:\/([^/]+))?\/(logger|auth|oauth\/token)\/?$/i;

/** Routes a path (without query); undefined for a path the proxy does not serve. */
export function routeProxy(path: string): ProxyRoute | undefined {
  const m = LOCAL.exec(path);
  if (m) {
    const kind =
      (m[2] as string).toLowerCase() === 'oauth/token' ? 'token' : ((m[2] as string).toLowerCase() as 'logger' | 'auth');
    let tenant: string | undefined;
    if (m[1] !== undefined) {
      try {
        tenant = decodeURIComponent(m[1]);
      } catch {
        return undefined;
      }
    }
    return tenant === undefined ? { kind } : { kind, tenant };
  }
  const route = routeScimPath(path);
  if (!route) return undefined;
  return route.tenant === undefined ? { kind: 'scim', route } : { kind: 'scim', route, tenant: route.tenant };
}
