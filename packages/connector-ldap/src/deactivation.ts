/**
 * `active: false` is how identity providers take access away (Okta never deletes a user; Entra ID
 * disables before it deletes). A directory whose user mapping has no writable attribute for `active`
 * (the OpenLDAP preset: inetOrgPerson has none) cannot store it, and the mapper drops what it has
 * no attribute for: the client heard 200 and the account stayed usable. Such a write is refused
 * instead, naming the setting to change; `active: true` (the state every entry is in) is accepted.
 */
import { formatConfigPath } from '@scimgw/config';
import { errors, type Logger } from '@scimgw/core';
import type { LdapMapping } from './mapping.js';

function where(mapPath: readonly (string | number)[]): string {
  return formatConfigPath([...mapPath, 'user']);
}

/**
 * @param active - the `active` the write asks for
 * @param current - the entry's `active` as read, where there is an entry (already disabled: nothing to write)
 * @throws InvalidValueError when `active` is `false` and the mapping cannot store it
 */
export function assertCanDeactivate(
  users: LdapMapping,
  mapPath: readonly (string | number)[],
  active: unknown,
  current?: () => unknown,
): void {
  if (active !== false || users.canWrite('active') || current?.() === false) return;
  throw new errors.InvalidValueError(
    `active: ${where(mapPath)} maps no writable LDAP attribute to "active", so this directory cannot disable the user and it would stay enabled; map one (see "Disabling users" in the LDAP connector guide)`,
  );
}

/** Logs once, at start, that deactivations will be refused. */
export function warnIfNoDeactivation(users: LdapMapping, mapPath: readonly (string | number)[], log: Logger): void {
  if (users.canWrite('active')) return;
  log.warn(
    `ldap: ${where(mapPath)} maps no writable attribute to "active": a write that disables a user (active false, as Okta and Entra ID deprovision) will be answered 400`,
  );
}
