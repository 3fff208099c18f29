/** PIM for directory roles: roleEligibilityScheduleRequests, roleEligibilitySchedules, roleEligibilityScheduleInstances. */
import { notFound } from '../graph/errors.js';
import { PERMISSIONS } from '../graph/permissions.js';
import { json } from '../graph/types.js';
import { ELIGIBILITY_INSTANCE, ELIGIBILITY_REQUEST, ELIGIBILITY_SCHEDULE } from '../model/schema.js';
import { allowFilters } from '../odata/collection.js';
import { type RouteDef, contextUrl } from './context.js';
import { entityGet, entityList } from './entity-lists.js';

const BASE = '/roleManagement/directory';
const FILTERS = allowFilters({
  id: 'eq',
  principalId: 'eq in',
  roleDefinitionId: 'eq in',
  directoryScopeId: 'eq',
  status: 'eq ne',
  action: 'eq',
  memberType: 'eq',
});

/** Routes of role eligibility. */
export const eligibilityRoutes: RouteDef[] = [
  {
    method: 'POST',
    pattern: `${BASE}/roleEligibilityScheduleRequests`,
    permissions: PERMISSIONS.eligibilityWrite,
    handle(ctx) {
      const request = ctx.tenant.eligibility.submit(ctx.request.body, ctx.now, ctx.caller);
      return json(201, {
        '@odata.context': contextUrl(ctx, 'roleManagement/directory/roleEligibilityScheduleRequests/$entity'),
        ...request.json,
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleEligibilityScheduleRequests`,
    permissions: PERMISSIONS.eligibilityRead,
    handle(ctx) {
      const { eligibility } = ctx.tenant;
      return entityList(ctx, {
        type: ELIGIBILITY_REQUEST,
        entitySet: 'roleManagement/directory/roleEligibilityScheduleRequests',
        filters: FILTERS,
        *items(afterSeq) {
          for (const { id, seq } of eligibility.requestOrder.after(afterSeq)) {
            const request = eligibility.requests.get(id);
            if (request) yield { seq, record: request.json };
          }
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleEligibilityScheduleRequests/{id}`,
    permissions: PERMISSIONS.eligibilityRead,
    handle(ctx) {
      const request = ctx.tenant.eligibility.requests.get((ctx.params[0] as string).toLowerCase());
      if (!request) throw notFound(ctx.params[0] as string);
      return entityGet(ctx, ELIGIBILITY_REQUEST, 'roleManagement/directory/roleEligibilityScheduleRequests', request.json);
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleEligibilitySchedules`,
    permissions: PERMISSIONS.eligibilityRead,
    handle(ctx) {
      const { eligibility } = ctx.tenant;
      return entityList(ctx, {
        type: ELIGIBILITY_SCHEDULE,
        entitySet: 'roleManagement/directory/roleEligibilitySchedules',
        filters: FILTERS,
        *items(afterSeq) {
          for (const { id, seq } of eligibility.scheduleOrder.after(afterSeq)) {
            const schedule = eligibility.schedules.get(id);
            if (schedule) yield { seq, record: eligibility.scheduleJson(schedule) };
          }
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleEligibilitySchedules/{id}`,
    permissions: PERMISSIONS.eligibilityRead,
    handle(ctx) {
      const { eligibility } = ctx.tenant;
      const schedule = eligibility.schedules.get((ctx.params[0] as string).toLowerCase());
      if (!schedule) throw notFound(ctx.params[0] as string);
      return entityGet(
        ctx,
        ELIGIBILITY_SCHEDULE,
        'roleManagement/directory/roleEligibilitySchedules',
        eligibility.scheduleJson(schedule),
      );
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleEligibilityScheduleInstances`,
    permissions: PERMISSIONS.eligibilityRead,
    handle(ctx) {
      const instances = ctx.tenant.eligibility.instances(ctx.now);
      return entityList(ctx, {
        type: ELIGIBILITY_INSTANCE,
        entitySet: 'roleManagement/directory/roleEligibilityScheduleInstances',
        filters: FILTERS,
        *items(afterSeq) {
          for (const instance of instances) if (instance.seq > afterSeq) yield { seq: instance.seq, record: instance.json };
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/roleEligibilityScheduleInstances/{id}`,
    permissions: PERMISSIONS.eligibilityRead,
    handle(ctx) {
      const id = (ctx.params[0] as string).toLowerCase();
      const instance = ctx.tenant.eligibility.instances(ctx.now).find((i) => i.json.id === id);
      if (!instance) throw notFound(ctx.params[0] as string);
      return entityGet(ctx, ELIGIBILITY_INSTANCE, 'roleManagement/directory/roleEligibilityScheduleInstances', instance.json);
    },
  },
];
