/** `/directoryObjects/{id}`, `/directoryObjects/getByIds`, `/subscribedSkus` and `/organization`. */
import { badRequest, notFound } from '../graph/errors.js';
import { PERMISSIONS } from '../graph/permissions.js';
import { json } from '../graph/types.js';
import { requireObject } from '../model/body.js';
import type { DirectoryObject } from '../model/directory.js';
import { isGuid } from '../model/references.js';
import { SUBSCRIBED_SKU, USER, GROUP, SERVICE_PRINCIPAL } from '../model/schema.js';
import { allowFilters } from '../odata/collection.js';
import { assertOnly } from '../odata/query-options.js';
import { type RouteDef, contextUrl, findObject, listed } from './context.js';
import { entityGet, entityList } from './entity-lists.js';
import { checkSelect, projectObject } from './shape.js';

const TYPES: Record<string, DirectoryObject['kind']> = { user: 'user', group: 'group', serviceprincipal: 'servicePrincipal' };

/** Routes of directoryObjects, SKUs and the organization. */
export const directoryObjectRoutes: RouteDef[] = [
  {
    method: 'GET',
    pattern: '/directoryObjects/{id}',
    permissions: PERMISSIONS.directoryObjectsRead,
    handle(ctx) {
      const options = ctx.options();
      assertOnly(options, ['select']);
      const select = checkSelect([USER, GROUP, SERVICE_PRINCIPAL], options.select, true);
      const object = findObject(ctx, ctx.params[0] as string);
      return json(200, { '@odata.context': contextUrl(ctx, 'directoryObjects/$entity'), ...projectObject(object, select) });
    },
  },
  {
    method: 'POST',
    pattern: '/directoryObjects/getByIds',
    permissions: PERMISSIONS.directoryObjectsRead,
    handle(ctx) {
      const body = requireObject(ctx.request.body);
      const ids = body.ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string')) {
        throw badRequest("Invalid value specified for property 'ids'.");
      }
      if (ids.length > 1000) throw badRequest('The ids parameter accepts at most 1000 ids.');
      let kinds: Set<DirectoryObject['kind']> | undefined;
      if (body.types !== undefined) {
        if (!Array.isArray(body.types)) throw badRequest("Invalid value specified for property 'types'.");
        kinds = new Set(
          body.types.map((t) => {
            const kind = typeof t === 'string' ? TYPES[t.toLowerCase().replace(/^microsoft\.graph\./, '')] : undefined;
            if (!kind) throw badRequest(`Invalid value specified for property 'types': '${String(t)}'.`);
            return kind;
          }),
        );
      }
      const select = checkSelect([USER, GROUP, SERVICE_PRINCIPAL], ctx.options().select, false);
      const value: Record<string, unknown>[] = [];
      for (const id of ids as string[]) {
        const object = isGuid(id) ? ctx.tenant.directory.get(id.toLowerCase()) : undefined;
        if (!object || !listed(ctx, object.id) || (kinds && !kinds.has(object.kind))) continue;
        value.push(projectObject(object, select));
      }
      return json(200, { '@odata.context': contextUrl(ctx, 'directoryObjects'), value });
    },
  },
  {
    method: 'GET',
    pattern: '/subscribedSkus',
    permissions: PERMISSIONS.skusRead,
    handle(ctx) {
      const { licenses } = ctx.tenant;
      const skus = [...licenses.skus.values()];
      return entityList(ctx, {
        type: SUBSCRIBED_SKU,
        entitySet: 'subscribedSkus',
        filters: allowFilters({}),
        *items(afterSeq) {
          for (const [index, sku] of skus.entries())
            if (index > afterSeq) yield { seq: index, record: licenses.toSubscribedSku(sku) };
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: '/subscribedSkus/{id}',
    permissions: PERMISSIONS.skusRead,
    handle(ctx) {
      const { licenses, tenantId } = ctx.tenant;
      const id = (ctx.params[0] as string).toLowerCase();
      const sku = [...licenses.skus.values()].find((s) => `${tenantId}_${s.skuId}` === id);
      if (!sku) throw notFound(ctx.params[0] as string);
      return entityGet(ctx, SUBSCRIBED_SKU, 'subscribedSkus', licenses.toSubscribedSku(sku));
    },
  },
  {
    method: 'GET',
    pattern: '/organization',
    permissions: PERMISSIONS.organizationRead,
    handle(ctx) {
      const { tenant } = ctx;
      return json(200, {
        '@odata.context': contextUrl(ctx, 'organization'),
        value: [
          {
            id: tenant.tenantId,
            displayName: 'Emulated tenant',
            tenantType: 'AAD',
            verifiedDomains: tenant.domainList.map((name, index) => ({
              capabilities: 'Email, OfficeCommunicationsOnline',
              isDefault: index === 0,
              isInitial: index === 0,
              name,
              type: 'Managed',
            })),
          },
        ],
      });
    },
  },
];
