/**
 * SAP HANA error codes → SCIM errors (SAP HANA SQL Reference, "SQL Error Codes").
 */
import { errors } from '@scimgw/core';

/** HANA error codes this connector maps. */
export const HANA_CODES = {
  userExists: 331, // user name already exists
  userMissing: 332, // invalid user name
  roleMissing: 389, // invalid role name
  roleExists: 386, // cannot use duplicate role name
  uniqueViolation: 301, // unique constraint violated
  deadlock: 133, // transaction rolled back by detected deadlock
  lockTimeout: 131, // transaction rolled back by lock wait timeout
  insufficientPrivilege: 258,
  connectionFailed: -10709,
  connectionDown: -10807,
  alreadyGranted: 1202, // not used by HANA 2 for roles; GRANT of a granted role succeeds
} as const;

/** The HANA error code of a driver error. */
export function hanaCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A SCIM error for a HANA error (or the error itself when nothing fits: the core answers 500). */
export function toScimError(error: unknown, what: string): unknown {
  switch (hanaCode(error)) {
    case HANA_CODES.userExists:
    case HANA_CODES.roleExists:
    case HANA_CODES.uniqueViolation:
      return new errors.UniquenessError(`${what} already exists`);
    case HANA_CODES.userMissing:
      return new errors.NotFoundError(`${what} not found`);
    case HANA_CODES.roleMissing:
      return new errors.InvalidValueError('a role named in the request does not exist');
    case HANA_CODES.deadlock:
    case HANA_CODES.lockTimeout:
    case HANA_CODES.connectionFailed:
    case HANA_CODES.connectionDown:
      return new errors.ServiceUnavailableError('SAP HANA is busy or unreachable; try again', 5);
    default:
      return error;
  }
}
