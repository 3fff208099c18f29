import { startTestGateway, TEST_BASIC_AUTH, type TestGateway } from '../src/testing.js';

export type { TestGateway };
export const BASIC = TEST_BASIC_AUTH;

/** Starts a Loki gateway (in memory unless the endpoint says otherwise) with `scimgateway` overrides. */
export function startGateway(
  gatewayOverrides: Record<string, unknown> = {},
  endpoint: Record<string, unknown> = {},
  name = 'connector-loki',
): Promise<TestGateway> {
  return startTestGateway({
    name,
    scimgateway: { localhostonly: false, ...gatewayOverrides },
    endpoint: { persistence: false, ...endpoint },
  });
}
