/**
 * @scimgw/testing-kit: test helpers shared by scimgw's packages (private, never published).
 * Packages' tests import gateways from here, never from the app itself.
 *
 * @packageDocumentation
 */
export { httpCaller, startTestGateway, TEST_BASIC_AUTH } from '@scimgw/gateway/testing';
export type { TestCall, TestGateway, TestGatewayOptions, TestResponse } from '@scimgw/gateway/testing';
export { checkConfig } from './check-config.js';
export type { CheckConfigOptions, CheckConfigResult } from './check-config.js';
export { makeTestPki } from '@scimgw/testing-pki';
export type { TestPki, TestPkiOptions } from '@scimgw/testing-pki';
export { fillVars, IDP_REPLAYS, idpReplayCases, replaySteps } from './replay.js';
export type { ReplayAnswers, ReplayStep } from './replay.js';
