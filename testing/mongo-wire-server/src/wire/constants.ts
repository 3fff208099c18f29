/** Wire protocol constants from MongoDB's wire protocol reference. */

/** Reply to OP_QUERY (legacy handshake only). */
export const OP_REPLY = 1;
/** Legacy query; modern servers accept it only for the `hello`/`isMaster` handshake. */
export const OP_QUERY = 2004;
/** A compressed wrapper around another message. */
export const OP_COMPRESSED = 2012;
/** The extensible message format every current command uses. */
export const OP_MSG = 2013;

/** OP_MSG flag: a CRC-32C checksum follows the sections. */
export const FLAG_CHECKSUM_PRESENT = 1 << 0;
/** OP_MSG flag: the sender will not wait for a reply (or, from a server, more replies follow). */
export const FLAG_MORE_TO_COME = 1 << 1;
/** OP_MSG flag: the client accepts several replies to one request (exhaust). */
export const FLAG_EXHAUST_ALLOWED = 1 << 16;

/** Message header: messageLength, requestID, responseTo, opCode. */
export const HEADER_SIZE = 16;
/** The largest document the server accepts or returns. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
/** The largest message the server accepts. */
export const MAX_MESSAGE_SIZE = 48_000_000;
/** The most statements one write command may carry. */
export const MAX_WRITE_BATCH_SIZE = 100_000;
/** How deep documents may nest (MongoDB's limit for stored documents is 100; commands get some headroom). */
export const MAX_BSON_DEPTH = 180;
