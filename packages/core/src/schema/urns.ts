/** Schema URNs (RFC 7643 §8.7) and aliases real clients send instead. */
export const URN = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  EnterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  Role: 'urn:ietf:params:scim:schemas:core:2.0:Role',
  Entitlement: 'urn:ietf:params:scim:schemas:core:2.0:Entitlement',
  ListResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  PatchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  SearchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  BulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  BulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  Error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  ServiceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  ResourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  Schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** Alias target meaning "the core schema of the resource type at hand". */
export const CORE_ALIAS = '#core';

/**
 * Non-standard schema URNs seen from real clients, mapped (lower-cased) to the
 * standard ones. OneLogin sends `urn:scim:schemas:core:2.0`; SCIM 1.1 clients
 * send `urn:scim:schemas:core:1.0`.
 */
export const URN_ALIASES: Readonly<Record<string, string>> = {
  'urn:scim:schemas:core:2.0': CORE_ALIAS,
  'urn:scim:schemas:core:2.0:user': URN.User,
  'urn:scim:schemas:core:2.0:group': URN.Group,
  'urn:scim:schemas:extension:enterprise:2.0': URN.EnterpriseUser,
  'urn:scim:schemas:extension:enterprise:2.0:user': URN.EnterpriseUser,
  'urn:scim:schemas:core:1.0': CORE_ALIAS,
  'urn:scim:schemas:extension:enterprise:1.0': URN.EnterpriseUser,
};
