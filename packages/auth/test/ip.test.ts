import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrContains, formatIp, IpMatcher, normalizeIp, parseCidr, parseIp } from '../src/ip.js';
import { resolveClientAddress } from '../src/proxy.js';
import { rateLimitKey } from '../src/ratelimit.js';

describe('parseIp / formatIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0102:0304', '1.2.3.4'],
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2603:1056:2000::5]', '2603:1056:2000::5'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s → %s', (input, out) => {
    expect(normalizeIp(input)).toBe(out);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-4',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::',
    'g::1',
    'localhost',
    ' ',
    '::ffff:1.2.3.256',
  ])('rejects %j', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  it('round-trips every IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(normalizeIp(ip)).toBe(ip);
        expect(parseIp(`::ffff:${ip}`)).toBe(parseIp(ip));
      }),
    );
  });

  it('round-trips every IPv6 address through its canonical form', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const a = parseIp(ip);
        expect(a).toBeDefined();
        expect(parseIp(formatIp(a!))).toBe(a);
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const a = parseIp(s);
        expect(a === undefined || (a >= 0n && a < 1n << 128n)).toBe(true);
        parseCidr(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CIDR', () => {
  it('matches IPv4 blocks, also for IPv4-mapped IPv6 clients', () => {
    const c = parseCidr('13.66.141.64/27')!;
    expect(cidrContains(c, parseIp('13.66.141.64')!)).toBe(true);
    expect(cidrContains(c, parseIp('13.66.141.95')!)).toBe(true);
    expect(cidrContains(c, parseIp('::ffff:13.66.141.70')!)).toBe(true);
    expect(cidrContains(c, parseIp('13.66.141.96')!)).toBe(false);
    expect(cidrContains(c, parseIp('13.66.141.63')!)).toBe(false);
  });

  it('matches IPv6 blocks', () => {
    const c = parseCidr('2603:1056:2000::/48')!;
    expect(cidrContains(c, parseIp('2603:1056:2000:ffff::1')!)).toBe(true);
    expect(cidrContains(c, parseIp('2603:1056:2001::1')!)).toBe(false);
    expect(cidrContains(c, parseIp('1.2.3.4')!)).toBe(false);
  });

  it('bare addresses are single hosts and host bits are cleared', () => {
    expect(parseCidr('10.0.0.1')!.prefix).toBe(128);
    expect(parseCidr('10.1.2.3/8')!.base).toBe(parseIp('10.0.0.0'));
    expect(parseCidr('0.0.0.0/0')!.prefix).toBe(96);
    expect(cidrContains(parseCidr('::/0')!, parseIp('1.2.3.4')!)).toBe(true);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/08', '/8', 'x/8'])('rejects %j', (t) => {
    expect(parseCidr(t)).toBeUndefined();
  });

  it('an address is always inside its own /n block (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (ip, bits, other) => {
        const c = parseCidr(`${ip}/${bits}`)!;
        expect(cidrContains(c, parseIp(ip)!)).toBe(true);
        // Agreement with a plain 32-bit computation.
        const toInt = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const same = (toInt(ip) & mask) >>> 0 === (toInt(other) & mask) >>> 0;
        expect(cidrContains(c, parseIp(other)!)).toBe(same);
      }),
    );
  });

  it('IpMatcher.compile names the bad entry', () => {
    expect(() => IpMatcher.compile(['10.0.0.0/8', 'nope'], 'ipAllowList')).toThrow(/^ipAllowList\[1\]: /);
    const m = IpMatcher.compile(['10.0.0.0/8', '::1'], 'x');
    expect(m.matches('10.9.9.9')).toBe(true);
    expect(m.matches('::ffff:10.9.9.9')).toBe(true);
    expect(m.matches('::1')).toBe(true);
    expect(m.matches('11.0.0.1')).toBe(false);
    expect(m.matches('garbage')).toBe(false);
  });
});

describe('resolveClientAddress', () => {
  const trusted = IpMatcher.compile(['10.0.0.0/8', 'fd00::/8'], 'trustedProxies');

  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(resolveClientAddress({ 'x-forwarded-for': '13.66.141.70' }, '203.0.113.9', undefined)).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For sent by an untrusted peer (spoofing)', () => {
    expect(resolveClientAddress({ 'x-forwarded-for': '13.66.141.70' }, '203.0.113.9', trusted)).toBe('203.0.113.9');
  });

  it('takes the first untrusted hop from the right', () => {
    // The client itself wrote "13.66.141.70"; the proxy appended the real peer 203.0.113.9.
    const h = { 'x-forwarded-for': '13.66.141.70, 203.0.113.9' };
    expect(resolveClientAddress(h, '10.0.0.5', trusted)).toBe('203.0.113.9');
    expect(resolveClientAddress({ 'x-forwarded-for': '203.0.113.9, 10.1.1.1' }, '::ffff:10.0.0.5', trusted)).toBe('203.0.113.9');
    expect(resolveClientAddress({ 'X-Forwarded-For': ['198.51.100.1', '10.2.2.2'] }, '10.0.0.5', trusted)).toBe('198.51.100.1');
  });

  it('strips ports and handles IPv6 hops', () => {
    expect(resolveClientAddress({ 'x-forwarded-for': '[2001:db8::7]:4711' }, 'fd00::1', trusted)).toBe('2001:db8::7');
    expect(resolveClientAddress({ 'x-forwarded-for': '198.51.100.1:5555' }, '10.0.0.1', trusted)).toBe('198.51.100.1');
  });

  it('returns the leftmost hop when all are trusted, and stops at garbage', () => {
    expect(resolveClientAddress({ 'x-forwarded-for': '10.3.3.3, 10.2.2.2' }, '10.0.0.1', trusted)).toBe('10.3.3.3');
    expect(resolveClientAddress({ 'x-forwarded-for': '1.1.1.1, unknown' }, '10.0.0.1', trusted)).toBe('unknown');
  });
});

describe('rateLimitKey', () => {
  it('groups IPv6 by /64 and normalises mapped IPv4', () => {
    expect(rateLimitKey('2001:db8:1:2:aaaa::1')).toBe(rateLimitKey('2001:db8:1:2:bbbb::9'));
    expect(rateLimitKey('2001:db8:1:2::1')).not.toBe(rateLimitKey('2001:db8:1:3::1'));
    expect(rateLimitKey('::ffff:1.2.3.4')).toBe('1.2.3.4');
  });
});

describe('FailureLimiter', () => {
  it('reports the failure that reaches the limit, bounds memory and forgets expired windows', async () => {
    const { FailureLimiter } = await import('../src/ratelimit.js');
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 2, windowSeconds: 10, maxTracked: 3 }, () => now);
    expect(l.recordFailure('1.1.1.1')).toBe(false);
    expect(l.recordFailure('1.1.1.1')).toBe(true);
    expect(l.recordFailure('1.1.1.1')).toBe(false);
    expect(l.check('1.1.1.1')).toEqual({ blocked: true, retryAfterSeconds: 10 });
    for (const a of ['2.2.2.2', '3.3.3.3', '4.4.4.4']) l.recordFailure(a);
    expect(l.size).toBe(3);
    expect(l.check('1.1.1.1')).toEqual({ blocked: false }); // evicted as the oldest
    now = 10_000;
    expect(l.check('2.2.2.2')).toEqual({ blocked: false });
    expect(l.size).toBe(2);
  });
});
