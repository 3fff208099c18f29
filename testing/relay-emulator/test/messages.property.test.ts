import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListenerFrameReader, parseListenerMessage } from '../src/index.js';

const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const validStatus = fc.integer({ min: 200, max: 599 }).filter((code) => code !== 502 && code !== 504);

/** Response messages as the documentation describes them. */
const validResponse = fc.record({
  requestId: fc.string({ minLength: 1, maxLength: 40 }),
  statusCode: validStatus,
  statusDescription: fc.option(fc.stringMatching(/^[\x20-\x7e]{0,30}$/), { nil: undefined }),
  responseHeaders: fc.uniqueArray(fc.tuple(headerName, headerValue), { selector: ([name]) => name.toLowerCase(), maxLength: 8 }),
  body: fc.boolean(),
});

/** Anything a buggy or hostile listener might send as a text frame. */
const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.jsonValue().map((value) => JSON.stringify({ response: value })),
  fc.jsonValue().map((value) => JSON.stringify({ renewToken: value })),
  fc.dictionary(fc.string(), fc.jsonValue()).map((value) => JSON.stringify({ response: value })),
  fc
    .record({
      requestId: fc.jsonValue(),
      statusCode: fc.jsonValue(),
      statusDescription: fc.jsonValue(),
      responseHeaders: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
      body: fc.jsonValue(),
    })
    .map((response) => JSON.stringify({ response })),
  fc.constantFrom(
    '{"response":{"requestId":"1","statusCode":200,"body":false,"responseHeaders":{"__proto__":"x"}}}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    'null',
    '[]',
    '',
  ),
);

describe('parseListenerMessage', () => {
  it('gives a message or a clean error for any text, never an exception', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const result = parseListenerMessage(text);
        if (result.ok) expect(['response', 'renewToken']).toContain(result.message.type);
        else expect(typeof result.error).toBe('string');
      }),
      { numRuns: 3000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads every documented response back exactly', () => {
    fc.assert(
      fc.property(validResponse, fc.boolean(), (response, codeAsString) => {
        const wire = {
          response: {
            requestId: response.requestId,
            // The documentation's example sends the status as a string.
            statusCode: codeAsString ? String(response.statusCode) : response.statusCode,
            ...(response.statusDescription === undefined ? {} : { statusDescription: response.statusDescription }),
            responseHeaders: Object.fromEntries(response.responseHeaders),
            body: response.body,
          },
        };
        const result = parseListenerMessage(JSON.stringify(wire));
        expect(result.ok).toBe(true);
        if (!result.ok || result.message.type !== 'response') return;
        const head = result.message.response;
        expect(head.requestId).toBe(response.requestId);
        expect(head.statusCode).toBe(response.statusCode);
        expect(head.statusDescription).toBe(response.statusDescription);
        expect(head.body).toBe(response.body);
        const connectionLevel = new Set([
          'connection',
          'content-length',
          'host',
          'te',
          'trailer',
          'transfer-encoding',
          'upgrade',
          'close',
        ]);
        const expected = response.responseHeaders.filter(([name]) => !connectionLevel.has(name.toLowerCase()));
        expect([...head.responseHeaders]).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses what listeners must not send', () => {
    const cases = [
      '{"response":{"requestId":"1","statusCode":502,"body":false}}',
      '{"response":{"requestId":"1","statusCode":504,"body":false}}',
      '{"response":{"requestId":"1","statusCode":99,"body":false}}',
      '{"response":{"requestId":"1","statusCode":200}}',
      '{"response":{"statusCode":200,"body":false}}',
      '{"response":{"requestId":"1","statusCode":200,"body":false,"responseHeaders":{"X-A":"a\\r\\nSet-Cookie: x"}}}',
      '{"response":{"requestId":"1","statusCode":200,"body":false,"responseHeaders":{"Bad Name":"x"}}}',
      '{"response":{"requestId":"1","statusCode":200,"body":false,"responseHeaders":{"X-A":"1","x-a":"2"}}}',
      '{"response":{"requestId":"1","statusCode":200,"body":false,"statusDescription":"a\\nb"}}',
      '{"renewToken":{}}',
      '{"request":{}}',
      '{"response":{},"renewToken":{}}',
    ];
    for (const text of cases) expect(parseListenerMessage(text).ok, text).toBe(false);
  });
});

type Frame = { readonly binary: boolean; readonly data: Buffer };

const frame: fc.Arbitrary<Frame> = fc.oneof(
  hostileText.map((text) => ({ binary: false, data: Buffer.from(text) })),
  validResponse.map((response) => ({
    binary: false,
    data: Buffer.from(
      JSON.stringify({ response: { ...response, responseHeaders: Object.fromEntries(response.responseHeaders) } }),
    ),
  })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ binary: true, data: Buffer.from(bytes) })),
);

describe('ListenerFrameReader', () => {
  it('turns any sequence of text and binary frames into events, never an exception', () => {
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 30 }),
        fc.integer({ min: 0, max: 200 }),
        fc.boolean(),
        (frames, maxBodyBytes, allowRenew) => {
          const reader = new ListenerFrameReader({ maxBodyBytes, allowRenew });
          for (const { binary, data } of frames) {
            for (const event of reader.read(data, binary)) {
              if (event.kind === 'response') {
                expect(event.head.body).toBe(event.body !== undefined);
                if (event.body !== undefined) expect(event.body.length).toBeLessThanOrEqual(maxBodyBytes);
              } else if (event.kind === 'violation') {
                expect(event.error.length).toBeGreaterThan(0);
              } else {
                expect(allowRenew).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('pairs a head that announces a body with the binary message that follows it', () => {
    fc.assert(
      fc.property(validResponse, fc.uint8Array({ maxLength: 500 }), (response, body) => {
        const reader = new ListenerFrameReader({ maxBodyBytes: 1000, allowRenew: true });
        const head = { ...response, body: true, responseHeaders: Object.fromEntries(response.responseHeaders) };
        expect(reader.read(Buffer.from(JSON.stringify({ response: head })), false)).toEqual([]);
        expect(reader.awaitingBodyFor).toBe(response.requestId);
        const events = reader.read(Buffer.from(body), true);
        expect(events).toHaveLength(1);
        const [event] = events;
        expect(event?.kind).toBe('response');
        if (event?.kind === 'response') expect(event.body).toEqual(Buffer.from(body));
      }),
    );
  });

  it('reports a text frame where a body was announced, and a body over the limit, against that request', () => {
    const reader = new ListenerFrameReader({ maxBodyBytes: 4, allowRenew: false });
    const head = (id: string) => Buffer.from(JSON.stringify({ response: { requestId: id, statusCode: 200, body: true } }));
    reader.read(head('a'), false);
    const interrupted = reader.read(head('b'), false);
    expect(interrupted).toEqual([expect.objectContaining({ kind: 'violation', requestId: 'a' })]);
    expect(reader.read(Buffer.from('12345'), true)).toEqual([expect.objectContaining({ kind: 'violation', requestId: 'b' })]);
    expect(reader.read(Buffer.from('{"renewToken":{"token":"x"}}'), false)).toEqual([
      expect.objectContaining({ kind: 'violation' }),
    ]);
  });
});
