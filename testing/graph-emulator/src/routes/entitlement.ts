/**
 * Entitlement management under `/identityGovernance/entitlementManagement`: access packages,
 * assignment policies, assignments and assignment requests. Requests advance when read.
 */
import { notFound } from '../graph/errors.js';
import { PERMISSIONS } from '../graph/permissions.js';
import { json, noContent } from '../graph/types.js';
import type { Assignment, AssignmentRequest } from '../model/entitlement.js';
import {
  ACCESS_PACKAGE,
  ACCESS_PACKAGE_ASSIGNMENT,
  ASSIGNMENT_POLICY,
  ASSIGNMENT_REQUEST,
  COMPLEX_TYPES,
  type TypeDef,
} from '../model/schema.js';
import { allowFilters } from '../odata/collection.js';
import { type QueryTarget, resolveIn, unknownProperty } from '../odata/target.js';
import { type RouteContext, type RouteDef, contextUrl } from './context.js';
import { type Expanders, entityGet, entityList } from './entity-lists.js';

const BASE = '/identityGovernance/entitlementManagement';
const SET = 'identityGovernance/entitlementManagement';

/** A target whose navigation properties (`target/objectId`, `accessPackage/id` …) are filterable. */
function navTarget(type: TypeDef, navigation: Record<string, string>): QueryTarget {
  const odataName = `microsoft.graph.${type.name}`;
  return {
    odataName,
    label: type.label,
    resolve(segments) {
      const [head = '', ...rest] = segments;
      const navName = Object.keys(navigation).find((n) => n.toLowerCase() === head.toLowerCase());
      if (navName && rest.length > 0) {
        const complex = COMPLEX_TYPES.get(navigation[navName] as string) as TypeDef;
        const inner = resolveIn(complex, rest, `microsoft.graph.${complex.name}`);
        return {
          ...inner,
          canonical: `${navName}/${inner.canonical}`,
          get: (record) => inner.get((record as Record<string, unknown>)[navName]),
        };
      }
      if (navName) throw unknownProperty(head, odataName);
      return resolveIn(type, segments, odataName);
    },
  };
}

const ASSIGNMENT_TARGET = navTarget(ACCESS_PACKAGE_ASSIGNMENT, {
  target: 'accessPackageSubject',
  accessPackage: 'entityRef',
  assignmentPolicy: 'entityRef',
});
const REQUEST_TARGET = navTarget(ASSIGNMENT_REQUEST, {
  requestor: 'accessPackageSubject',
  accessPackage: 'entityRef',
  assignment: 'entityRef',
});
const ASSIGNMENT_FILTERS = allowFilters({
  id: 'eq',
  state: 'eq ne',
  status: 'eq',
  'target/objectId': 'eq',
  'target/principalName': 'eq',
  'accessPackage/id': 'eq',
  'assignmentPolicy/id': 'eq',
});
const REQUEST_FILTERS = allowFilters({
  id: 'eq',
  state: 'eq ne',
  status: 'eq',
  requestType: 'eq',
  'accessPackage/id': 'eq',
  'assignment/id': 'eq',
});
const PACKAGE_FILTERS = allowFilters({ id: 'eq', displayName: 'eq startsWith contains', isHidden: 'eq' });

function packageRef(ctx: RouteContext, id: string): Record<string, unknown> | null {
  const pkg = ctx.tenant.entitlement.packages.get(id);
  return pkg ? ctx.tenant.entitlement.packageJson(pkg) : null;
}

/** An assignment with its navigation objects, for filters and `$expand`. */
function assignmentRecord(ctx: RouteContext, assignment: Assignment): Record<string, unknown> {
  const { entitlement } = ctx.tenant;
  const found = entitlement.findPolicy(assignment.policyId);
  return {
    ...entitlement.assignmentJson(assignment),
    target: entitlement.subjectJson(assignment.targetId),
    accessPackage: packageRef(ctx, assignment.accessPackageId),
    assignmentPolicy: found ? entitlement.policyJson(found.pkg, found.policy) : null,
  };
}

function requestRecord(ctx: RouteContext, request: AssignmentRequest): Record<string, unknown> {
  const { entitlement } = ctx.tenant;
  const assignment = entitlement.assignments.get(request.assignmentId);
  return {
    ...entitlement.requestJson(request),
    requestor: null,
    accessPackage: packageRef(ctx, request.accessPackageId),
    assignment: assignment
      ? { ...entitlement.assignmentJson(assignment), target: entitlement.subjectJson(assignment.targetId) }
      : null,
  };
}

function expanders(names: string[]): Expanders {
  return new Map(names.map((name) => [name.toLowerCase(), { name, get: (record: Record<string, unknown>) => record[name] }]));
}

const ASSIGNMENT_EXPANDERS = expanders(['target', 'accessPackage', 'assignmentPolicy']);
const REQUEST_EXPANDERS = expanders(['requestor', 'accessPackage', 'assignment']);

function findRequest(ctx: RouteContext): AssignmentRequest {
  const request = ctx.tenant.entitlement.requests.get((ctx.params[0] as string).toLowerCase());
  if (!request) throw notFound(ctx.params[0] as string);
  return request;
}

