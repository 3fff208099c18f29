/**
 * A client that closes its connection before its request body has arrived is no failure of the
 * gateway: no error line (which the error e-mail and alerting follow), no 500 in the request log
 * or the metrics; the request is recorded with 499, as proxies record it. Control: the same
 * request sent whole is served.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing.js';

const BASIC = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;

/** Sends the head and `sent` bytes of a body declared `declared` bytes long, then closes. */
function abandon(base: string, path: string, declared: number, sent: string, reqId: string): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        [
          `POST ${path} HTTP/1.1`,
          `host: ${hostname}:${port}`,
          `authorization: ${BASIC}`,
          'content-type: application/scim+json',
          `content-length: ${declared}`,
          `x-request-id: ${reqId}`,
          '',
          sent,
        ].join('\r\n'),
        () => setTimeout(() => socket.destroy(), 50),
      );
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('a client that goes away before its body arrives', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ scimgateway: { metrics: { enabled: true } }, endpoint: { persistence: false } });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  for (const path of ['/Users', '/Bulk', '/api']) {
    it(`${path}: logged as 499 at info, no error line, no 500`, async () => {
      const reqId = `gone-${path.slice(1).toLowerCase()}-1`;
      await abandon(gw.base, path, 100, '{"userName":', reqId);
      await until(() => new RegExp(`"reqId":"${reqId}"[^\\n]*"status":`).test(gw.logs()));
      const lines = gw
        .logs()
        .split('\n')
        .filter((l) => l.includes(reqId));
      expect(lines.some((l) => /"status":499/.test(l))).toBe(true);
      expect(lines.some((l) => /"status":500/.test(l))).toBe(false);
      expect(lines.filter((l) => /"level":"?(error|50)"?/.test(l))).toEqual([]);
    });
  }

  it('the metrics count no 500, and the same request sent whole is served', async () => {
    const metrics = await (await fetch(`${gw.base}/metrics`, { headers: { authorization: BASIC } })).text();
    expect(metrics).toMatch(/scimgw_http_requests_total\{[^}]*status="499"/);
    expect(metrics).not.toMatch(/status="500"/);
    const whole = await fetch(`${gw.base}/Users`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'arrived' }),
    });
    expect(whole.status).toBe(201);
  });
});
