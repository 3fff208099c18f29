/**
 * Lanes: connections leased to one stateful search (paged results, VLV) at
 * a time. Checked with a client factory that records which connection each
 * leased search ran on and whether two ever overlapped.
 */
import { describe, expect, it } from 'vitest';
import { toScimFromLdap } from '../src/errors.js';
import { type LdapClient, LdapPool } from '../src/pool.js';

/** Clients that only bind; each one counts the searches running on it at once. */
function factory() {
  const made: { id: number; running: number; most: number; open: boolean }[] = [];
  const make = () => {
    const me = { id: made.length, running: 0, most: 0, open: true };
    made.push(me);
    return {
      isConnected: true,
      isBound: true,
      async bind() {},
      async unbind() {
        me.open = false;
      },
      me,
    } as unknown as LdapClient;
  };
  return { made, make };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LdapPool lanes', () => {
  it('never runs two leased searches on one connection at once, however many wait', async () => {
    const f = factory();
    const pool = new LdapPool({ urls: ['ldap://x'], bindDn: 'cn=a', password: 'p', lanes: 3, clientFactory: f.make });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        pool.lease(async (l) => {
          const c = (await l.client()) as unknown as { me: { running: number; most: number } };
          c.me.running++;
          c.me.most = Math.max(c.me.most, c.me.running);
          await sleep(1 + (i % 3));
          c.me.running--;
          order.push(i);
        }),
      ),
    );
    expect(order).toHaveLength(40);
    expect(f.made).toHaveLength(3);
    expect(f.made.map((m) => m.most)).toEqual([1, 1, 1]);
    await pool.close();
  });

  it('serves waiters first come, first served', async () => {
    const f = factory();
    const pool = new LdapPool({ urls: ['ldap://x'], lanes: 1, clientFactory: f.make });
    const order: number[] = [];
    let release!: () => void;
    const first = pool.lease(() => new Promise<void>((r) => (release = r)));
    const rest = [1, 2, 3, 4].map((i) => pool.lease(async () => void order.push(i)));
    await sleep(5);
    expect(order).toEqual([]);
    release();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 2, 3, 4]);
    await pool.close();
  });

  it('hands a free lane the caller prefers, and a recycled lane reconnects', async () => {
    const f = factory();
    const pool = new LdapPool({ urls: ['ldap://x'], lanes: 3, clientFactory: f.make });
    const lanes = await Promise.all(
      [0, 1, 2].map(() =>
        pool.lease(async (l) => {
          await l.client();
          return l.lane;
        }),
      ),
    );
    expect(lanes.sort()).toEqual([0, 1, 2]);
    const picked = await pool.lease(
      async (l) => l.lane,
      (free) => free.findIndex((x) => x.lane === 2),
    );
    expect(picked).toBe(2);
    const before = await pool.lease(
      async (l) => l.connection,
      (free) => free.findIndex((x) => x.lane === 1),
    );
    const after = await pool.lease(
      async (l) => {
        await l.recycle();
        await l.client();
        return l.connection;
      },
      (free) => free.findIndex((x) => x.lane === 1),
    );
    expect(after).toBe(before + 1);
    expect(f.made.filter((m) => !m.open)).toHaveLength(1);
    await pool.close();
    expect(f.made.every((m) => !m.open)).toBe(true);
  });

  it('gives up waiting after the operation timeout with an error answered as 503', async () => {
    const f = factory();
    const pool = new LdapPool({ urls: ['ldap://x'], lanes: 1, timeoutMs: 30, clientFactory: f.make });
    let release!: () => void;
    const held = pool.lease(() => new Promise<void>((r) => (release = r)));
    const err = await pool.lease(async () => 'never').catch((e: unknown) => e);
    const scim = toScimFromLdap(err, { what: 'list users', retryAfter: 7 });
    expect(scim.status).toBe(503);
    expect(scim.headers['retry-after']).toBe('7');
    release();
    await held;
    // The lane is free again afterwards.
    expect(await pool.lease(async () => 'ok')).toBe('ok');
    await pool.close();
  });
});

describe('LdapPool lanes on close', () => {
  it('fails the searches still waiting for a lane', async () => {
    const f = factory();
    const pool = new LdapPool({ urls: ['ldap://x'], lanes: 1, clientFactory: f.make });
    let release!: () => void;
    const held = pool.lease(() => new Promise<void>((r) => (release = r)));
    const waiting = pool.lease(async () => 'never').catch((e: Error) => e.message);
    await pool.close();
    expect(await waiting).toMatch(/shut down/);
    release();
    await held;
  });
});
