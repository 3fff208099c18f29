/**
 * Entitlement management: access packages with their assignment policies, assignment
 * requests (`adminAdd`, `adminRemove`) and the assignments they deliver. A request moves
 * submitted → delivering → delivered as time passes (configurable), evaluated when read; a
 * delivered assignment makes the target a member of the package's groups.
 */
import { randomUUID } from 'node:crypto';
import { GraphError, badRequest, notFound } from '../graph/errors.js';
import { requireObject } from './body.js';
import type { Directory } from './directory.js';
import { OrderedIds } from './ordered-ids.js';
import { isGuid } from './references.js';

/** An access package given to {@link startGraphEmulator} as `accessPackages`. */
export interface AccessPackageSeed {
  readonly id?: string;
  readonly displayName: string;
  readonly description?: string;
  readonly isHidden?: boolean;
  /** Groups whose membership a delivered assignment grants. */
  readonly groupIds?: readonly string[];
  /** Assignment policies; one "Direct assignment" policy is created when none is given. */
  readonly policies?: ReadonlyArray<{ readonly id?: string; readonly displayName: string; readonly description?: string }>;
}

/** Timing of request delivery. */
export interface EntitlementTiming {
  /** Milliseconds from submission until a request is `delivering`; default 0. */
  readonly deliveringAfterMs?: number;
  /** Milliseconds from submission until a request is `delivered`; default 0. */
  readonly deliveredAfterMs?: number;
}

interface AccessPackage {
  id: string;
  displayName: string;
  description: string | null;
  isHidden: boolean;
  groupIds: string[];
  created: string;
  seq: number;
  policies: Array<{ id: string; displayName: string; description: string | null; seq: number }>;
}

/** A stored assignment. */
export interface Assignment {
  readonly id: string;
  readonly accessPackageId: string;
  readonly policyId: string;
  readonly targetId: string;
  state: 'delivering' | 'delivered' | 'expired' | 'deliveryFailed';
  expired: string | null;
  readonly seq: number;
}

/** A stored assignment request. */
export interface AssignmentRequest {
  readonly id: string;
  readonly requestType: 'adminAdd' | 'adminRemove';
  readonly assignmentId: string;
  readonly accessPackageId: string;
  readonly targetId: string;
  readonly justification: string | null;
  readonly submittedAt: number;
  state: 'submitted' | 'delivering' | 'delivered' | 'canceled' | 'deliveryFailed';
  completed: string | null;
  readonly seq: number;
}

const STATUS: Record<string, string> = {
  submitted: 'Accepted',
  delivering: 'Delivering',
  delivered: 'Delivered',
  canceled: 'Canceled',
  deliveryFailed: 'DeliveryFailed',
  expired: 'Expired',
};

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function emError(message: string): GraphError {
  return new GraphError(400, 'BadRequest', message);
}

/** Entitlement management state of one tenant. */
export class Entitlement {
  readonly packages = new Map<string, AccessPackage>();
  readonly packageOrder = new OrderedIds();
  readonly assignments = new Map<string, Assignment>();
  readonly assignmentOrder = new OrderedIds();
  readonly requests = new Map<string, AssignmentRequest>();
  readonly requestOrder = new OrderedIds();
  private readonly pending = new Set<string>();

  constructor(
    private readonly directory: Directory,
    seeds: readonly AccessPackageSeed[],
    private readonly timing: EntitlementTiming,
    now: number,
  ) {
    for (const seed of seeds) this.addPackage(seed, now);
  }

  addPackage(seed: AccessPackageSeed, now: number): string {
    const id = (seed.id ?? randomUUID()).toLowerCase();
    const policies = (seed.policies ?? [{ displayName: 'Direct assignment', description: 'Assigned by an administrator.' }]).map(
      (p) => ({
        id: (p.id ?? randomUUID()).toLowerCase(),
        displayName: p.displayName,
        description: p.description ?? null,
        seq: this.directory.nextSeq(),
      }),
    );
    const pkg: AccessPackage = {
      id,
      displayName: seed.displayName,
      description: seed.description ?? null,
      isHidden: seed.isHidden ?? false,
      groupIds: (seed.groupIds ?? []).map((g) => g.toLowerCase()),
      created: iso(now),
      seq: this.directory.nextSeq(),
      policies,
    };
    this.packages.set(id, pkg);
    this.packageOrder.add(id, pkg.seq);
    return id;
  }

