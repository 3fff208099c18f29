import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePassword, replaceDomains, roleNames, rolesAfter, streamSection } from '../src/index.js';

describe('replaceDomains', () => {
  const rules = [{ from: 'example.com', to: 'example.org' }];

  it('rewrites values that end in @from, anywhere in the document', () => {
    const doc = {
      userName: 'bjensen@Example.COM',
      emails: [{ value: 'b@example.com', type: 'work' }, { value: 'b@other.com' }],
      nested: { list: ['x@example.com', 'example.com', 'x@example.com.evil'] },
    };
    expect(replaceDomains(doc, rules)).toEqual({
      userName: 'bjensen@example.org',
      emails: [{ value: 'b@example.org', type: 'work' }, { value: 'b@other.com' }],
      nested: { list: ['x@example.org', 'example.com', 'x@example.com.evil'] },
    });
    expect(doc.userName).toBe('bjensen@Example.COM');
  });

  it('changes nothing without a matching rule (but drops __proto__ keys)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        const text = JSON.stringify(v).replace(/@/g, '');
        const noAt = JSON.parse(text) as unknown;
        const withoutProto = JSON.parse(text, (k, x) => (k === '__proto__' ? undefined : x)) as unknown;
        expect(replaceDomains(noAt, rules)).toStrictEqual(withoutProto);
      }),
    );
  });

  it('never gives a rebuilt object a prototype from the message (__proto__ keys at any depth)', () => {
    const message = JSON.parse(
      '{"__proto__":{"polluted":"x@example.com"},"a":{"__proto__":{"admin":true},"b":"y@example.com"},"l":[{"__proto__":[]}]}',
    ) as Record<string, unknown>;
    const out = replaceDomains(message, rules) as Record<string, Record<string, unknown> | unknown[]>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.a)).toBe(Object.prototype);
    expect(Object.getPrototypeOf((out.l as unknown[])[0])).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect((out.a as { admin?: unknown }).admin).toBeUndefined();
    expect(out).toStrictEqual({ a: { b: 'y@example.org' }, l: [{}] });
    expect(({} as { polluted?: unknown; admin?: unknown }).polluted).toBeUndefined();
  });
});

describe('generatePassword', () => {
  it('mixes character classes and never repeats itself', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      expect(p).toHaveLength(24);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[^A-Za-z0-9]/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});

describe('roles', () => {
  it('names roles by value, else display', () => {
    expect(roleNames([{ value: 'admin' }, { display: 'Sales' }, 'plain', { value: 'admin' }, {}])).toEqual([
      'admin',
      'Sales',
      'plain',
    ]);
    expect(roleNames(undefined)).toEqual([]);
  });

  it('follows add, remove, replace and clear', () => {
    const r = (op: 'add' | 'remove' | 'replace', value?: unknown) =>
      value === undefined
        ? ({ op: 'remove', path: { attr: 'roles' } } as const)
        : ({ op, path: { attr: 'roles' }, value } as never);
    expect(rolesAfter(['a'], [r('add', [{ value: 'b' }])])).toEqual(['a', 'b']);
    expect(rolesAfter(['a', 'b'], [r('remove', [{ value: 'a' }])])).toEqual(['b']);
    expect(rolesAfter(['a', 'b'], [r('replace', [{ value: 'c' }])])).toEqual(['c']);
    expect(rolesAfter(['a', 'b'], [r('remove')])).toEqual([]);
    expect(rolesAfter(['a'], [{ op: 'replace', path: { attr: 'roles', sub: 'primary' }, value: true }])).toEqual(['a']);
  });
});

describe('the stream section', () => {
  it('accepts the older product’s shape as it ships (everything off, nulls)', () => {
    const r = streamSection.validate({
      baseUrls: [],
      certificate: { ca: null },
      subscriber: {
        enabled: false,
        entity: {
          undefined: {
            nats: { tenant: null, subject: null, jwt: null, secret: null },
            deleteUserOnLastGroupRoleRemoval: false,
            skipConvertRolesToGroups: false,
            generateUserPassword: false,
            modifyOnly: false,
            replaceDomains: [],
          },
        },
      },
      publisher: { enabled: false, entity: { undefined: { nats: { tenant: null, subject: null, jwt: null, secret: null } } } },
    });
    expect(r.ok).toBe(true);
  });

  it('names what an enabled side misses', () => {
    const r = streamSection.validate({
      subscriber: { enabled: true, entity: { clientA: { nats: { subject: 'GW.A', jwt: 'eyJ…' } } } },
      publisher: { enabled: true },
    });
    expect(r.ok).toBe(false);
    const issues = r.ok ? [] : r.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'baseUrls: is required when publisher.enabled is true',
        'publisher.entity: needs at least one tenant when publisher.enabled is true (`undefined` is the default tenant)',
        'subscriber.entity.clientA.nats.tenant: is required when subscriber.enabled is true',
        'subscriber.entity.clientA.nats.secret: is required with jwt (the nkey seed)',
      ]),
    );
  });

  it('refuses subjects with wildcards or spaces, and unknown keys', () => {
    const bad = (nats: object) =>
      streamSection.validate({ baseUrls: ['nats://x'], publisher: { enabled: true, entity: { undefined: { nats } } } });
    expect(bad({ tenant: 'T', subject: 'GW.*' }).ok).toBe(false);
    expect(bad({ tenant: 'T', subject: 'GW .A' }).ok).toBe(false);
    expect(bad({ tenant: 'T.x', subject: 'GW' }).ok).toBe(false);
    expect(bad({ tenant: 'T', subject: 'GW.A' }).ok).toBe(true);
    const unknown = streamSection.validate({ publisher: { enabeld: true } });
    expect(unknown.ok ? [] : unknown.issues[0]?.message).toMatch(/did you mean "enabled"/);
  });
});
