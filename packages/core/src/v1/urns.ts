/** SCIM 1.1 URNs and their 2.0 counterparts. */
import { URN } from '../schema/urns.js';

export const V1 = {
  Core: 'urn:scim:schemas:core:1.0',
  EnterpriseUser: 'urn:scim:schemas:extension:enterprise:1.0',
} as const;

/** 2.0 extension URN → 1.1 URN (lower-cased keys). */
export const V2_TO_V1: Readonly<Record<string, string>> = {
  [URN.EnterpriseUser.toLowerCase()]: V1.EnterpriseUser,
};
