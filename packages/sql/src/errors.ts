/**
 * Database errors → SCIM errors, through one exhaustive table. A dialect classifies its driver's
 * errors into {@link SqlErrorKind}s; this table decides the client's answer and whether the
 * operation may be retried.
 */
import { errors } from '@scimgw/core';
import type { SqlErrorKind } from './dialect.js';

/** How one kind of database error is answered. */
interface ErrorRule {
  /** Transient: the whole operation may run again (bounded, with backoff). */
  retry: boolean;
  /** Worth an error-level log line (the layout or the grants are wrong, or something unexpected). */
  log: boolean;
  toScim(detail: string | undefined, cause: unknown, retryAfterSeconds: number): Error;
  /**
   * The detail naming what was refused, when the error says which column (`what`: the attribute
   * and column, as `columnNamer` writes them). Never the value: it may be anyone's data.
   */
  about?(what: string): string;
}

const unavailable = (what: string) => (_: string | undefined, cause: unknown, retryAfter: number) =>
  new errors.ServiceUnavailableError(`The database is unavailable (${what}); try again later`, retryAfter, { cause });

/** The one table. `satisfies Record<SqlErrorKind, …>` makes a new kind a compile error until it is answered here. */
export const ERROR_RULES = {
  uniqueViolation: {
    retry: false,
    log: false,
    toScim: (detail, cause) => new errors.UniquenessError(detail ?? 'A resource with this value already exists', { cause }),
  },
  deadlock: { retry: true, log: false, toScim: unavailable('deadlock') },
  serializationFailure: { retry: true, log: false, toScim: unavailable('concurrent update') },
  connectionLost: { retry: true, log: true, toScim: unavailable('connection lost') },
  unavailable: { retry: true, log: true, toScim: unavailable('not accepting connections') },
  statementTimeout: { retry: false, log: true, toScim: unavailable('statement timeout') },
  invalidValue: {
    retry: false,
    log: false,
    toScim: (detail, cause) => new errors.InvalidValueError(detail ?? 'A value cannot be stored by the database', { cause }),
    about: (what) => `The value of ${what} cannot be stored by the database (too long, out of range or not of the column's type)`,
  },
  constraintViolation: {
    retry: false,
    log: false,
    toScim: (detail, cause) => new errors.InvalidValueError(detail ?? 'The database refused the values (constraint)', { cause }),
    about: (what) => `The database refused the value of ${what} (a NOT NULL, CHECK or foreign key constraint)`,
  },
  undefinedObject: { retry: false, log: true, toScim: (_d, cause) => new errors.InternalError({ cause }) },
  permissionDenied: { retry: false, log: true, toScim: (_d, cause) => new errors.InternalError({ cause }) },
  unknown: { retry: false, log: true, toScim: (_d, cause) => new errors.InternalError({ cause }) },
} as const satisfies Record<SqlErrorKind, ErrorRule>;

/** The rule for a kind. */
export function ruleFor(kind: SqlErrorKind): ErrorRule {
  return ERROR_RULES[kind];
}

/** A COMMIT whose outcome is unknown (the connection broke while committing). */
export function commitOutcomeUnknown(cause: unknown, retryAfter: number): Error {
  return new errors.ServiceUnavailableError(
    'The database connection broke while committing; the change may or may not have been applied',
    retryAfter,
    { cause },
  );
}
