import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningServer, readBody, sendJson } from '../src/index.js';

/** What the server saw of each request: the text read, and whether a 'data' listener was needed. */
interface Seen {
  status: number;
  text?: string;
  streamed: boolean;
  ended?: boolean;
}

let srv: RunningServer;
const seen: Seen[] = [];

beforeAll(async () => {
  srv = await listen(
    (req: IncomingMessage, res) => {
      // The pipeline reads the body after an await (authentication): do the same.
      Promise.resolve()
        .then(() => readBody(req, 64))
        .then(
          async (text) => {
            const streamed = req.listenerCount('data') > 0;
            // However it was read, the request stream ends (and so is released), as a stream read
            // to its end does.
            const ended = await new Promise<boolean>((resolve) => {
              if (req.readableEnded) return resolve(true);
              const t = setTimeout(() => resolve(false), 1000);
              req.once('end', () => {
                clearTimeout(t);
                resolve(true);
              });
            });
            seen.push({ status: 200, text, streamed, ended });
            sendJson(res, 200, { 'content-type': 'application/json' }, { text });
          },
          (e: { status: number }) => {
            seen.push({ status: e.status, streamed: req.listenerCount('data') > 0 });
            sendJson(res, e.status, { 'content-type': 'application/json' }, { error: true });
          },
        );
    },
    { port: 0, localhostOnly: true },
  );
});
afterAll(() => srv.close());

/** How many whole responses (headers and `content-length` bytes of body) `buf` holds. */
function wholeResponses(buf: Buffer): number {
  let n = 0;
  let at = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) return n;
    const length = Number(/content-length: (\d+)/i.exec(buf.subarray(at, end).toString('latin1'))?.[1] ?? 0);
    if (buf.length < end + 4 + length) return n;
    n++;
    at = end + 4 + length;
  }
}

/** Sends raw bytes in parts, `gapMs` apart, and returns the raw response text once `responses` arrived. */
function raw(parts: Buffer[], gapMs = 0, responses = 1): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(srv.port, '127.0.0.1');
    let got = Buffer.alloc(0);
    s.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (wholeResponses(got) >= responses) {
        s.end();
        resolve(got.toString('utf8'));
      }
    });
    s.on('error', reject);
    s.on('connect', async () => {
      for (const p of parts) {
        s.write(p);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

const head = (length: number | 'chunked') =>
  Buffer.from(
    `POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${
      length === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${length}`
    }\r\n\r\n`,
  );

describe('readBody', () => {
  it('takes a body that arrived with its headers from the buffer, without listeners', async () => {
    seen.length = 0;
    const body = Buffer.from('{"a":"Zoë 😀"}');
    const out = await raw([Buffer.concat([head(body.length), body])]);
    expect(out).toContain('HTTP/1.1 200');
    expect(seen).toEqual([{ status: 200, text: '{"a":"Zoë 😀"}', streamed: false, ended: true }]);
  });

  it('streams a body that arrives later, split inside a multi-byte character', async () => {
    seen.length = 0;
    const body = Buffer.from('{"a":"😀😀"}');
    await raw([head(body.length), body.subarray(0, 8), body.subarray(8)], 30);
    expect(seen).toEqual([{ status: 200, text: '{"a":"😀😀"}', streamed: true, ended: true }]);
  });

  it('reads an empty body and a chunked body', async () => {
    seen.length = 0;
    await raw([head(0)]);
    await raw([head('chunked'), Buffer.from('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n')], 10);
    expect(seen.map((s) => [s.text, s.ended])).toEqual([
      ['', true],
      ['abcde', true],
    ]);
  });

  it('answers 413 for a declared or streamed body over the limit', async () => {
    seen.length = 0;
    await raw([Buffer.concat([head(65), Buffer.alloc(65, 'x')])]);
    await raw([head('chunked'), Buffer.from(`41\r\n${'y'.repeat(65)}\r\n0\r\n\r\n`)], 10);
    expect(seen.map((s) => s.status)).toEqual([413, 413]);
  });

  it('reads each of two pipelined requests on one connection as its own body', async () => {
    seen.length = 0;
    const a = Buffer.from('{"n":1}');
    const b = Buffer.from('{"n":22}');
    await raw([Buffer.concat([head(a.length), a, head(b.length), b])], 0, 2);
    expect(seen.map((s) => s.text)).toEqual(['{"n":1}', '{"n":22}']);
  });

  it('returns every body intact however its bytes are split across packets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (text, cuts) => {
          seen.length = 0;
          const body = Buffer.from(JSON.stringify({ text }));
          if (body.length > 64) return;
          const at = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((x, y) => x - y);
          const parts = [head(body.length)];
          let from = 0;
          for (const c of [...at, body.length]) {
            parts.push(body.subarray(from, c));
            from = c;
          }
          await raw(
            parts.filter((p) => p.length > 0),
            at.length > 0 ? 5 : 0,
          );
          expect(seen).toHaveLength(1);
          expect(seen[0]!.text).toBe(body.toString('utf8'));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('readBody refuses bytes that are not UTF-8', () => {
  it('buffered or streamed, split anywhere: 400, never U+FFFD', async () => {
    seen.length = 0;
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    await raw([Buffer.concat([head(body.length), body])]);
    await raw([head(body.length), body.subarray(0, 7), body.subarray(7)], 30);
    expect(seen.map((s) => s.status)).toEqual([400, 400]);
  });

  it('any byte string is either its exact UTF-8 text or a 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), async (bytes) => {
        seen.length = 0;
        const body = Buffer.from(bytes);
        await raw([Buffer.concat([head(body.length), body])]);
        const valid = Buffer.from(body.toString('utf8'), 'utf8').equals(body);
        expect(seen[0]).toMatchObject(valid ? { status: 200, text: body.toString('utf8') } : { status: 400 });
      }),
      { numRuns: 60 },
    );
  });
});
