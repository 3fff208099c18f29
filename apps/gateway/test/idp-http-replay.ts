/**
 * The IdP replays (`IDP_REPLAYS` of `@scimgw/core/testkit`) over real HTTP: each step is sent to a running
 * gateway as the IdP sends it (its own headers: Google's `application/json`, Okta's user agent),
 * with the gateway's test credential. Shared by the in-process test and the one through the CLI on
 * Node and Bun.
 */
import type { ReplayHandle } from '@scimgw/core/testkit';
import { TEST_BASIC_AUTH } from '../src/testing.js';

export { IDP_REPLAYS, runReplay } from '@scimgw/core/testkit';

/** Sends replay steps to `base + prefix + url`; a body goes as `application/scim+json` unless the step says otherwise. */
export function httpReplayHandle(base: string, prefix = ''): ReplayHandle {
  return async (req) => {
    const headers: Record<string, string> = { authorization: TEST_BASIC_AUTH };
    if (req.body !== undefined) headers['content-type'] = 'application/scim+json';
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
    const res = await fetch(`${base}${prefix}${req.url}`, {
      method: req.method,
      headers,
      ...(req.body === undefined ? {} : { body: req.body }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {}
    if (res.status !== 204 && !/^application\/scim\+json/.test(res.headers.get('content-type') ?? '')) {
      throw new Error(`${req.method} ${req.url}: ${res.status} answered as ${res.headers.get('content-type')}`);
    }
    return { status: res.status, body };
  };
}