/** Routes of entitlement management. */
export const entitlementRoutes: RouteDef[] = [
  {
    method: 'GET',
    pattern: `${BASE}/accessPackages`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      const { entitlement } = ctx.tenant;
      return entityList(ctx, {
        type: ACCESS_PACKAGE,
        entitySet: `${SET}/accessPackages`,
        filters: PACKAGE_FILTERS,
        expanders: new Map([
          [
            'assignmentpolicies',
            {
              name: 'assignmentPolicies',
              get: (record: Record<string, unknown>) => {
                const pkg = entitlement.packages.get(record.id as string);
                return pkg ? pkg.policies.map((p) => entitlement.policyJson(pkg, p)) : [];
              },
            },
          ],
        ]),
        *items(afterSeq) {
          for (const { id, seq } of entitlement.packageOrder.after(afterSeq)) {
            const pkg = entitlement.packages.get(id);
            if (pkg) yield { seq, record: entitlement.packageJson(pkg) };
          }
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/accessPackages/{id}`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      const pkg = ctx.tenant.entitlement.packages.get((ctx.params[0] as string).toLowerCase());
      if (!pkg) throw notFound(ctx.params[0] as string);
      return entityGet(ctx, ACCESS_PACKAGE, `${SET}/accessPackages`, ctx.tenant.entitlement.packageJson(pkg));
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/accessPackages/{id}/assignmentPolicies`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      const { entitlement } = ctx.tenant;
      const pkg = entitlement.packages.get((ctx.params[0] as string).toLowerCase());
      if (!pkg) throw notFound(ctx.params[0] as string);
      return entityList(ctx, {
        type: ASSIGNMENT_POLICY,
        entitySet: `${SET}/assignmentPolicies`,
        filters: allowFilters({ id: 'eq', displayName: 'eq' }),
        *items(afterSeq) {
          for (const policy of pkg.policies)
            if (policy.seq > afterSeq) yield { seq: policy.seq, record: entitlement.policyJson(pkg, policy) };
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/assignmentPolicies`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      const { entitlement } = ctx.tenant;
      const all = [...entitlement.packages.values()].flatMap((pkg) => pkg.policies.map((policy) => ({ pkg, policy })));
      all.sort((a, b) => a.policy.seq - b.policy.seq);
      return entityList(ctx, {
        type: ASSIGNMENT_POLICY,
        entitySet: `${SET}/assignmentPolicies`,
        filters: allowFilters({ id: 'eq', displayName: 'eq' }),
        *items(afterSeq) {
          for (const { pkg, policy } of all)
            if (policy.seq > afterSeq) yield { seq: policy.seq, record: entitlement.policyJson(pkg, policy) };
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/assignments`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      const { entitlement } = ctx.tenant;
      entitlement.advance(ctx.now);
      return entityList(ctx, {
        type: ACCESS_PACKAGE_ASSIGNMENT,
        entitySet: `${SET}/assignments`,
        target: ASSIGNMENT_TARGET,
        filters: ASSIGNMENT_FILTERS,
        expanders: ASSIGNMENT_EXPANDERS,
        *items(afterSeq) {
          for (const { id, seq } of entitlement.assignmentOrder.after(afterSeq)) {
            const assignment = entitlement.assignments.get(id);
            if (assignment) yield { seq, record: assignmentRecord(ctx, assignment) };
          }
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/assignments/{id}`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      const { entitlement } = ctx.tenant;
      entitlement.advance(ctx.now);
      const assignment = entitlement.assignments.get((ctx.params[0] as string).toLowerCase());
      if (!assignment) throw notFound(ctx.params[0] as string);
      return entityGet(
        ctx,
        ACCESS_PACKAGE_ASSIGNMENT,
        `${SET}/assignments`,
        assignmentRecord(ctx, assignment),
        ASSIGNMENT_EXPANDERS,
      );
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/assignmentRequests`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      const { entitlement } = ctx.tenant;
      entitlement.advance(ctx.now);
      return entityList(ctx, {
        type: ASSIGNMENT_REQUEST,
        entitySet: `${SET}/assignmentRequests`,
        target: REQUEST_TARGET,
        filters: REQUEST_FILTERS,
        expanders: REQUEST_EXPANDERS,
        *items(afterSeq) {
          for (const { id, seq } of entitlement.requestOrder.after(afterSeq)) {
            const request = entitlement.requests.get(id);
            if (request) yield { seq, record: requestRecord(ctx, request) };
          }
        },
      });
    },
  },
  {
    method: 'POST',
    pattern: `${BASE}/assignmentRequests`,
    permissions: PERMISSIONS.entitlementWrite,
    handle(ctx) {
      const { entitlement } = ctx.tenant;
      entitlement.advance(ctx.now);
      const request = entitlement.submit(ctx.request.body, ctx.now);
      return json(201, {
        '@odata.context': contextUrl(ctx, `${SET}/assignmentRequests/$entity`),
        ...entitlement.requestJson(request),
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/assignmentRequests/{id}`,
    permissions: PERMISSIONS.entitlementRead,
    handle(ctx) {
      ctx.tenant.entitlement.advance(ctx.now);
      return entityGet(
        ctx,
        ASSIGNMENT_REQUEST,
        `${SET}/assignmentRequests`,
        requestRecord(ctx, findRequest(ctx)),
        REQUEST_EXPANDERS,
      );
    },
  },
  {
    method: 'DELETE',
    pattern: `${BASE}/assignmentRequests/{id}`,
    permissions: PERMISSIONS.entitlementWrite,
    handle(ctx) {
      ctx.tenant.entitlement.advance(ctx.now);
      ctx.tenant.entitlement.deleteRequest(findRequest(ctx));
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: `${BASE}/assignmentRequests/{id}/cancel`,
    permissions: PERMISSIONS.entitlementWrite,
    handle(ctx) {
      ctx.tenant.entitlement.advance(ctx.now);
      ctx.tenant.entitlement.cancel(findRequest(ctx));
      return noContent();
    },
  },
];
