import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callerCredentialTenants } from '../src/index.js';

const auth = (type: string) => ({ connection: { auth: { type } } });

describe('callerCredentialTenants', () => {
  it('is false when no tenant signs in with the caller’s credentials', () => {
    expect(callerCredentialTenants(undefined)).toBe(false);
    expect(callerCredentialTenants(null)).toBe(false);
    expect(callerCredentialTenants({ undefined: auth('basic'), hr: auth('oauth'), x: null, y: { connection: null } })).toBe(
      false,
    );
  });

  it('names exactly the tenants whose connection passes the caller’s credentials through', () => {
    const p = callerCredentialTenants({ hr: auth('passThrough'), undefined: auth('basic'), sales: auth('bearer') });
    if (p === false) throw new Error('expected a function');
    expect([p('hr'), p(undefined), p(''), p('undefined'), p('sales'), p('other')]).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    const d = callerCredentialTenants({ undefined: auth('passThrough'), hr: auth('basic') });
    if (d === false) throw new Error('expected a function');
    expect([d(undefined), d(''), d('hr')]).toEqual([true, true, false]);
  });

  it('agrees with each tenant’s own connection, for any section (property)', () => {
    const tenant = fc.constantFrom('undefined', 'hr', 'sales', '__proto__', 'constructor', 'a.b');
    const type = fc.constantFrom('passThrough', 'basic', 'bearer', 'PassThrough', 'passthrough');
    fc.assert(
      fc.property(fc.dictionary(tenant, type), fc.option(tenant, { nil: undefined }), (types, asked) => {
        const section = Object.fromEntries(Object.entries(types).map(([k, t]) => [k, auth(t)]));
        const p = callerCredentialTenants(section);
        const key = asked ?? 'undefined';
        const expected = Object.hasOwn(types, key) && types[key] === 'passThrough';
        if (p === false) return !Object.values(types).includes('passThrough');
        return p(asked) === expected;
      }),
    );
  });
});
