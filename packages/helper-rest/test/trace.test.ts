import { describe, expect, it } from 'vitest';
import { tracedExchange } from '../src/trace.js';

describe('tracedExchange without a traced request', () => {
  it("sends the caller's headers untouched and makes no span (tracing is off unless the host traces)", async () => {
    const headers = { accept: 'application/json' };
    let sent: Record<string, string> | undefined;
    const r = await tracedExchange('GET', 'http://127.0.0.1:1/x', headers, async (h) => {
      sent = h;
      return { status: 200 };
    });
    expect(r.status).toBe(200);
    expect(sent).toBe(headers);
    expect(sent).toEqual({ accept: 'application/json' });
  });

  it('passes errors through', async () => {
    await expect(tracedExchange('GET', 'not a url', {}, () => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
  });
});
