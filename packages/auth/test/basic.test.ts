import { describe, expect, it } from 'vitest';
import { createAuthenticatorWith } from '../src/authenticator.js';
import { createAuthenticator, hashPassword, parseBasicCredentials } from '../src/index.js';
import { type ScryptHash, verifyScrypt } from '../src/password.js';
import { basicHeader, req } from './helpers.js';

const FAST = { N: 1024, r: 8, p: 1 };

function countingVerify() {
  const calls: number[] = [];
  const verifyHash = async (plain: string, hash: ScryptHash) => {
    calls.push(Date.now());
    return verifyScrypt(plain, hash);
  };
  return { calls, verifyHash };
}

describe('basic: plaintext passwords', () => {
  const config = {
    rateLimit: false as const,
    auth: {
      basic: [
        { username: 'gwadmin', password: 'password', readOnly: false, baseEntities: [] },
        { username: null, password: 'ignored' },
        { username: 'reader', password: 'pa:ss:wörd', readOnly: true },
      ],
    },
  };

  it('accepts a configured user', async () => {
    const a = await createAuthenticator(config);
    const r = await a.authenticate(req({ auth: basicHeader('gwadmin', 'password') }));
    expect(r).toEqual({ ok: true, principal: { name: 'gwadmin', method: 'basic', readOnly: false, baseEntities: [] } });
  });

  it('splits at the first colon and decodes UTF-8', async () => {
    const a = await createAuthenticator(config);
    const r = await a.authenticate(req({ auth: basicHeader('reader', 'pa:ss:wörd') }));
    expect(r.ok && r.principal).toMatchObject({ name: 'reader', readOnly: true });
  });

  it.each([
    ['wrong password', basicHeader('gwadmin', 'Password')],
    ['unknown user', basicHeader('nobody', 'password')],
    ['disabled entry', basicHeader('null', 'ignored')],
    ['empty', 'Basic '],
    ['no colon', `Basic ${Buffer.from('gwadmin').toString('base64')}`],
    ['not base64', 'Basic ***'],
    ['password prefix', basicHeader('gwadmin', 'passwor')],
  ])('refuses %s with 401 and a Basic challenge', async (_name, header) => {
    const a = await createAuthenticator(config);
    const r = await a.authenticate(req({ auth: header }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(401);
    expect(r.headers['WWW-Authenticate']).toMatch(/^Basic realm="scimgw"/);
    expect(r.detail).toBe('invalid credentials');
  });

  it('answers unknown users and wrong passwords identically', async () => {
    const a = await createAuthenticator(config);
    const unknown = await a.authenticate(req({ auth: basicHeader('nobody', 'x') }));
    const wrong = await a.authenticate(req({ auth: basicHeader('gwadmin', 'x') }));
    expect(unknown).toEqual(wrong);
  });

  it('missing credentials: 401 with a challenge', async () => {
    const a = await createAuthenticator(config);
    const r = await a.authenticate(req());
    expect(r).toMatchObject({ ok: false, status: 401, headers: { 'WWW-Authenticate': 'Basic realm="scimgw", charset="UTF-8"' } });
  });

  it('parseBasicCredentials', () => {
    expect(parseBasicCredentials(Buffer.from('a:b:c').toString('base64'))).toEqual({ username: 'a', password: 'b:c' });
    expect(parseBasicCredentials(Buffer.from(':').toString('base64'))).toEqual({ username: '', password: '' });
    expect(parseBasicCredentials('!!')).toBeUndefined();
    expect(parseBasicCredentials('x'.repeat(9000))).toBeUndefined();
  });
});

describe('basic: hashed passwords', () => {
  it('verifies a hash once, then serves from the cache', async () => {
    const hash = await hashPassword('s3cret', FAST);
    const c = countingVerify();
    const a = await createAuthenticatorWith(
      { rateLimit: false, auth: { basic: [{ username: 'gw', password: hash }] } },
      { credentials: { verifyHash: c.verifyHash } },
    );
    for (let i = 0; i < 50; i++) {
      const r = await a.authenticate(req({ auth: basicHeader('gw', 's3cret') }));
      expect(r.ok).toBe(true);
    }
    expect(c.calls.length).toBe(1);
  });

  it('runs one hash for many concurrent first requests', async () => {
    const hash = await hashPassword('s3cret', FAST);
    const c = countingVerify();
    const a = await createAuthenticatorWith(
      { rateLimit: false, auth: { basic: [{ username: 'gw', password: hash }] } },
      { credentials: { verifyHash: c.verifyHash } },
    );
    const rs = await Promise.all(Array.from({ length: 30 }, () => a.authenticate(req({ auth: basicHeader('gw', 's3cret') }))));
    expect(rs.every((r) => r.ok)).toBe(true);
    expect(c.calls.length).toBe(1);
  });

  it('unknown users cost one dummy hash too (no timing oracle), and refusals are cached', async () => {
    const hash = await hashPassword('s3cret', FAST);
    const c = countingVerify();
    const a = await createAuthenticatorWith(
      { rateLimit: false, auth: { basic: [{ username: 'gw', password: hash }] } },
      { credentials: { verifyHash: c.verifyHash } },
    );
    expect((await a.authenticate(req({ auth: basicHeader('nobody', 's3cret') }))).ok).toBe(false);
    expect(c.calls.length).toBe(1);
    expect((await a.authenticate(req({ auth: basicHeader('gw', 'wrong') }))).ok).toBe(false);
    expect(c.calls.length).toBe(2);
    // Repeats are answered from the refusal cache.
    expect((await a.authenticate(req({ auth: basicHeader('nobody', 's3cret') }))).ok).toBe(false);
    expect((await a.authenticate(req({ auth: basicHeader('gw', 'wrong') }))).ok).toBe(false);
    expect(c.calls.length).toBe(2);
  });

  it('mixes hashed and plaintext users; same user with two passwords', async () => {
    const hash = await hashPassword('new', FAST);
    const a = await createAuthenticator({
      rateLimit: false,
      auth: {
        basic: [
          { username: 'gw', password: hash, readOnly: false },
          { username: 'gw', password: 'old', readOnly: true },
          { username: 'other', password: 'x' },
        ],
      },
    });
    const n = await a.authenticate(req({ auth: basicHeader('gw', 'new') }));
    const o = await a.authenticate(req({ auth: basicHeader('gw', 'old') }));
    expect(n.ok && n.principal.readOnly).toBe(false);
    expect(o.ok && o.principal.readOnly).toBe(true);
    expect((await a.authenticate(req({ auth: basicHeader('gw', 'x') }))).ok).toBe(false);
  });

  it('rejects a malformed hash at startup without echoing it', async () => {
    const bad = '$scrypt$1024$8$1$tooshort$aGFzaGhhc2hoYXNoaGFzaA';
    const err = await createAuthenticator({ auth: { basic: [{ username: 'gw', password: bad }] } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^auth\.basic\[0\]\.password: malformed password hash/);
    expect((err as Error).message).not.toContain('tooshort');
  });
});
