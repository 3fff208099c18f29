/**
 * Setting passwords. Active Directory: `unicodePwd` (quoted UTF-16LE) over an
 * encrypted connection only, as an administrator reset. Other directories:
 * the Password Modify extended operation when offered (the server hashes),
 * else a plain replace of the mapped attribute. Passwords are never read,
 * logged or returned.
 */
import { randomBytes } from 'node:crypto';
import { type Change, errors } from '@scimgw/core';
import { assertPasswordTransport, encodeUnicodePwd, unicodePwdChanges } from './ad/password.js';
import type { LdapValue } from './codec.js';
import { type Modification, PASSWORD_MODIFY_OID } from './directory.js';
import type { Tenant } from './tenant.js';

/** Splits `password` changes off a change list; `password` is the last value set. */
export function splitPassword(changes: Change[]): { password: string | undefined; rest: Change[] } {
  let password: string | undefined;
  const rest: Change[] = [];
  for (const ch of changes) {
    if (ch.path.attr.toLowerCase() === 'password' && !ch.path.extension) {
      if (ch.op === 'remove') continue; // a password cannot be "removed"; ignore as RFC 7643 allows
      if (typeof ch.value !== 'string' || ch.value === '')
        throw new errors.InvalidValueError('password must be a non-empty string');
      password = ch.value;
    } else rest.push(ch);
  }
  return { password, rest };
}

/**
 * A random password meeting AD's default complexity rule (upper, lower,
 * digit, symbol; 28 characters), for `generateInitialPassword`.
 */
export function randomPassword(): string {
  return `${randomBytes(18).toString('base64url')}Aa7!`;
}

/** Whether this tenant writes passwords with `unicodePwd`. */
function isUnicodePwd(t: Tenant): boolean {
  return t.passwordAttr?.toLowerCase() === 'unicodepwd';
}

/** Attributes to include in an add for a new entry's password (AD wants it in the add). */
export function passwordForAdd(t: Tenant, password: string | undefined): [string, LdapValue[]] | undefined {
  if (password === undefined || !t.passwordAttr || !isUnicodePwd(t)) return undefined;
  assertPasswordTransport({ url: t.dir.pool.currentUrl, startTls: t.dir.pool.startTls });
  return [t.passwordAttr, [encodeUnicodePwd(password)]];
}

/** Modifications that set a password in the same modify as other changes (AD), or `undefined` when done separately. */
export function passwordMods(t: Tenant, password: string): Modification[] | undefined {
  if (!isUnicodePwd(t)) return undefined;
  assertPasswordTransport({ url: t.dir.pool.currentUrl, startTls: t.dir.pool.startTls });
  return unicodePwdChanges(password).map((c) => ({
    operation: c.operation,
    type: c.modification.type,
    values: c.modification.values as Buffer[],
  }));
}

/**
 * Sets a password on its own (non-AD directories): RFC 3062 when the server
 * offers it and the mapped attribute is `userPassword`, else a replace.
 */
export async function setPassword(t: Tenant, dn: string, password: string, what: string): Promise<void> {
  const attr = t.passwordAttr;
  if (!attr) throw new errors.InvalidValueError('This gateway does not manage passwords (map an attribute to "password")');
  const features = await t.dir.pool.serverFeatures();
  if (attr.toLowerCase() === 'userpassword' && features.extensions.has(PASSWORD_MODIFY_OID)) {
    await t.dir.passwordModify(dn, password, what);
    return;
  }
  await t.dir.modify(dn, [{ operation: 'replace', type: attr, values: [password] }], what);
}
