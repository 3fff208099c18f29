/** From `scimgateway.azureRelay.connectionUrl` to the addresses the listener uses. */

/** The addresses of one Hybrid Connection. */
export interface RelayAddress {
  /** `wss://<namespace>/$hc/<path>?sb-hc-action=listen`: the listener's control channel. */
  listenUri: string;
  /** `https://<namespace>/<path>`: what clients call, and the origin of `meta.location`. */
  origin: string;
  /** `/<path>`: the prefix of every request target the relay hands over. */
  pathPrefix: string;
  /** `<namespace>` (host, with a port only when one was given). */
  namespace: string;
}

/**
 * Parses `connectionUrl` (`https://<namespace>.servicebus.windows.net/<hybrid-connection>`).
 *
 * @throws Error naming `scimgateway.azureRelay.connectionUrl` for anything else
 */
export function relayAddress(connectionUrl: string): RelayAddress {
  let url: URL;
  try {
    url = new URL(connectionUrl);
  } catch {
    throw new Error('scimgateway.azureRelay.connectionUrl: must be an https:// URL');
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (url.protocol !== 'https:' || path === '' || url.search || url.hash || url.username || url.password)
    throw new Error(
      'scimgateway.azureRelay.connectionUrl: must be https://<namespace>.servicebus.windows.net/<hybrid-connection> (no query, fragment or credentials)',
    );
  // The namespace keeps an explicit port (an emulator's); Azure's is always 443 and left out.
  return {
    listenUri: `wss://${url.host}/$hc${path}?sb-hc-action=listen`,
    origin: `https://${url.host}${path}`,
    pathPrefix: path,
    namespace: url.host,
  };
}

/**
 * The request target as the gateway routes it: the Hybrid Connection's path taken off
 * (`/scim/Users?x` → `/Users?x`). Targets outside the prefix are left as they are (the pipeline
 * answers them 404).
 */
export function stripPrefix(target: string, prefix: string): string {
  if (target.length >= prefix.length && target.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) {
    const rest = target.slice(prefix.length);
    if (rest === '') return '/';
    if (rest[0] === '/') return rest;
    if (rest[0] === '?') return `/${rest}`;
  }
  return target;
}
