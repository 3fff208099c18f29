/**
 * Discovery documents of the identity platform v2.0: OpenID Connect metadata per tenant,
 * the instance discovery answer MSAL asks for, and the signing keys (JWKS).
 */
import { CLOUDS, type CloudDefinition } from '../clouds.js';

/** The issuer host for a request: the canonical login host when a cloud alias was used. */
export function issuerHost(cloud: CloudDefinition, requestHost: string): string {
  const name = requestHost.replace(/:\d+$/, '').toLowerCase();
  return cloud.loginHosts.includes(name) ? (cloud.loginHosts[0] as string) : requestHost;
}

/** `/{tenant}/v2.0/.well-known/openid-configuration`. */
export function openIdConfiguration(cloud: CloudDefinition, requestHost: string, tenantId: string): Record<string, unknown> {
  const base = `https://${requestHost}/${tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `https://${requestHost}/${tenantId}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `https://${issuerHost(cloud, requestHost)}/${tenantId}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `https://${cloud.graphHosts[0]?.host}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid', 'email'],
    tenant_region_scope: 'EU',
    cloud_instance_name: cloud.loginHosts[0]?.replace(/^login\./, ''),
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: cloud.graphHosts[0]?.host,
  };
}

/** `/common/discovery/instance`: alias groups of every cloud, plus the requested host. */
export function instanceDiscovery(requestHost: string): Record<string, unknown> {
  const metadata = Object.values(CLOUDS).map((cloud) => ({
    preferred_network: cloud.loginHosts[0],
    preferred_cache: cloud.loginHosts[0],
    aliases: [...cloud.loginHosts],
  }));
  const known = Object.values(CLOUDS).some((c) => c.loginHosts.includes(requestHost.replace(/:\d+$/, '')));
  if (!known) metadata.push({ preferred_network: requestHost, preferred_cache: requestHost, aliases: [requestHost] });
  return {
    tenant_discovery_endpoint: `https://${requestHost}/common/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata,
  };
}
