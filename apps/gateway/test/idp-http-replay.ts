/**
 * The IdP replays (`IDP_REPLAYS` of `@scimgw/core/testkit`) over real HTTP: each step is sent to a running
 * gateway as the IdP sends it (its own headers: Google's `application/json`, Okta's user agent),
 * with the gateway's test credential. Shared by the in-process test and the one through the CLI on
 * Node and Bun.
 */
import type { ReplayHandle } from '@scimgw/core/testkit';
import { httpCaller } from '../src/testing.js';

export { IDP_REPLAYS, runReplay } from '@scimgw/core/testkit';

/**
 * Sends replay steps to `base + prefix + url` with the test credential; a body goes as
 * `application/scim+json` unless the step says otherwise. Every answer but a 204 must be
 * `application/scim+json`.
 */
export function httpReplayHandle(base: string, prefix = ''): ReplayHandle {
  const call = httpCaller(`${base}${prefix}`);
  return async (req) => {
    const res = await call(req.method, req.url, req.body, req.headers);
    if (res.status !== 204 && !/^application\/scim\+json/.test(res.headers.get('content-type') ?? '')) {
      throw new Error(`${req.method} ${req.url}: ${res.status} answered as ${res.headers.get('content-type')}`);
    }
    return { status: res.status, body: res.body };
  };
}
