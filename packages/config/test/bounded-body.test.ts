import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, readBoundedBytes, readBoundedText } from '../src/index.js';

/** A Response whose body is the given chunks, recording whether it was cancelled. */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}) {
  const seen = { pulled: 0, cancelled: false };
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      seen.pulled++;
      if (i < chunks.length) c.enqueue(chunks[i++] as Uint8Array);
      else c.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { res: new Response(body, { headers }), seen };
}

describe('readBoundedText', () => {
  it('returns the text of a body within the bound, split anywhere (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(fc.nat(), { maxLength: 6 }), async (s, cuts) => {
        const bytes = new TextEncoder().encode(s);
        // Chunks cut at arbitrary byte offsets, through multi-byte characters too.
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let from = 0;
        for (const to of [...at, bytes.length]) {
          chunks.push(bytes.slice(from, to));
          from = to;
        }
        const limit = bytes.length + 1;
        expect(await readBoundedText(streamed(chunks).res, limit)).toBe(s);
        expect(await readBoundedBytes(streamed(chunks).res, bytes.length)).toEqual(bytes);
        if (bytes.length > 0)
          await expect(readBoundedText(streamed(chunks).res, bytes.length - 1)).rejects.toThrow(BodyTooLargeError);
      }),
      { numRuns: 300 },
    );
  });

  it('stops reading a body without end once it passes the bound, and cancels it', async () => {
    const seen = { pulled: 0, cancelled: false };
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        seen.pulled++;
        c.enqueue(new Uint8Array(1024));
      },
      cancel() {
        seen.cancelled = true;
      },
    });
    const err = await readBoundedText(new Response(endless), 10_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect((err as BodyTooLargeError).limit).toBe(10_000);
    expect((err as Error).message).toBe('answer larger than 10000 bytes');
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(20);
  });

  it('refuses a declared Content-Length past the bound before reading', async () => {
    const { res, seen } = streamed([new Uint8Array(10)], { 'content-length': '5000' });
    await expect(readBoundedText(res, 1000)).rejects.toThrow(BodyTooLargeError);
    expect(seen.cancelled).toBe(true);
    // At the bound exactly is within it.
    expect(await readBoundedText(streamed([new TextEncoder().encode('abc')], { 'content-length': '3' }).res, 3)).toBe('abc');
  });

  it('reads an empty body as an empty string', async () => {
    expect(await readBoundedText(new Response(null), 10)).toBe('');
    expect(await readBoundedText(new Response(''), 10)).toBe('');
    expect(await readBoundedBytes(new Response(null), 10)).toEqual(new Uint8Array(0));
  });
});
