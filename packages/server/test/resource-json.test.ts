import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cachedResourceJsonBytes, MAX_CACHED_RESOURCE_BYTES, responseJson } from '../src/http/json.js';
import { sendJson } from '../src/http/send.js';

const deepFreeze = <T>(v: T): T => {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
};

const user = (i: number, extra: Record<string, unknown> = {}) =>
  deepFreeze({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: `u${i}`,
    userName: `ü${i}@example.com "q"`,
    emails: [{ value: `u${i}@example.com`, primary: true }],
    groups: [{ value: 'g1', display: 'Group 1', $ref: 'http://h/Groups/g1' }],
    meta: { resourceType: 'User', version: `W/"${i}"` },
    ...extra,
  });

const page = (resources: unknown[]) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: 1000,
  itemsPerPage: resources.length,
  startIndex: 1,
  Resources: resources,
});

describe('JSON of frozen resources', () => {
  it('is JSON.stringify for pages of frozen, unfrozen and partly frozen resources, read again (property)', () => {
    const res = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue()).map((o) => ({ kind: 'frozen', o: deepFreeze(o) })),
      fc.dictionary(fc.string(), fc.jsonValue()).map((o) => ({ kind: 'plain', o })),
      fc.dictionary(fc.string(), fc.jsonValue()).map((o) => ({ kind: 'shallow', o: Object.freeze({ ...o, nested: { a: 1 } }) })),
    );
    fc.assert(
      fc.property(fc.array(res, { maxLength: 30 }), fc.boolean(), (list, single) => {
        const objects = list.map((x) => x.o);
        const body = single && objects[0] ? objects[0] : page(objects);
        const expected = JSON.stringify(body);
        expect(responseJson(body)).toBe(expected);
        // Read again: kept JSON where there is some, still the same text.
        expect(responseJson(body)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the JSON of a frozen resource once, and serializes another object (a changed resource) anew', () => {
    const a = user(1);
    const before = cachedResourceJsonBytes();
    expect(responseJson(page([a]))).toBe(JSON.stringify(page([a])));
    // Kept from the second time it is written.
    expect(cachedResourceJsonBytes()).toBe(before);
    expect(responseJson(page([a]))).toBe(JSON.stringify(page([a])));
    const kept = cachedResourceJsonBytes();
    expect(kept).toBeGreaterThan(before);
    expect(responseJson(a)).toBe(JSON.stringify(a));
    expect(cachedResourceJsonBytes()).toBe(kept);
    const changed = user(1, { userName: 'renamed' });
    expect(responseJson(page([changed]))).toContain('"renamed"');
  });

  it('never keeps a frozen resource holding something mutable', () => {
    const emails = [{ value: 'before@example.com' }];
    const r = Object.freeze({ id: 'x', emails });
    expect(responseJson(page([r]))).toContain('before@');
    (emails[0] as { value: string }).value = 'after@example.com';
    expect(responseJson(page([r]))).toContain('after@');
    expect(responseJson(r)).toBe(JSON.stringify(r));
  });

  it('keeps at most MAX_CACHED_RESOURCE_BYTES however many resources were read', () => {
    const big = 'x'.repeat(60 * 1024);
    const n = Math.ceil((MAX_CACHED_RESOURCE_BYTES * 1.5) / big.length);
    for (let i = 0; i < n; i++) {
      const r = deepFreeze({ id: `b${i}`, big });
      responseJson(r);
      responseJson(r);
    }
    expect(cachedResourceJsonBytes()).toBeLessThanOrEqual(MAX_CACHED_RESOURCE_BYTES);
    expect(cachedResourceJsonBytes()).toBeGreaterThan(MAX_CACHED_RESOURCE_BYTES / 2);
  });

  it('sendJson sends a page of kept resources with the bytes and Content-Length of JSON.stringify', async () => {
    const body = page(Array.from({ length: 50 }, (_, i) => user(i)));
    responseJson(body);
    responseJson(body); // kept now
    const server = createServer((_req, res) => sendJson(res, 200, { 'content-type': 'application/scim+json' }, body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        const text = await res.text();
        expect(text).toBe(JSON.stringify(body));
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text, 'utf8'));
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('sendJson writes a page of kept resources whole to a response that cannot be corked (hyco-https, Azure Relay)', () => {
    const body = page(Array.from({ length: 40 }, (_, i) => user(100 + i)));
    responseJson(body);
    responseJson(body); // kept now
    const chunks: Buffer[] = [];
    let head: Record<string, unknown> = {};
    const res = {
      writeHead: (_status: number, headers: Record<string, unknown>) => {
        head = headers;
      },
      write: (c: string | Buffer) => chunks.push(Buffer.from(c)) > 0,
      end: (c?: string | Buffer) => {
        if (c !== undefined) chunks.push(Buffer.from(c));
      },
    };
    sendJson(res as unknown as ServerResponse, 200, { 'content-type': 'application/scim+json' }, body);
    const sent = Buffer.concat(chunks);
    expect(sent.toString('utf8')).toBe(JSON.stringify(body));
    expect(head['content-length']).toBe(sent.length);
  });
});