  packageJson(pkg: AccessPackage): Record<string, unknown> {
    return {
      id: pkg.id,
      displayName: pkg.displayName,
      description: pkg.description,
      isHidden: pkg.isHidden,
      createdDateTime: pkg.created,
      modifiedDateTime: pkg.created,
    };
  }

  policyJson(pkg: AccessPackage, policy: AccessPackage['policies'][number]): Record<string, unknown> {
    return {
      id: policy.id,
      displayName: policy.displayName,
      description: policy.description,
      allowedTargetScope: 'notSpecified',
      createdDateTime: pkg.created,
      modifiedDateTime: pkg.created,
    };
  }

  /** The package and policy a policy id belongs to. */
  findPolicy(policyId: string): { pkg: AccessPackage; policy: AccessPackage['policies'][number] } | undefined {
    for (const pkg of this.packages.values()) {
      const policy = pkg.policies.find((p) => p.id === policyId);
      if (policy) return { pkg, policy };
    }
    return undefined;
  }

  subjectJson(targetId: string): Record<string, unknown> {
    const object = this.directory.get(targetId);
    return {
      id: targetId,
      objectId: targetId,
      displayName: (object?.data.displayName as string | undefined) ?? null,
      email: (object?.data.mail as string | undefined) ?? null,
      principalName: (object?.data.userPrincipalName as string | undefined) ?? null,
      onPremisesSecurityIdentifier: null,
      subjectType: object?.kind === 'servicePrincipal' ? 'servicePrincipal' : 'user',
    };
  }

  assignmentJson(assignment: Assignment): Record<string, unknown> {
    return {
      id: assignment.id,
      state: assignment.state,
      status: STATUS[assignment.state],
      expiredDateTime: assignment.expired,
      schedule: {
        startDateTime: null,
        recurrence: null,
        expiration: { endDateTime: null, duration: null, type: 'notSpecified' },
      },
      customExtensionCalloutInstances: [],
    };
  }

  requestJson(request: AssignmentRequest): Record<string, unknown> {
    return {
      id: request.id,
      requestType: request.requestType,
      state: request.state,
      status: STATUS[request.state],
      createdDateTime: iso(request.submittedAt),
      completedDateTime: request.completed,
      justification: request.justification,
      schedule: {
        startDateTime: null,
        recurrence: null,
        expiration: { endDateTime: null, duration: null, type: 'notSpecified' },
      },
      answers: [],
      customExtensionCalloutInstances: [],
    };
  }

  /** Moves pending requests along by the clock; called before every read. */
  advance(now: number): void {
    for (const id of [...this.pending]) {
      const request = this.requests.get(id);
      if (!request) {
        this.pending.delete(id);
        continue;
      }
      const elapsed = now - request.submittedAt;
      if (request.state === 'submitted' && elapsed >= (this.timing.deliveringAfterMs ?? 0)) request.state = 'delivering';
      if (request.state === 'delivering' && elapsed >= (this.timing.deliveredAfterMs ?? 0)) this.deliver(request, now);
    }
  }

  private deliver(request: AssignmentRequest, now: number): void {
    request.state = 'delivered';
    request.completed = iso(now);
    this.pending.delete(request.id);
    const assignment = this.assignments.get(request.assignmentId);
    const pkg = this.packages.get(request.accessPackageId);
    if (!assignment || !pkg) return;
    if (request.requestType === 'adminAdd') {
      assignment.state = 'delivered';
      for (const groupId of pkg.groupIds) if (this.directory.group(groupId)) this.directory.addMember(groupId, request.targetId);
    } else {
      assignment.state = 'expired';
      assignment.expired = iso(now);
      for (const groupId of pkg.groupIds) this.directory.removeMember(groupId, request.targetId);
    }
  }

