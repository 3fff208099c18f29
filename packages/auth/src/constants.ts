/**
 * Constants of the JWT and OAuth methods, kept apart from their modules so that
 * importing them does not load `jose` (those modules load lazily).
 */

/** Audience (application id) of the Microsoft Entra ID provisioning service. */
export const ENTRA_PROVISIONING_AUDIENCE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

/** Issuers an Entra ID tenant signs tokens as: v1 (`sts.windows.net`) and v2. */
export function entraIssuers(tenantId: string): string[] {
  return [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`];
}

/** `iss` of tokens this package issues. */
export const OAUTH_ISSUER = 'urn:scimgw:oauth';
/** `aud` of tokens this package issues. */
export const OAUTH_AUDIENCE = 'urn:scimgw';
