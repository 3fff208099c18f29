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

/** The tenants of `endpoint.entity` whose connection forwards the caller's credentials, and the others. */
function forwardingTenants(endpoint: Json): { forwarding: string[]; own: string[] } {
  const forwarding: string[] = [];
  const own: string[] = [];
  if (!isJson(endpoint.entity)) return { forwarding, own };
  for (const [key, e] of Object.entries(endpoint.entity)) {
    const passes = isJson(e) && isJson(e.connection) && isJson(e.connection.auth) && e.connection.auth.type === 'passThrough';
    (passes ? forwarding : own).push(key === 'undefined' ? 'the default tenant' : `"${key}"`);
  }
  return { forwarding, own };
}

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
  const tenants = forwardingTenants(endpoint);
  if (FORWARDING.has(connector) && tenants.forwarding.length > 0) {
    // The older product let such a credential in on every tenant, served on the others with their
    // own account; scimgw refuses it there.
    const others =
      tenants.own.length === 0
        ? ''
        : `; on ${tenants.own.join(', ')} (signed in with the connection's own credentials) a credential the gateway does not know now gets 401 instead of being served with that account`;
    return [
      {
        path,
        status: 'mapped',
        note: `kept: ${tenants.forwarding.join(', ')} ${tenants.forwarding.length === 1 ? 'forwards' : 'forward'} the caller's credentials (auth.type passThrough)${others}`,
      },
    ];
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
