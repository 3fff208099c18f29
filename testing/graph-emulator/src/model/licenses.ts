/** Subscribed SKUs and per-user license assignment (assignLicense, licenseDetails). */
import { badRequest, echo } from '../graph/errors.js';
import { requireObject } from './body.js';
import type { Directory, UserObject } from './directory.js';
import { isGuid } from './references.js';

/** A service plan inside a SKU. */
export interface ServicePlan {
  readonly servicePlanId: string;
  readonly servicePlanName: string;
  readonly appliesTo?: string;
}

/** A SKU the tenant has bought, given to {@link startGraphEmulator} as `skus`. */
export interface SkuSeed {
  readonly skuId: string;
  readonly skuPartNumber: string;
  /** Licenses bought (prepaidUnits.enabled); default 25. */
  readonly enabledUnits?: number;
  readonly servicePlans?: readonly ServicePlan[];
}

interface Sku extends Required<SkuSeed> {
  consumed: number;
}

function guidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

/** The tenant's licenses. */
export class Licenses {
  readonly skus = new Map<string, Sku>();

  constructor(
    private readonly tenantId: string,
    seeds: readonly SkuSeed[],
  ) {
    for (const seed of seeds) {
      if (!isGuid(seed.skuId)) throw new Error(`skuId must be a GUID: ${seed.skuId}`);
      this.skus.set(seed.skuId.toLowerCase(), {
        skuId: seed.skuId.toLowerCase(),
        skuPartNumber: seed.skuPartNumber,
        enabledUnits: seed.enabledUnits ?? 25,
        servicePlans: (seed.servicePlans ?? []).map((p) => ({ ...p, servicePlanId: p.servicePlanId.toLowerCase() })),
        consumed: 0,
      });
    }
  }

  /** The subscribedSku resource for one SKU. */
  toSubscribedSku(sku: Sku): Record<string, unknown> {
    return {
      id: `${this.tenantId}_${sku.skuId}`,
      accountId: this.tenantId,
      accountName: 'Emulated tenant',
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: sku.consumed,
      prepaidUnits: { enabled: sku.enabledUnits, lockedOut: 0, suspended: 0, warning: 0 },
      servicePlans: sku.servicePlans.map((p) => ({ appliesTo: 'User', provisioningStatus: 'Success', ...p })),
      skuId: sku.skuId,
      skuPartNumber: sku.skuPartNumber,
      subscriptionIds: [],
    };
  }

  /** licenseDetails of a user. */
  details(user: UserObject): Record<string, unknown>[] {
    const assigned = (user.data.assignedLicenses as Array<{ skuId: string; disabledPlans: string[] }> | undefined) ?? [];
    return assigned.map(({ skuId, disabledPlans }) => {
      const sku = this.skus.get(skuId);
      return {
        id: Buffer.concat([guidBytes(user.id), guidBytes(skuId)]).toString('base64url'),
        skuId,
        skuPartNumber: sku?.skuPartNumber ?? null,
        servicePlans: (sku?.servicePlans ?? []).map((p) => ({
          servicePlanId: p.servicePlanId,
          servicePlanName: p.servicePlanName,
          provisioningStatus: disabledPlans.includes(p.servicePlanId) ? 'Disabled' : 'Success',
          appliesTo: p.appliesTo ?? 'User',
        })),
      };
    });
  }

  /** Applies a POST /users/{id}/assignLicense body. */
  assign(directory: Directory, user: UserObject, body: unknown, now: number): void {
    const input = requireObject(body);
    const add = input.addLicenses;
    const remove = input.removeLicenses;
    if (!Array.isArray(add)) throw badRequest("Invalid value specified for property 'addLicenses' of resource 'User'.");
    if (!Array.isArray(remove)) throw badRequest("Invalid value specified for property 'removeLicenses' of resource 'User'.");
    if (add.length + remove.length > 100) throw badRequest('Too many licenses in one request.');
    const current = new Map(
      ((user.data.assignedLicenses as Array<{ skuId: string; disabledPlans: string[] }> | undefined) ?? []).map((l) => [
        l.skuId,
        l,
      ]),
    );
    const removeIds = remove.map((id) => {
      if (typeof id !== 'string' || !isGuid(id))
        throw badRequest(`Invalid value specified for property 'removeLicenses' of resource 'User'.`);
      const lowerId = id.toLowerCase();
      if (!current.has(lowerId)) throw badRequest('User does not have a corresponding license.');
      return lowerId;
    });
    const adds = add.map((entry) => {
      const license = requireObject(entry);
      const skuId = typeof license.skuId === 'string' ? license.skuId.toLowerCase() : '';
      const sku = this.skus.get(skuId);
      if (!sku) throw badRequest(`License ${echo(String(license.skuId))} does not correspond to a valid company License.`);
      const disabled = license.disabledPlans ?? [];
      if (
        !Array.isArray(disabled) ||
        disabled.some((p) => typeof p !== 'string' || !sku.servicePlans.some((s) => s.servicePlanId === p.toLowerCase()))
      ) {
        throw badRequest(`Invalid value specified for property 'disabledPlans' of resource 'User'.`);
      }
      if (removeIds.includes(skuId)) throw badRequest('A license cannot be added and removed in the same request.');
      return { sku, disabledPlans: (disabled as string[]).map((p) => p.toLowerCase()) };
    });
    if (adds.length > 0 && typeof user.data.usageLocation !== 'string') {
      throw badRequest('License assignment cannot be done for user with invalid usage location.');
    }
    for (const { sku } of adds) {
      if (!current.has(sku.skuId) && sku.consumed >= sku.enabledUnits) {
        throw badRequest(`Subscription with SKU ${sku.skuId} does not have any available licenses.`);
      }
    }
    for (const skuId of removeIds) {
      current.delete(skuId);
      const sku = this.skus.get(skuId);
      if (sku) sku.consumed--;
    }
    for (const { sku, disabledPlans } of adds) {
      if (!current.has(sku.skuId)) sku.consumed++;
      current.set(sku.skuId, { skuId: sku.skuId, disabledPlans });
    }
    const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const licenses = [...current.values()];
    const plans = licenses.flatMap((l) =>
      (this.skus.get(l.skuId)?.servicePlans ?? [])
        .filter((p) => !l.disabledPlans.includes(p.servicePlanId))
        .map((p) => ({
          assignedDateTime: stamp,
          capabilityStatus: 'Enabled',
          service: p.servicePlanName,
          servicePlanId: p.servicePlanId,
        })),
    );
    directory.update(
      user,
      new Map<string, unknown>([
        ['assignedLicenses', licenses],
        ['assignedPlans', plans],
      ]),
    );
  }

  /** Gives back the units of a deleted user. */
  release(user: UserObject): void {
    for (const license of (user.data.assignedLicenses as Array<{ skuId: string }> | undefined) ?? []) {
      const sku = this.skus.get(license.skuId);
      if (sku) sku.consumed--;
    }
  }
}
