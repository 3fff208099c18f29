/**
 * @scimgw/testing-relay-emulator — an emulator of the Azure Relay Hybrid Connections service,
 * written from Microsoft's published protocol documentation, for end-to-end tests with `hyco-https`.
 *
 * @packageDocumentation
 */
export { startRelayEmulator } from './emulator.js';
export type { DropListenersOptions, RelayEmulator, SasTokenOptions } from './emulator.js';
export type { Balancing, HybridConnectionOptions, RelayEmulatorOptions } from './options.js';
export type { ListenerInfo } from './control-channel.js';
export type { ProtocolViolation } from './violations.js';
export { RelayFaults } from './faults.js';
export { RelayServiceError } from './errors.js';

// Shared Access Signature tokens
export { createSasToken, parseSasToken, verifySasToken } from './sas.js';
export type { CreateSasTokenOptions, ParsedSasToken, SasKey, SasRequirement, SasRight, VerifiedSasToken } from './sas.js';

// Control messages (exported for property tests and for listeners written against the protocol)
export { parseListenerMessage } from './messages.js';
export type { ListenerMessage, ParseResult, ResponseHead } from './messages.js';
export { ListenerFrameReader } from './frame-reader.js';
export type { FrameReaderOptions, ReaderEvent } from './frame-reader.js';

// TLS
export { trustEmulatorCa } from './trust.js';
export type { TrustTarget } from './trust.js';
export { createTestTls } from './tls.js';
export type { TlsMaterial } from './tls.js';
