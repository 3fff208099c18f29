/**
 * @scimgw/chain — gateway chaining: checks the next gateway's base URL and forwards an authorized
 * request to it, relaying the answer as it streams in. Used by `@scimgw/gateway`
 * (`scimgateway.chainingBaseUrl`) and by `@scimgw/chain-proxy`.
 *
 * @packageDocumentation
 */
export { CHAIN_TIMEOUT_MS, chainRequestHeaders, forwardRequest, parseChainingBaseUrl } from './forward.js';
export type { ChainRequest } from './forward.js';
