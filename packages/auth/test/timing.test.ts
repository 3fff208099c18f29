import type * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

// Count constant-time compares: the work must not depend on whether the user exists.
const counter = vi.hoisted(() => ({ compares: 0, lengths: [] as number[] }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      counter.compares++;
      counter.lengths.push(a.byteLength, b.byteLength);
      return real.timingSafeEqual(a, b);
    },
  };
});

const { createAuthenticator } = await import('../src/index.js');
const { basicHeader, bearer, req } = await import('./helpers.js');

async function comparesFor(header: string, a: Awaited<ReturnType<typeof createAuthenticator>>): Promise<number> {
  counter.compares = 0;
  await a.authenticate(req({ auth: header }));
  return counter.compares;
}

describe('constant work whether or not the identity exists', () => {
  it('basic: unknown user, wrong password and right password cost the same compares', async () => {
    const a = await createAuthenticator({
      rateLimit: false,
      auth: {
        basic: [
          { username: 'alice', password: 'alice-pw' },
          { username: 'bob', password: 'bob-pw' },
          { username: 'carol', password: 'carol-pw' },
        ],
      },
    });
    const unknown = await comparesFor(basicHeader('mallory', 'alice-pw'), a);
    const wrong = await comparesFor(basicHeader('bob', 'nope'), a);
    const right = await comparesFor(basicHeader('carol', 'carol-pw'), a);
    expect(unknown).toBeGreaterThanOrEqual(3); // one digest of identifier and secret for each of 3 entries
    expect(wrong).toBe(unknown);
    expect(right).toBe(unknown);
  });

  it('bearer tokens: every entry is compared, match or not', async () => {
    const a = await createAuthenticator({
      rateLimit: false,
      auth: { bearerToken: [{ token: 'one-token' }, { token: 'two-token' }, { token: 'three-token' }] },
    });
    const first = await comparesFor(bearer('one-token'), a);
    const none = await comparesFor(bearer('no-token'), a);
    expect(first).toBe(3);
    expect(none).toBe(3);
  });

  it('compares fixed-length digests, never the raw secrets', async () => {
    const a = await createAuthenticator({
      rateLimit: false,
      auth: { basic: [{ username: 'u', password: 'short' }], bearerToken: [{ token: 'tok' }] },
    });
    counter.lengths = [];
    for (const pw of ['', 'x', 'short', 'a'.repeat(1000)]) await a.authenticate(req({ auth: basicHeader('u', pw) }));
    await a.authenticate(req({ auth: bearer('t'.repeat(500)) }));
    expect(counter.lengths.length).toBeGreaterThan(0);
    expect(new Set(counter.lengths)).toEqual(new Set([32]));
  });
});
