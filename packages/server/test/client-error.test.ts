import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientErrorReport, listen, type RunningServer } from '../src/index.js';
import { overflowStatus } from '../src/http/client-error.js';

let srv: RunningServer;
const reports: ClientErrorReport[] = [];
beforeAll(async () => {
  srv = await listen((_req, res) => res.end('ok'), { port: 0, localhostOnly: true, onClientError: (r) => reports.push(r) });
});
afterAll(() => srv.close());

/** Sends `text` and resolves with everything the server wrote before it closed. */
function send(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(srv.port, '127.0.0.1');
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('utf8')));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.on('connect', () => s.write(text));
  });
}

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]);
const body = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('requests node:http refuses before the handler', () => {
  it('a long request line → 414 with a SCIM error body, reported', async () => {
    reports.length = 0;
    const a = await send(`GET /Users?filter=${'x'.repeat(95_000)} HTTP/1.1\r\nhost: x\r\n\r\n`);
    expect(status(a)).toBe(414);
    expect(a).toMatch(/content-type: application\/scim\+json/i);
    expect(body(a)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '414' });
    expect(reports).toEqual([expect.objectContaining({ status: 414, code: 'HPE_HEADER_OVERFLOW' })]);
  });

  it('large headers → 431; many headers → 431', async () => {
    reports.length = 0;
    expect(status(await send(`GET /Users HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${'t'.repeat(30_000)}\r\n\r\n`))).toBe(431);
    const many = Array.from({ length: 400 }, (_, i) => `x-h${i}: ${'v'.repeat(60)}\r\n`).join('');
    expect(status(await send(`GET /Users HTTP/1.1\r\nhost: x\r\n${many}\r\n`))).toBe(431);
    expect(reports.map((r) => r.status)).toEqual([431, 431]);
  });

  it('bytes that are not HTTP → 400 with a SCIM error body', async () => {
    const a = await send('NOT HTTP AT ALL\r\n\r\n');
    expect(status(a)).toBe(400);
    expect(body(a)).toMatchObject({ status: '400' });
  });

  it('the classifier never throws and only answers 414 or 431', () => {
    fc.assert(
      fc.property(fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }), (b) => {
        expect([414, 431]).toContain(overflowStatus(b === undefined ? undefined : Buffer.from(b)));
      }),
    );
    expect(overflowStatus(Buffer.from('GET /Users?filter=xxxxxxxx'))).toBe(414);
    expect(overflowStatus(Buffer.from('xxxxxxx HTTP/1.1\r\nhost: x\r\n'))).toBe(414);
    expect(overflowStatus(Buffer.from('GET / HTTP/1.1\r\nhost: x\r\nx-a: yyyy'))).toBe(431);
    expect(overflowStatus(Buffer.from('yyyy\r\nx-b: 1\r\n'))).toBe(431);
  });
});
