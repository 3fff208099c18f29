export type { MongoWireUser, ScramMechanism } from './auth/users.js';
export { CallLog, type CallRecord } from './call-log.js';
export { ErrorCode, type ErrorCodeName, MongoCommandError, codeNameOf } from './errors.js';
export type { FailCommandSpec } from './faults.js';
export type { ServerStats } from './state.js';
export { MAX_WIRE_VERSION, SERVER_VERSION } from './commands/handshake.js';
export {
  type ConnectionCredentials,
  type MongoWireServer,
  type MongoWireServerOptions,
  type MongoWireTlsOptions,
  startMongoWireServer,
} from './server.js';
export { createTestCertificates, type TestCertificates } from './tls.js';
export { crc32c } from './wire/crc32c.js';
export { FrameReader } from './wire/frame-reader.js';
export {
  encodeOpMsg,
  encodeOpReply,
  parseMessage,
  type WireRequest,
  type OpMsgRequest,
  type OpQueryRequest,
} from './wire/message.js';
export { WireProtocolError } from './wire/protocol-error.js';
