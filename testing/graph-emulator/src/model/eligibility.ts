/**
 * Privileged Identity Management for directory roles: eligibility schedule requests
 * (`adminAssign`, `adminUpdate`, `adminRemove` …), the schedules they create and the
 * instances that are in effect now (computed from the schedules at read time).
 */
import { randomUUID } from 'node:crypto';
import { GraphError, badRequest } from '../graph/errors.js';
import { requireObject } from './body.js';
import type { Directory } from './directory.js';
import { OrderedIds } from './ordered-ids.js';
import type { Roles } from './roles.js';

const ACTIONS = new Set([
  'adminAssign',
  'adminUpdate',
  'adminRemove',
  'selfActivate',
  'selfDeactivate',
  'adminExtend',
  'adminRenew',
  'selfExtend',
  'selfRenew',
]);
const FIELDS = new Set([
  '@odata.type',
  'action',
  'principalId',
  'roleDefinitionId',
  'directoryScopeId',
  'appScopeId',
  'justification',
  'scheduleInfo',
  'ticketInfo',
  'isValidationOnly',
  'targetScheduleId',
]);

interface Expiration {
  type: 'noExpiration' | 'afterDateTime' | 'afterDuration' | 'notSpecified';
  endDateTime: string | null;
  duration: string | null;
}

/** A stored eligibility schedule. */
export interface EligibilitySchedule {
  readonly id: string;
  readonly principalId: string;
  readonly roleDefinitionId: string;
  readonly directoryScopeId: string;
  readonly createdDateTime: string;
  modifiedDateTime: string;
  createdUsing: string;
  start: number;
  end: number | undefined;
  expiration: Expiration;
  readonly seq: number;
}

/** A stored eligibility schedule request. */
export interface EligibilityRequest {
  readonly json: Record<string, unknown>;
  readonly seq: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Milliseconds of an ISO 8601 duration such as `PT8H` or `P365D`. */
export function durationMs(duration: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) return undefined;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000;
}

function pimError(code: string, message: string): GraphError {
  return new GraphError(400, code, message);
}

function parseSchedule(raw: unknown, now: number): { start: number; end: number | undefined; expiration: Expiration } {
  const info = raw === undefined || raw === null ? {} : requireObject(raw);
  const start = info.startDateTime === undefined || info.startDateTime === null ? now : Date.parse(String(info.startDateTime));
  if (Number.isNaN(start)) throw badRequest("Invalid value specified for property 'scheduleInfo.startDateTime'.");
  const exp =
    info.expiration === undefined || info.expiration === null ? { type: 'noExpiration' } : requireObject(info.expiration);
  const type = String(exp.type ?? 'notSpecified');
  if (type === 'noExpiration' || type === 'notSpecified') {
    return { start, end: undefined, expiration: { type: 'noExpiration', endDateTime: null, duration: null } };
  }
  if (type === 'afterDateTime') {
    const end = Date.parse(String(exp.endDateTime));
    if (Number.isNaN(end) || end <= start)
      throw pimError('InvalidScheduleInfo', 'The expiration end date time must be after the start date time.');
    return { start, end, expiration: { type, endDateTime: iso(end), duration: null } };
  }
  if (type === 'afterDuration') {
    const ms = typeof exp.duration === 'string' ? durationMs(exp.duration) : undefined;
    if (!ms) throw pimError('InvalidScheduleInfo', 'The expiration duration is not a valid ISO 8601 duration.');
    return { start, end: start + ms, expiration: { type, endDateTime: null, duration: exp.duration as string } };
  }
  throw badRequest("Invalid value specified for property 'scheduleInfo.expiration.type'.");
}

function ticketInfo(raw: unknown): Record<string, string | null> {
  const info = raw === undefined || raw === null ? {} : requireObject(raw);
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { ticketNumber: text(info.ticketNumber), ticketSystem: text(info.ticketSystem) };
}

/** Eligibility requests and schedules of one tenant. */
export class Eligibility {
  readonly requests = new Map<string, EligibilityRequest>();
  readonly requestOrder = new OrderedIds();
  readonly schedules = new Map<string, EligibilitySchedule>();
  readonly scheduleOrder = new OrderedIds();

  constructor(
    private readonly directory: Directory,
    private readonly roles: Roles,
  ) {}

  private find(principalId: string, roleDefinitionId: string, directoryScopeId: string): EligibilitySchedule | undefined {
    for (const schedule of this.schedules.values()) {
      if (
        schedule.principalId === principalId &&
        schedule.roleDefinitionId === roleDefinitionId &&
        schedule.directoryScopeId === directoryScopeId
      ) {
        return schedule;
      }
    }
    return undefined;
  }

  scheduleJson(schedule: EligibilitySchedule): Record<string, unknown> {
    return {
      id: schedule.id,
      principalId: schedule.principalId,
      roleDefinitionId: schedule.roleDefinitionId,
      directoryScopeId: schedule.directoryScopeId,
      appScopeId: null,
      createdDateTime: schedule.createdDateTime,
      modifiedDateTime: schedule.modifiedDateTime,
      createdUsing: schedule.createdUsing,
      status: 'Provisioned',
      memberType: 'Direct',
      scheduleInfo: { startDateTime: iso(schedule.start), recurrence: null, expiration: schedule.expiration },
    };
  }

