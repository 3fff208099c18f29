/**
 * Token endpoint errors in the identity platform's shape: `error`, `error_description`
 * starting with an AADSTS code and ending with trace/correlation ids and a timestamp,
 * `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`.
 */
import { randomUUID } from 'node:crypto';

/** A token endpoint failure. */
export class AadError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly aadsts: number,
    readonly description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
    this.name = 'AadError';
  }
}

function stamp(now: number): string {
  return new Date(now)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** The JSON body for an {@link AadError}. */
export function aadErrorBody(error: AadError, correlationId: string, loginHost: string, now: number): Record<string, unknown> {
  const traceId = randomUUID();
  const timestamp = stamp(now);
  return {
    error: error.error,
    error_description: `${error.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [error.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://${loginHost}/error?code=${error.aadsts}`,
  };
}

/** Client-supplied text in a message is cut short, so an error never mirrors a huge input. */
function cut(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

/** Failures by name, so callers do not repeat codes and wording. */
export const aad = {
  missing: (parameter: string) =>
    new AadError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${parameter}'.`),
  tenantNotFound: (tenant: string) =>
    new AadError(
      400,
      'invalid_request',
      90002,
      `Tenant '${cut(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    ),
  noTenant: () =>
    new AadError(
      400,
      'invalid_request',
      50059,
      'No tenant-identifying information found in either the request or implied by any provided credentials.',
    ),
  unsupportedGrant: () => new AadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'),
  unknownApp: (clientId: string, tenant: string) =>
    new AadError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${cut(clientId)}' was not found in the directory '${cut(tenant)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  badScope: (scope: string) =>
    new AadError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${cut(scope)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  unknownResource: (resource: string, tenant: string) =>
    new AadError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${cut(resource)} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  noCredential: () =>
    new AadError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  twoCredentials: () =>
    new AadError(400, 'invalid_request', 90023, 'A request may present either a client secret or a client assertion, not both.'),
  badSecret: (clientId: string) =>
    new AadError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  assertionType: () =>
    new AadError(
      400,
      'invalid_request',
      700011,
      "The client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
    ),
  malformedAssertion: () => new AadError(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.'),
  assertionClientMismatch: () =>
    new AadError(401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter."),
  certificateNotFound: (thumbprint: string) =>
    new AadError(
      401,
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${cut(thumbprint)}']`,
    ),
  badAssertionSignature: () =>
    new AadError(
      401,
      'invalid_client',
      700027,
      'Client assertion contains an invalid signature. [Reason - The key was found, but use of the key to verify the signature failed.]',
    ),
  assertionAudience: () =>
    new AadError(401, 'invalid_client', 700023, 'Client assertion audience claim does not match Realm issuer.'),
  assertionTime: (now: number, nbf: unknown, exp: unknown) =>
    new AadError(
      401,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}, assertion valid from ${typeof nbf === 'number' ? new Date(nbf * 1000).toISOString() : 'unspecified'}, expiry time of assertion ${typeof exp === 'number' ? new Date(exp * 1000).toISOString() : 'unspecified'}.`,
    ),
  assertionReplay: () =>
    new AadError(401, 'invalid_client', 7000276, 'The client assertion was already used (its jti has been seen before).'),
  federatedIssuer: (issuer: string) =>
    new AadError(
      400,
      'invalid_request',
      700211,
      `No matching federated identity record found for presented assertion issuer '${cut(issuer)}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    ),
  federatedAudience: (audience: string) =>
    new AadError(
      400,
      'invalid_request',
      700212,
      `No matching federated identity record found for presented assertion audience '${cut(audience)}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    ),
  federatedSubject: (subject: string) =>
    new AadError(
      400,
      'invalid_request',
      700213,
      `No matching federated identity record found for presented assertion subject '${cut(subject)}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    ),
  issuerUnreachable: () => new AadError(400, 'invalid_request', 50166, 'Request to External OIDC endpoint failed.'),
  federatedSignature: (reason: string) =>
    new AadError(400, 'invalid_request', 50013, `Assertion failed signature validation. [Reason - ${reason}]`),
};
