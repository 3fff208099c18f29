/**
 * @scimgw/azure-relay — scimgw hosts listening through Azure Relay Hybrid Connections
 * (`scimgateway.azureRelay`) with hyco-https: an outbound-only connection, no inbound port.
 *
 * @packageDocumentation
 */
export { relayAddress, stripPrefix } from './address.js';
export type { RelayAddress } from './address.js';
export { startRelayListener } from './listener.js';
export type { AzureRelayConfig, RelayListener, RelayListenerOptions, RelayState, RelayStatus } from './listener.js';
