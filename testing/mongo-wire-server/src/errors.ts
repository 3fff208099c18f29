/**
 * Server-side error replies in MongoDB's documented shape: `{ ok: 0, errmsg, code, codeName }`.
 *
 * Every failure a command can report goes through {@link MongoCommandError}; the code names come
 * from one table so a reply never carries a code with the wrong name.
 */

/** The error codes this server answers with, by MongoDB's code name. */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  HostUnreachable: 6,
  HostNotFound: 7,
  FailedToParse: 9,
  UserNotFound: 11,
  Unauthorized: 13,
  TypeMismatch: 14,
  InvalidLength: 16,
  ProtocolError: 17,
  AuthenticationFailed: 18,
  IllegalOperation: 20,
  InvalidBSON: 22,
  LockTimeout: 24,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  RoleNotFound: 31,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  EmptyFieldName: 56,
  CommandNotFound: 59,
  WriteConcernTimeout: 64,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NetworkTimeout: 89,
  ShutdownInProgress: 91,
  WriteConflict: 112,
  ConflictingOperationInProgress: 117,
  CommandNotSupported: 115,
  InvalidPipelineOperator: 168,
  CannotIndexParallelArrays: 171,
  AmbiguousIndexKeyPattern: 181,
  ClientMetadataCannotBeMutated: 186,
  PrimarySteppedDown: 189,
  IncompleteTransactionHistory: 217,
  InvalidIndexSpecificationOption: 197,
  IllegalOpMsgFlag: 223,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  OperationNotSupportedInTransaction: 263,
  ExceededTimeLimit: 262,
  TooManyDocumentSequences: 233,
  ChecksumMismatch: 288,
  MechanismUnavailable: 334,
  UnsupportedOpQueryCommand: 352,
  NotWritablePrimary: 10107,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  InterruptedAtShutdown: 11600,
  InterruptedDueToReplStateChange: 11602,
  NotPrimaryNoSecondaryOk: 13435,
  NotPrimaryOrSecondary: 13436,
  SocketException: 9001,
  Location15975: 15975,
  Location17419: 17419,
  Location31253: 31253,
  Location31254: 31254,
  Location40169: 40169,
  Location40323: 40323,
  Location40324: 40324,
  Location40414: 40414,
  Location40415: 40415,
  Location40430: 40430,
  Location40431: 40431,
  Location40432: 40432,
  Location40433: 40433,
  Location40571: 40571,
  Location40587: 40587,
  Location51003: 51003,
  Location51024: 51024,
} as const;

/** A MongoDB code name this server uses. */
export type ErrorCodeName = keyof typeof ErrorCode;

const NAME_BY_CODE = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** The code name MongoDB pairs with `code` (`Location<code>` for codes without a name). */
export function codeNameOf(code: number): string {
  return NAME_BY_CODE.get(code) ?? `Location${code}`;
}

/**
 * A command failure: becomes `{ ok: 0, errmsg, code, codeName, ...extra }` on the wire.
 *
 * @example
 * throw new MongoCommandError('NamespaceNotFound', 'ns does not exist: test.users');
 */
export class MongoCommandError extends Error {
  /** Numeric MongoDB error code. */
  readonly code: number;
  /** MongoDB's name for {@link code}. */
  readonly codeName: string;
  /** Extra reply fields (for example `keyPattern` and `keyValue` of a duplicate key error). */
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(name: ErrorCodeName, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = ErrorCode[name];
    this.codeName = name;
    this.extra = extra;
  }

  /** The reply document of this error. */
  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The element of a write command's `writeErrors` array for the statement at `index`. */
  toWriteError(index: number): Record<string, unknown> {
    const { errorLabels: _labels, ...extra } = this.extra;
    return { index, code: this.code, errmsg: this.message, ...extra };
  }
}

/** Shorthand for `new MongoCommandError(...)`, for use in expressions. */
export function commandError(name: ErrorCodeName, message: string, extra?: Record<string, unknown>): MongoCommandError {
  return new MongoCommandError(name, message, extra);
}
