import { type ErrorCodeName, MongoCommandError } from '../errors.js';

/**
 * A message that cannot be read as the wire protocol describes.
 *
 * `fatal` errors end the connection (after an error reply when the request id is known), as MongoDB
 * does for framing faults, illegal flags, too many document sequences and checksum mismatches.
 */
export class WireProtocolError extends MongoCommandError {
  /** Whether the connection must be closed. */
  readonly fatal: boolean;
  /** The request id of the offending message, when its header could be read. */
  readonly requestId: number | undefined;

  constructor(name: ErrorCodeName, message: string, options: { fatal: boolean; requestId?: number }) {
    super(name, message);
    this.name = 'WireProtocolError';
    this.fatal = options.fatal;
    this.requestId = options.requestId;
  }
}