  /** Applies POST /identityGovernance/entitlementManagement/assignmentRequests. */
  submit(body: unknown, now: number): AssignmentRequest {
    const input = requireObject(body);
    const requestType = input.requestType;
    const assignmentInput = requireObject(input.assignment ?? null);
    const justification = typeof input.justification === 'string' ? input.justification : null;
    if (requestType === 'adminAdd') return this.submitAdd(assignmentInput, justification, now);
    if (requestType === 'adminRemove') return this.submitRemove(assignmentInput, justification, now);
    if (typeof requestType === 'string' && requestType.startsWith('user')) {
      throw emError(`The request type '${requestType}' needs a signed-in user; an application can use adminAdd and adminRemove.`);
    }
    throw badRequest("Invalid value specified for property 'requestType'.");
  }

  private record(request: Omit<AssignmentRequest, 'seq' | 'state' | 'completed'>): AssignmentRequest {
    const stored: AssignmentRequest = { ...request, state: 'submitted', completed: null, seq: this.directory.nextSeq() };
    this.requests.set(stored.id, stored);
    this.requestOrder.add(stored.id, stored.seq);
    this.pending.add(stored.id);
    return stored;
  }

  private submitAdd(input: Record<string, unknown>, justification: string | null, now: number): AssignmentRequest {
    const targetId = typeof input.targetId === 'string' ? input.targetId.toLowerCase() : '';
    const policyId = typeof input.assignmentPolicyId === 'string' ? input.assignmentPolicyId.toLowerCase() : '';
    const packageId = typeof input.accessPackageId === 'string' ? input.accessPackageId.toLowerCase() : '';
    if (!isGuid(targetId)) throw emError('The assignment must name the target by targetId.');
    const found = this.findPolicy(policyId);
    if (!found) throw notFound(policyId || 'assignmentPolicyId');
    if (found.pkg.id !== packageId) throw emError('The assignment policy does not belong to the access package given.');
    const target = this.directory.get(targetId);
    if (!target || target.kind === 'group') throw notFound(targetId);
    for (const existing of this.assignments.values()) {
      if (
        existing.targetId === targetId &&
        existing.accessPackageId === packageId &&
        (existing.state === 'delivered' || existing.state === 'delivering')
      ) {
        throw emError('The target already has an active assignment for this access package.');
      }
    }
    const assignment: Assignment = {
      id: randomUUID(),
      accessPackageId: packageId,
      policyId,
      targetId,
      state: 'delivering',
      expired: null,
      seq: this.directory.nextSeq(),
    };
    this.assignments.set(assignment.id, assignment);
    this.assignmentOrder.add(assignment.id, assignment.seq);
    return this.record({
      id: randomUUID(),
      requestType: 'adminAdd',
      assignmentId: assignment.id,
      accessPackageId: packageId,
      targetId,
      justification,
      submittedAt: now,
    });
  }

  private submitRemove(input: Record<string, unknown>, justification: string | null, now: number): AssignmentRequest {
    const id = typeof input.id === 'string' ? input.id.toLowerCase() : '';
    const assignment = this.assignments.get(id);
    if (!assignment) throw notFound(id || 'assignment.id');
    if (assignment.state !== 'delivered') throw emError(`The assignment is ${assignment.state} and cannot be removed.`);
    return this.record({
      id: randomUUID(),
      requestType: 'adminRemove',
      assignmentId: assignment.id,
      accessPackageId: assignment.accessPackageId,
      targetId: assignment.targetId,
      justification,
      submittedAt: now,
    });
  }

  /** POST …/assignmentRequests/{id}/cancel: only while the request is still pending. */
  cancel(request: AssignmentRequest): void {
    if (request.state !== 'submitted') throw emError(`A request that is ${request.state} cannot be canceled.`);
    request.state = 'canceled';
    this.pending.delete(request.id);
    const assignment = this.assignments.get(request.assignmentId);
    if (assignment && request.requestType === 'adminAdd') {
      this.assignments.delete(assignment.id);
      this.assignmentOrder.delete(assignment.id);
    }
  }

  /** DELETE …/assignmentRequests/{id}: only requests in a final state. */
  deleteRequest(request: AssignmentRequest): void {
    if (request.state === 'submitted' || request.state === 'delivering') {
      throw emError(`A request that is ${request.state} cannot be deleted; cancel it first.`);
    }
    this.requests.delete(request.id);
    this.requestOrder.delete(request.id);
  }
}
