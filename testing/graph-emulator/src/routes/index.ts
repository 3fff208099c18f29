/** The route table of the emulated Graph v1.0 API. */
import type { RouteDef } from './context.js';
import { directoryObjectRoutes } from './directory-objects.js';
import { eligibilityRoutes } from './eligibility.js';
import { entitlementRoutes } from './entitlement.js';
import { groupMemberRoutes } from './group-members.js';
import { groupRoutes } from './groups.js';
import { roleRoutes } from './roles.js';
import { userRelationRoutes } from './user-relations.js';
import { userRoutes } from './users.js';

/** Every route, for the router. */
export const ROUTES: readonly RouteDef[] = [
  ...userRoutes,
  ...userRelationRoutes,
  ...groupRoutes,
  ...groupMemberRoutes,
  ...roleRoutes,
  ...eligibilityRoutes,
  ...entitlementRoutes,
  ...directoryObjectRoutes,
];
