/**
 * Active Directory passwords (`unicodePwd`): the new password in double
 * quotes, encoded UTF-16LE, and only over an encrypted connection. An
 * administrator reset is one `replace`; a user changing their own password
 * is `delete` of the old value plus `add` of the new one in the same modify.
 *
 * @see MS-ADTS §3.1.1.3.1.5.1 (unicodePwd)
 */
import { errors } from '@scimgw/core';
import { Attribute, Change } from 'ldapts';

/** The attribute AD keeps passwords in. */
export const UNICODE_PWD = 'unicodePwd';

/**
 * Encodes a password the way AD wants it: `"password"` as UTF-16LE bytes.
 *
 * @example
 * encodeUnicodePwd('ab').toString('hex') // '2200610062002200'
 */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** What the connection looks like, for {@link assertPasswordTransport}. */
export interface TransportInfo {
  /** The URL in use (`ldaps://…` is encrypted). */
  url: string;
  /** True when the connection was upgraded with StartTLS. */
  startTls: boolean;
}

/**
 * Refuses to send a password over a connection that is not encrypted. AD
 * itself rejects it (with 53 unwillingToPerform); refusing first means the
 * password never crosses the network in clear.
 *
 * @throws errors.ForbiddenError (403) with a detail that says what to configure
 */
export function assertPasswordTransport(t: TransportInfo): void {
  if (t.url.toLowerCase().startsWith('ldaps://') || t.startTls) return;
  throw new errors.ForbiddenError(
    'Passwords can only be set over an encrypted directory connection: configure an ldaps:// URL or startTls',
  );
}

const change = (operation: 'add' | 'delete' | 'replace', value: Buffer) =>
  new Change({ operation, modification: new Attribute({ type: UNICODE_PWD, values: [value] }) });

/**
 * The modify changes that set a password.
 *
 * @param newPassword - the password to set
 * @param oldPassword - the current password for a user's own change; omit for an administrator reset
 * @returns `[replace]` for a reset, `[delete old, add new]` for a change
 */
export function unicodePwdChanges(newPassword: string, oldPassword?: string): Change[] {
  if (oldPassword === undefined) return [change('replace', encodeUnicodePwd(newPassword))];
  return [change('delete', encodeUnicodePwd(oldPassword)), change('add', encodeUnicodePwd(newPassword))];
}
