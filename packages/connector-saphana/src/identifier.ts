/**
 * HANA names built from SCIM values (user names, role names) and the one string literal DDL needs
 * (the SAML identity). HANA's DDL takes no bound parameters, so these are the only places where a
 * SCIM value reaches statement text: each is validated against a strict rule and then quoted.
 *
 * Rules (SAP HANA SQL Reference, "Identifiers"): a delimited identifier is written in double quotes
 * and may hold any character but the double quote, up to 127 characters. This connector accepts
 * less: a letter or `_` first, then letters, digits and `_ # $ . @ -` — enough for login names and
 * e-mail-shaped names, and nothing that could end the quotes or start a comment.
 */
import { errors } from '@scimgw/core';

/** What a user or role name may look like. */
export const HANA_NAME = /^[A-Za-z_][A-Za-z0-9_#$.@-]{0,126}$/;

/** A SAML identity (name ID) for `WITH IDENTITY '…'`: printable ASCII without quotes, backslash or space, at most 256. */
export const SAML_IDENTITY = /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,256}$/;

/** Whether HANA stores undelimited names upper-cased: this connector always delimits, so case is kept. */
export function isHanaName(value: unknown): value is string {
  return typeof value === 'string' && HANA_NAME.test(value);
}

/** A validated, double-quoted name; 400 invalidValue otherwise (naming the attribute, not echoing the value). */
export function quoteName(value: unknown, attribute: string): string {
  if (!isHanaName(value)) {
    throw new errors.InvalidValueError(
      `${attribute} must be a SAP HANA name: a letter or _ first, then letters, digits and _ # $ . @ - (at most 127)`,
    );
  }
  return `"${value}"`;
}

/** A validated single-quoted SAML identity literal; 400 invalidValue otherwise. */
export function identityLiteral(value: unknown, attribute: string): string {
  if (typeof value !== 'string' || !SAML_IDENTITY.test(value)) {
    throw new errors.InvalidValueError(`${attribute} must be printable ASCII without quotes or spaces (at most 256)`);
  }
  return `'${value}'`;
}
