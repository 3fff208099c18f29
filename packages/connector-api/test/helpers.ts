/** Test gateways on loopback: a config file in a temp dir, started with the real gateway host. */
import type { Connector } from '@scimgw/core';
import { startTestGateway, TEST_BASIC_AUTH, type TestGateway } from '@scimgw/testing-kit';
import type { LoadedConfig } from '@scimgw/server';

export const BASIC = TEST_BASIC_AUTH;
export type { TestGateway };

/** Starts a gateway from `{ scimgateway, endpoint }`; `name` picks the connector (`connector-loki`). */
export function startGateway(
  name: string,
  endpoint: Record<string, unknown>,
  opts: { scimgateway?: Record<string, unknown>; connector?: (cfg: LoadedConfig) => Connector } = {},
): Promise<TestGateway> {
  return startTestGateway({ name, endpoint, contentType: 'application/json', ...opts });
}
