/**
 * Directory roles and unified role management: `/directoryRoles`,
 * `/roleManagement/directory/roleDefinitions` and `/roleAssignments`.
 */
import { notFound } from '../graph/errors.js';
import { PERMISSIONS } from '../graph/permissions.js';
import { json, noContent } from '../graph/types.js';
import { DIRECTORY_ROLE, ROLE_ASSIGNMENT, ROLE_DEFINITION } from '../model/schema.js';
import { allowFilters } from '../odata/collection.js';
import { type RouteContext, type RouteDef, contextUrl } from './context.js';
import { bySeq, relationshipList } from './directory-lists.js';
import { type Expanders, entityGet, entityList } from './entity-lists.js';
import { projectObject } from './shape.js';

const BASE = '/roleManagement/directory';
const DEFINITION_FILTERS = allowFilters({ id: 'eq in', displayName: 'eq startsWith', templateId: 'eq in', isBuiltIn: 'eq' });
const ASSIGNMENT_FILTERS = allowFilters({
  id: 'eq',
  principalId: 'eq in',
  roleDefinitionId: 'eq in',
  directoryScopeId: 'eq',
  appScopeId: 'eq',
});
const ROLE_FILTERS = allowFilters({ id: 'eq', displayName: 'eq', roleTemplateId: 'eq' });

function assignmentExpanders(ctx: RouteContext): Expanders {
  const { directory, roles } = ctx.tenant;
  return new Map([
    [
      'principal',
      {
        name: 'principal',
        get: (record: Record<string, unknown>) => {
          const principal = directory.get(record.principalId as string);
          return principal ? projectObject(principal, undefined) : null;
        },
      },
    ],
    [
      'roledefinition',
      {
        name: 'roleDefinition',
        get: (record: Record<string, unknown>) => {
          const definition = roles.definitions.get(record.roleDefinitionId as string);
          return definition ? roles.definitionJson(definition) : null;
        },
      },
    ],
  ]);
}

/** Routes of directory roles and role management. */
export const roleRoutes: RouteDef[] = [
  {
    method: 'GET',
    pattern: '/directoryRoles',
    permissions: PERMISSIONS.directoryRolesRead,
    handle(ctx) {
      const { roles } = ctx.tenant;
      return entityList(ctx, {
        type: DIRECTORY_ROLE,
        entitySet: 'directoryRoles',
        filters: ROLE_FILTERS,
        *items(afterSeq) {
          for (const role of [...roles.activated.values()].sort((a, b) => a.seq - b.seq)) {
            if (role.seq > afterSeq) yield { seq: role.seq, record: roles.activatedJson(role) };
          }
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: '/directoryRoles/{id}',
    permissions: PERMISSIONS.directoryRolesRead,
    handle(ctx) {
      const { roles } = ctx.tenant;
      const role = roles.activatedById((ctx.params[0] as string).toLowerCase());
      if (!role) throw notFound(ctx.params[0] as string);
      return entityGet(ctx, DIRECTORY_ROLE, 'directoryRoles', roles.activatedJson(role));
    },
  },
  {
    method: 'GET',
    pattern: '/directoryRoles/{id}/members',
    permissions: PERMISSIONS.directoryRolesRead,
    handle(ctx) {
      const { roles, directory } = ctx.tenant;
      const role = roles.activatedById((ctx.params[0] as string).toLowerCase());
      if (!role) throw notFound(ctx.params[0] as string);
      const members = roles.membersOfTemplate(role.roleTemplateId).flatMap((id) => directory.get(id) ?? []);
      return relationshipList(ctx, bySeq(members), {});
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleDefinitions`,
    permissions: PERMISSIONS.roleDefinitionsRead,
    handle(ctx) {
      const { roles } = ctx.tenant;
      return entityList(ctx, {
        type: ROLE_DEFINITION,
        entitySet: 'roleManagement/directory/roleDefinitions',
        filters: DEFINITION_FILTERS,
        *items(afterSeq) {
          for (const { id, seq } of roles.definitionOrder.after(afterSeq)) {
            const definition = roles.definitions.get(id);
            if (definition) yield { seq, record: roles.definitionJson(definition) };
          }
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleDefinitions/{id}`,
    permissions: PERMISSIONS.roleDefinitionsRead,
    handle(ctx) {
      const { roles } = ctx.tenant;
      const definition = roles.definitions.get((ctx.params[0] as string).toLowerCase());
      if (!definition) throw notFound(ctx.params[0] as string);
      return entityGet(ctx, ROLE_DEFINITION, 'roleManagement/directory/roleDefinitions', roles.definitionJson(definition));
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleAssignments`,
    permissions: PERMISSIONS.roleAssignmentsRead,
    handle(ctx) {
      const { roles } = ctx.tenant;
      return entityList(ctx, {
        type: ROLE_ASSIGNMENT,
        entitySet: 'roleManagement/directory/roleAssignments',
        filters: ASSIGNMENT_FILTERS,
        expanders: assignmentExpanders(ctx),
        *items(afterSeq) {
          for (const { id, seq } of roles.assignmentOrder.after(afterSeq)) {
            const assignment = roles.assignments.get(id);
            if (assignment) yield { seq, record: roles.assignmentJson(assignment) };
          }
        },
      });
    },
  },
  {
    method: 'POST',
    pattern: `${BASE}/roleAssignments`,
    permissions: PERMISSIONS.roleAssignmentsWrite,
    handle(ctx) {
      const { roles } = ctx.tenant;
      const assignment = roles.create(ctx.request.body);
      return json(201, {
        '@odata.context': contextUrl(ctx, 'roleManagement/directory/roleAssignments/$entity'),
        ...roles.assignmentJson(assignment),
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleAssignments/{id}`,
    permissions: PERMISSIONS.roleAssignmentsRead,
    handle(ctx) {
      const { roles } = ctx.tenant;
      const assignment = roles.assignments.get((ctx.params[0] as string).toLowerCase());
      if (!assignment) throw notFound(ctx.params[0] as string);
      return entityGet(
        ctx,
        ROLE_ASSIGNMENT,
        'roleManagement/directory/roleAssignments',
        roles.assignmentJson(assignment),
        assignmentExpanders(ctx),
      );
    },
  },
  {
    method: 'DELETE',
    pattern: `${BASE}/roleAssignments/{id}`,
    permissions: PERMISSIONS.roleAssignmentsWrite,
    handle(ctx) {
      if (!ctx.tenant.roles.delete((ctx.params[0] as string).toLowerCase())) throw notFound(ctx.params[0] as string);
      return noContent();
    },
  },
];
