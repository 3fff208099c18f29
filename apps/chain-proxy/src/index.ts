/**
 * @scimgw/chain-proxy — the slim gateway-chaining front as a library (the CLI is
 * `scimgw-chain-proxy`): authorizes SCIM requests with its own `auth` settings and forwards them
 * to the next gateway. It has no connector.
 *
 * @packageDocumentation
 */
export { checkProxyConfig, prepareProxyConfig, startChainProxy } from './proxy.js';
export type { ChainProxy, ChainProxyOptions, ProxyConfig } from './proxy.js';
export { createProxyPipeline } from './pipeline.js';
export type { ProxyPipelineDeps } from './pipeline.js';
export { routeProxy } from './routes.js';
export type { ProxyRoute } from './routes.js';
export { parseProxyArgs, runProxyCli } from './cli-main.js';
export type { ProxyCliArgs } from './cli-main.js';