  /** Instances in effect at `now`: one per schedule whose window contains `now`. */
  instances(now: number): Array<{ json: Record<string, unknown>; seq: number }> {
    const result: Array<{ json: Record<string, unknown>; seq: number }> = [];
    for (const { id } of this.scheduleOrder.after()) {
      const schedule = this.schedules.get(id);
      if (!schedule || schedule.start > now || (schedule.end !== undefined && schedule.end <= now)) continue;
      result.push({
        seq: schedule.seq,
        json: {
          id: schedule.id,
          principalId: schedule.principalId,
          roleDefinitionId: schedule.roleDefinitionId,
          directoryScopeId: schedule.directoryScopeId,
          appScopeId: null,
          startDateTime: iso(schedule.start),
          endDateTime: schedule.end === undefined ? null : iso(schedule.end),
          memberType: 'Direct',
          roleEligibilityScheduleId: schedule.id,
        },
      });
    }
    return result;
  }

  /** Applies POST /roleManagement/directory/roleEligibilityScheduleRequests. */
  submit(body: unknown, now: number, caller: { appId: string; displayName: string }): EligibilityRequest {
    const input = requireObject(body);
    for (const key of Object.keys(input)) {
      if (!FIELDS.has(key)) throw badRequest(`Property '${key}' does not exist as a declared property or extension property.`);
    }
    const action = String(input.action ?? '');
    if (!ACTIONS.has(action)) throw badRequest("Invalid value specified for property 'action'.");
    if (action.startsWith('self')) {
      throw pimError(
        'InvalidActionForApplication',
        `The action '${action}' needs a signed-in user; an application can only use admin actions.`,
      );
    }
    const principalId = this.roles.checkPrincipal(input.principalId);
    const roleDefinitionId = this.roles.checkDefinition(input.roleDefinitionId);
    const directoryScopeId = typeof input.directoryScopeId === 'string' ? input.directoryScopeId : '/';
    if (!directoryScopeId.startsWith('/')) throw badRequest("Invalid value specified for property 'directoryScopeId'.");
    const existing = this.find(principalId, roleDefinitionId, directoryScopeId);
    const validationOnly = input.isValidationOnly === true;
    const schedule = action === 'adminRemove' ? undefined : parseSchedule(input.scheduleInfo, now);
    if (action === 'adminAssign' && existing) throw pimError('RoleAssignmentExists', 'The Role assignment already exists.');
    if (action !== 'adminAssign' && !existing)
      throw pimError('RoleAssignmentDoesNotExist', 'The Role assignment does not exist.');
    const id = randomUUID();
    let targetScheduleId = existing?.id ?? null;
    let status = action === 'adminRemove' ? 'Revoked' : 'Provisioned';
    if (!validationOnly) {
      if (action === 'adminAssign' && schedule) {
        const created: EligibilitySchedule = {
          id: randomUUID(),
          principalId,
          roleDefinitionId,
          directoryScopeId,
          createdDateTime: iso(now),
          modifiedDateTime: iso(now),
          createdUsing: id,
          ...schedule,
          seq: this.directory.nextSeq(),
        };
        this.schedules.set(created.id, created);
        this.scheduleOrder.add(created.id, created.seq);
        targetScheduleId = created.id;
        if (schedule.start > now) status = 'Granted';
      } else if (action === 'adminRemove' && existing) {
        this.schedules.delete(existing.id);
        this.scheduleOrder.delete(existing.id);
      } else if (existing && schedule) {
        Object.assign(existing, schedule, { modifiedDateTime: iso(now), createdUsing: id });
      }
    }
    const json: Record<string, unknown> = {
      id,
      status,
      action,
      principalId,
      roleDefinitionId,
      directoryScopeId,
      appScopeId: null,
      isValidationOnly: validationOnly,
      targetScheduleId,
      justification: typeof input.justification === 'string' ? input.justification : null,
      createdDateTime: iso(now),
      completedDateTime: iso(now),
      approvalId: null,
      customData: null,
      createdBy: { application: { id: caller.appId, displayName: caller.displayName }, device: null, user: null },
      scheduleInfo: schedule ? { startDateTime: iso(schedule.start), recurrence: null, expiration: schedule.expiration } : null,
      ticketInfo: ticketInfo(input.ticketInfo),
    };
    const request = { json, seq: this.directory.nextSeq() };
    this.requests.set(id, request);
    this.requestOrder.add(id, request.seq);
    return request;
  }

  /** Drops the schedules of a deleted principal. */
  forgetPrincipal(principalId: string): void {
    for (const schedule of [...this.schedules.values()]) {
      if (schedule.principalId !== principalId) continue;
      this.schedules.delete(schedule.id);
      this.scheduleOrder.delete(schedule.id);
    }
  }
}
