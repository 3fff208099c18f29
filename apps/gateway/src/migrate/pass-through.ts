/**
 * `scimgateway.auth.passThrough` of an older file, for the connector that takes over. The older
 * MongoDB plugin opened MongoDB with the caller's credentials: the MongoDB connector does the same
 * with `endpoint.passThrough.enabled`. The generic, SOAP and API connectors forward the caller's
 * credentials on connections with `auth.type` `passThrough`. A connector that checks none would let
 * any credential in, so scimgw refuses to start with pass-through on: it is turned off, and said so.
 * A custom plugin decides itself (`authPassThroughAllowed`), at start.
 */
import type { ReportEntry } from './report.js';
import { isJson, type Json } from './tree.js';

/** Connectors that forward the caller's credentials on connections configured to. */
const FORWARDING = new Set(['@scimgw/connector-generic', '@scimgw/connector-soap', '@scimgw/connector-api']);

const forwardsOnSomeConnection = (endpoint: Json): boolean =>
  isJson(endpoint.entity) &&
  Object.values(endpoint.entity).some(
    (e) => isJson(e) && isJson(e.connection) && isJson(e.connection.auth) && e.connection.auth.type === 'passThrough',
  );

/**
 * Reconciles pass-through between the migrated sections (changing them in place) and reports it.
 * `connector` is the package taking over; `undefined` for a custom plugin.
 */
export function reconcilePassThrough(gateway: Json, endpoint: Json, connector: string | undefined): ReportEntry[] {
  const auth = gateway.auth;
  const pt = isJson(auth) ? auth.passThrough : undefined;
  if (!isJson(pt) || pt.enabled !== true) return [];
  const path = 'scimgateway.auth.passThrough.enabled';
  if (connector === undefined) {
    return [
      {
        path,
        status: 'mapped',
        note: 'kept: the plugin must set scimgateway.authPassThroughAllowed = true, or scimgw refuses to start with pass-through on',
      },
    ];
  }
  if (connector === '@scimgw/connector-mongodb') {
    endpoint.passThrough = { ...(isJson(endpoint.passThrough) ? endpoint.passThrough : {}), enabled: true };
    return [
      {
        path: 'endpoint.passThrough.enabled',
        status: 'mapped',
        note: "set: the older MongoDB plugin opened MongoDB with the caller's credentials, and so does this connector with it",
      },
    ];
  }
  if (FORWARDING.has(connector) && forwardsOnSomeConnection(endpoint)) {
    return [{ path, status: 'mapped', note: "kept: connections with auth.type passThrough forward the caller's credentials" }];
  }
  pt.enabled = false;
  const why = FORWARDING.has(connector)
    ? 'no connection of this endpoint has auth.type passThrough, so nothing would check a passed-through credential'
    : `${connector} does not check passed-through credentials`;
  return [
    {
      path,
      status: 'dropped',
      note: `turned off: ${why}, and scimgw refuses to start when pass-through would let any credential in`,
    },
  ];
}
