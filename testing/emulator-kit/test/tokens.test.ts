import { describe, expect, it } from 'vitest';
import { BearerTokenStore, bearerToken, type StoredToken } from '../src/index.js';

interface Token extends StoredToken {
  readonly user: string;
}

describe('BearerTokenStore', () => {
  it('finds a token until it expires, then forgets it', () => {
    const store = new BearerTokenStore<Token>({ lifetimeSeconds: 60 });
    const issued = store.issue({ user: 'alice' }, 1000);
    expect(issued).toEqual({ user: 'alice', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: 61_000 });
    expect(store.find(issued.token, 60_999)).toBe(issued);
    expect(store.find(issued.token, 61_000)).toBeUndefined();
    // Forgotten: even a clock turned back does not bring it back.
    expect(store.find(issued.token, 1000)).toBeUndefined();
    expect(store.find('unknown', 1000)).toBeUndefined();
  });

  it('makes tokens in the shape asked for', () => {
    let n = 0;
    const store = new BearerTokenStore<Token>({ lifetimeSeconds: 1, newToken: () => `ya29.${++n}` });
    expect(store.issue({ user: 'a' }, 0).token).toBe('ya29.1');
    expect(store.issue({ user: 'b' }, 0).token).toBe('ya29.2');
  });

  it('expireTokens() makes every token issued so far invalid, not later ones', () => {
    const store = new BearerTokenStore<Token>({ lifetimeSeconds: 60 });
    const before = store.issue({ user: 'alice' }, 0);
    store.expireTokens();
    expect(store.find(before.token, 0)).toBeUndefined();
    const after = store.issue({ user: 'alice' }, 0);
    expect(store.find(after.token, 0)).toBe(after);
  });

  it('newest() is the last valid token that matches; revoke() removes those that match', () => {
    const store = new BearerTokenStore<Token>({ lifetimeSeconds: 10 });
    const old = store.issue({ user: 'alice' }, 0);
    const newer = store.issue({ user: 'alice' }, 5000);
    const bob = store.issue({ user: 'bob' }, 5000);
    const alice = (t: Token) => t.user === 'alice';
    expect(store.newest(6000, alice)).toBe(newer);
    expect(store.newest(15_000, alice)).toBeUndefined();
    store.revoke((t) => t.token === newer.token);
    expect(store.newest(6000, alice)).toBe(old);
    store.revoke(alice);
    expect(store.find(old.token, 6000)).toBeUndefined();
    expect(store.find(bob.token, 6000)).toBe(bob);
  });
});

describe('bearerToken', () => {
  it('reads the token of an Authorization header (RFC 6750 §2.1)', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer abc.DEF-_~+/==')).toBe('abc.DEF-_~+/==');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
  });
});
