/**
 * `active: false` is how identity providers take access away (Okta never deletes a user; Entra ID
 * disables before it deletes). A user map without a writable attribute for `active` (the OpenLDAP
 * preset: inetOrgPerson has none) leaves it out of the schemas the connector serves, and the core
 * answers such a deactivation 400 rather than dropping it (`@scimgw/core`, unknown attributes).
 * The start says so once, naming the map.
 */
import { formatConfigPath } from '@scimgw/config';
import type { Logger } from '@scimgw/core';
import type { LdapMapping } from './mapping.js';

/** Logs once, at start, that deactivations will be refused. */
export function warnIfNoDeactivation(users: LdapMapping, mapPath: readonly (string | number)[], log: Logger): void {
  if (users.canWrite('active')) return;
  log.warn(
    `ldap: ${formatConfigPath([...mapPath, 'user'])} maps no writable attribute to "active": a write that disables a user (active false, as Okta and Entra ID deprovision) will be answered 400`,
  );
}
