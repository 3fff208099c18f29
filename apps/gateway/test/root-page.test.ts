import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.gw.close());

describe('GET /', () => {
  it('points to the documentation and the endpoints, without authentication', async () => {
    const res = await fetch(`${gw.base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.documentation).toMatch(/^https:\/\/github\.com\/scimgw\/scimgw/);
    expect(JSON.stringify(body)).toContain('/ServiceProviderConfig');
    expect((body.probes as Record<string, string>).readiness).toBe('/readyz');
  });

  it('tells nothing about the configuration or the data', async () => {
    const text = await (await fetch(`${gw.base}/`)).text();
    expect(text).not.toMatch(/gwadmin|password|connector-loki|"version"/i);
  });

  it('leaves SCIM paths to SCIM: /Users still needs a credential', async () => {
    expect((await fetch(`${gw.base}/Users`)).status).toBe(401);
  });
});
