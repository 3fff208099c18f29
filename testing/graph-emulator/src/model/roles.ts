/**
 * Directory roles: role definitions, role assignments (unified RBAC) and the activated
 * directoryRole objects whose members are the principals assigned at tenant scope.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../graph/errors.js';
import { requireObject } from './body.js';
import type { Directory } from './directory.js';
import { OrderedIds } from './ordered-ids.js';
import { isGuid } from './references.js';
import { BUILT_IN_ROLES, ROLE_TEMPLATES, type RoleDefinitionSeed } from './role-definitions.js';

/** A stored role assignment. */
export interface RoleAssignment {
  readonly id: string;
  readonly principalId: string;
  readonly roleDefinitionId: string;
  readonly directoryScopeId: string | null;
  readonly appScopeId: string | null;
  readonly seq: number;
}

/** An activated directory role (the `directoryRoles` collection). */
export interface ActivatedRole {
  readonly id: string;
  readonly roleTemplateId: string;
  readonly seq: number;
}

/** The conflict answer for an assignment that already exists. */
export function conflictingObject(): Error {
  return badRequest('A conflicting object with one or more of the specified property values is present in the directory.');
}

/** Role definitions, assignments and activated roles of one tenant. */
export class Roles {
  readonly definitions = new Map<string, RoleDefinitionSeed & { seq: number }>();
  readonly definitionOrder = new OrderedIds();
  readonly assignments = new Map<string, RoleAssignment>();
  readonly assignmentOrder = new OrderedIds();
  readonly activated = new Map<string, ActivatedRole>();
  readonly activatedOrder = new OrderedIds();

  constructor(
    private readonly directory: Directory,
    extra: readonly RoleDefinitionSeed[],
  ) {
    for (const seed of [...BUILT_IN_ROLES, ...extra]) {
      const id = seed.id.toLowerCase();
      const seq = directory.nextSeq();
      this.definitions.set(id, { isBuiltIn: true, ...seed, id, seq });
      this.definitionOrder.add(id, seq);
    }
    this.activate(ROLE_TEMPLATES.globalAdministrator);
  }

  definitionJson(definition: RoleDefinitionSeed): Record<string, unknown> {
    return {
      id: definition.id,
      description: definition.description ?? null,
      displayName: definition.displayName,
      isBuiltIn: definition.isBuiltIn ?? true,
      isEnabled: true,
      resourceScopes: ['/'],
      rolePermissions: [{ allowedResourceActions: definition.allowedResourceActions ?? [], condition: null }],
      templateId: definition.id,
      version: '1',
    };
  }

  assignmentJson(assignment: RoleAssignment): Record<string, unknown> {
    return {
      id: assignment.id,
      principalId: assignment.principalId,
      roleDefinitionId: assignment.roleDefinitionId,
      directoryScopeId: assignment.directoryScopeId,
      appScopeId: assignment.appScopeId,
      condition: null,
      principalOrganizationId: null,
    };
  }

  activatedJson(role: ActivatedRole): Record<string, unknown> {
    const definition = this.definitions.get(role.roleTemplateId);
    return {
      id: role.id,
      deletedDateTime: null,
      description: definition?.description ?? null,
      displayName: definition?.displayName ?? null,
      roleTemplateId: role.roleTemplateId,
    };
  }

  /** The activated role object for a template, created on first use as Entra does. */
  activate(templateId: string): ActivatedRole {
    const existing = this.activated.get(templateId);
    if (existing) return existing;
    const role = { id: randomUUID(), roleTemplateId: templateId, seq: this.directory.nextSeq() };
    this.activated.set(templateId, role);
    this.activatedOrder.add(role.id, role.seq);
    return role;
  }

  activatedById(id: string): ActivatedRole | undefined {
    for (const role of this.activated.values()) if (role.id === id) return role;
    return undefined;
  }

  /** Principals holding a role at tenant scope: the members of its directoryRole. */
  membersOfTemplate(templateId: string): string[] {
    const ids: string[] = [];
    for (const assignment of this.assignments.values()) {
      if (assignment.roleDefinitionId === templateId && assignment.directoryScopeId === '/') ids.push(assignment.principalId);
    }
    return ids;
  }

  /** Activated roles a principal is a member of. */
  rolesOf(principalId: string): ActivatedRole[] {
    const roles: ActivatedRole[] = [];
    for (const assignment of this.assignments.values()) {
      if (assignment.principalId !== principalId || assignment.directoryScopeId !== '/') continue;
      const role = this.activated.get(assignment.roleDefinitionId);
      if (role && !roles.includes(role)) roles.push(role);
    }
    return roles;
  }

  /** Checks a principal id names an object that can hold a role. */
  checkPrincipal(principalId: unknown): string {
    if (typeof principalId !== 'string' || !isGuid(principalId))
      throw badRequest("Invalid value specified for property 'principalId'.");
    const principal = this.directory.get(principalId.toLowerCase());
    if (!principal) throw notFound(principalId);
    if (principal.kind === 'group' && principal.data.isAssignableToRole !== true) {
      throw badRequest('Only groups created with isAssignableToRole set to true can be assigned to roles.');
    }
    return principal.id;
  }

  checkDefinition(roleDefinitionId: unknown): string {
    const id = typeof roleDefinitionId === 'string' ? roleDefinitionId.toLowerCase() : '';
    if (!this.definitions.has(id)) throw notFound(String(roleDefinitionId));
    return id;
  }

  /** Applies POST /roleManagement/directory/roleAssignments. */
  create(body: unknown): RoleAssignment {
    const input = requireObject(body);
    for (const key of Object.keys(input)) {
      if (!['@odata.type', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId'].includes(key)) {
        throw badRequest(`Property '${key}' does not exist as a declared property or extension property.`);
      }
    }
    const principalId = this.checkPrincipal(input.principalId);
    const roleDefinitionId = this.checkDefinition(input.roleDefinitionId);
    const directoryScopeId = typeof input.directoryScopeId === 'string' ? input.directoryScopeId : null;
    const appScopeId = typeof input.appScopeId === 'string' ? input.appScopeId : null;
    if ((directoryScopeId === null) === (appScopeId === null)) {
      throw badRequest('Exactly one of directoryScopeId and appScopeId must be given.');
    }
    if (directoryScopeId !== null && !directoryScopeId.startsWith('/')) {
      throw badRequest("Invalid value specified for property 'directoryScopeId'.");
    }
    for (const existing of this.assignments.values()) {
      if (
        existing.principalId === principalId &&
        existing.roleDefinitionId === roleDefinitionId &&
        existing.directoryScopeId === directoryScopeId &&
        existing.appScopeId === appScopeId
      ) {
        throw conflictingObject();
      }
    }
    const assignment: RoleAssignment = {
      id: randomUUID(),
      principalId,
      roleDefinitionId,
      directoryScopeId,
      appScopeId,
      seq: this.directory.nextSeq(),
    };
    this.assignments.set(assignment.id, assignment);
    this.assignmentOrder.add(assignment.id, assignment.seq);
    if (directoryScopeId === '/') this.activate(roleDefinitionId);
    return assignment;
  }

  delete(id: string): boolean {
    if (!this.assignments.delete(id)) return false;
    this.assignmentOrder.delete(id);
    return true;
  }

  /** Drops every assignment of a deleted principal. */
  forgetPrincipal(principalId: string): void {
    for (const assignment of [...this.assignments.values()])
      if (assignment.principalId === principalId) this.delete(assignment.id);
  }
}
