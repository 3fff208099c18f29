/**
 * @scimgw/server — host code shared by the scimgw apps.
 *
 * @packageDocumentation
 */
export { loadConfig, connectorFromName, parseSize } from './config/load.js';
export type { LoadOptions } from './config/load.js';
export { ConfigError, ConfigErrors } from './config/errors.js';
export { configFileSchema, gatewayConfigSchema, registerConfigSections } from './config/schema.js';
export { configFileJsonSchema } from './config/json-schema.js';
export type { GatewayConfig, LoadedConfig } from './config/types.js';
export { configSeed, decryptSecret, encryptSecret, isEncrypted, isSecretKey } from './config/secrets.js';
export { resolveReferences } from './config/references.js';
export { type Checked, validateWithEnvText } from './config/env-text.js';
export { loadTls } from './tls.js';
export type { TlsMaterial } from './tls.js';
export { listen } from './listen.js';
export type { ListenOptions, RunningServer } from './listen.js';
export { ClientGoneError, endClientGone, readBody } from './http/body.js';
export { browserRefusal, requestHost } from './http/browser-guard.js';
export type { ClientErrorReport } from './http/client-error.js';
export { requestOrigin, sendJson, setRequestOrigin } from './http/send.js';
export { COMPACT_HEAP_THRESHOLD, compactHeap, IDLE_MS, IdleCompactor, LARGE_BODY_BYTES } from './heap.js';
export type { IdleCompactionOptions } from './heap.js';
export { answerProbe, PROBE_PATHS, probe } from './probes.js';
