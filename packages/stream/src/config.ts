/**
 * `@scimgw/stream/config`: the `stream` configuration section and its files, without the NATS
 * clients. A host validates and checks configurations with it, and loads the package's main entry
 * only when a configuration enables the stream.
 *
 * @packageDocumentation
 */
export { streamConfigSchema, streamSection } from './config-schema.js';
export type { NatsEntityConfig, StreamConfig, StreamConfigInput } from './config-schema.js';
export { readStreamFiles, StreamFileError } from './files.js';
export type { StreamFiles } from './files.js';
