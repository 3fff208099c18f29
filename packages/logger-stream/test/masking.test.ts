import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, createMasker } from '../src/index.js';

const m = createMasker({ customMasking: ['SSN', 'weight'] });
const json = (v: unknown) => JSON.stringify(m.mask(v));

describe('masking structured values', () => {
  it.each([
    ['password', { password: 'p1' }],
    ['Password (case)', { Password: 'p1' }],
    ['PASSWORD (case)', { PASSWORD: 'p1' }],
    ['client_secret', { client_secret: 'p1' }],
    ['clientSecret', { clientSecret: 'p1' }],
    ['access_token', { access_token: 'p1' }],
    ['refreshToken', { refreshToken: 'p1' }],
    ['Authorization header', { headers: { Authorization: 'Bearer p1' } }],
    ['authorization header', { headers: { authorization: 'Basic p1' } }],
    ['x-api-key', { 'x-api-key': 'p1' }],
    ['unicodePwd', { unicodePwd: 'p1' }],
    ['userPassword', { userPassword: ['p1'] }],
    ['custom SSN', { ssn: 'p1' }],
    ['custom Weight', { Weight: 'p1' }],
    ['urn-qualified key', { 'urn:ietf:params:scim:schemas:core:2.0:User:password': 'p1' }],
    ['nested in arrays', { a: [{ b: [{ secret: 'p1' }] }] }],
  ])('%s', (_name, value) => {
    const out = json(value);
    expect(out).not.toContain('p1');
    expect(out).toContain(MASK);
  });

  it('masks PATCH operations by path, URN path, and value objects', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'password', value: 'x-plain-1' },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'x-urn-2' },
        { op: 'replace', value: { password: 'x-obj-3', active: true } },
        { op: 'add', path: 'password', value: { nested: 'x-whole-4' } },
        { op: 'replace', path: 'displayName', value: 'Babs Jensen' },
      ],
    };
    const out = json(body);
    for (const s of ['x-plain-1', 'x-urn-2', 'x-obj-3', 'x-whole-4']) expect(out).not.toContain(s);
    expect(out).toContain('Babs Jensen');
    expect(out).toContain('"active":true');
  });

  it('masks LDAP-style changes that name the attribute beside its values', () => {
    const change = { operation: 'replace', modification: { type: 'unicodePwd', values: ['"ldap-pw"'] } };
    expect(json(change)).not.toContain('ldap-pw');
  });

  it('leaves non-secret look-alikes alone', () => {
    const v = {
      tokenUrl: 'https://idp/token',
      token_type: 'Bearer',
      serviceAccountKeyFile: 'key.json',
      userName: 'bjensen',
      passwordPolicy: 'default',
    };
    expect(m.mask(v)).toBe(v);
  });

  it('never mutates and returns the same reference when nothing is secret', () => {
    const clean = { userName: 'bjensen', emails: [{ value: 'b@example.com', type: 'work' }] };
    expect(m.mask(clean)).toBe(clean);
    const dirty = { userName: 'bjensen', password: 'x' };
    const out = m.mask(dirty) as Record<string, unknown>;
    expect(dirty.password).toBe('x');
    expect(out.password).toBe(MASK);
    expect(out).not.toBe(dirty);
  });

  it('keeps empty secrets visibly empty', () => {
    expect(m.mask({ password: '', token: null })).toEqual({ password: '', token: null });
  });

  it('serialises and masks errors, including causes', () => {
    const err = new Error('login failed password=hunter22', { cause: new Error('token: abcdef123') });
    const out = json({ err });
    expect(out).not.toContain('hunter22');
    expect(out).not.toContain('abcdef123');
    expect(out).toContain('login failed');
  });

  it('survives cycles, deep nesting, buffers, maps and sets', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    let deep: Record<string, unknown> = { password: 'deep-pw' };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const out = json({ a, deep, buf: Buffer.from('raw-pw'), map: new Map([['secret', 'map-pw']]), set: new Set(['x']) });
    expect(out).toContain('[Circular]');
    expect(out).not.toContain('map-pw');
    expect(out).not.toContain('raw-pw');
    expect(out).not.toContain('deep-pw');
  });

  it('blanks literal secret values anywhere once registered', () => {
    const mm = createMasker({ secretValues: ['Sup3r-Literal'] });
    expect(mm.maskString('connect failed with Sup3r-Literal for user x')).not.toContain('Sup3r-Literal');
    mm.addSecretValue('abc'); // too short to be meaningful: ignored
    expect(mm.maskString('abc')).toBe('abc');
  });
});

describe('masking strings', () => {
  it.each([
    ['whole JSON', '{"userName":"a","password":"s-1"}', 's-1'],
    ['JSON array', '[{"op":"replace","path":"password","value":"s-2"}]', 's-2'],
    ['embedded JSON', 'body={"Operations":[{"op":"replace","path":"password","value":"s-3"}]} done', 's-3'],
    ['escaped JSON inside JSON', '{"raw":"{\\"password\\":\\"s-4\\"}"}', 's-4'],
    ['truncated JSON', '{"password":"s-5","userName":"x", ...', 's-5'],
    [
      'SOAP element',
      '<soap:Body><ns:setPassword><ns:user>bob</ns:user><ns:password>s-6</ns:password></ns:setPassword></soap:Body>',
      's-6',
    ],
    ['XML element with attributes', '<password xsi:type="xsd:string">s-7</password>', 's-7'],
    ['XML CDATA', '<ns:Password><![CDATA[s-8]]></ns:Password>', 's-8'],
    ['XML attribute', '<login user="bob" password="s-9"/>', 's-9'],
    ['Authorization header', 'headers: Authorization: Bearer s-10.abc.def', 's-10'],
    ['bearer anywhere', 'sent with Bearer eyJs11abcdef', 'eyJs11abcdef'],
    [
      'basic credential',
      'Basic ' + Buffer.from('gwadmin:s-12-pw').toString('base64'),
      Buffer.from('gwadmin:s-12-pw').toString('base64'),
    ],
    ['form body', 'grant_type=client_credentials&client_secret=s-13&scope=x', 's-13'],
    ['query string', '/Users?access_token=s-14&x=1', 's-14'],
    ['key: value', 'password: s-15', 's-15'],
    ['url userinfo', 'ldaps://admin:s-16@dc1.example.com:636', 's-16'],
    ['PEM key', '-----BEGIN PRIVATE KEY-----\nMIIs17\n-----END PRIVATE KEY-----', 'MIIs17'],
    ['custom name', '{"SSN":"s-18"}', 's-18'],
    ['filter on a secret attribute', 'filter=password eq "s-19" and userName eq "bob"', 's-19'],
    ['filter on a custom name, URN-qualified', 'filter=urn:acme:2.0:User:SSN eq "s-20"', 's-20'],
    ['filter value unquoted (Entra)', 'filter=userName eq bob or ssn ne s-21', 's-21'],
    ['search body filter', '{"filter":"password co \\"s-22\\""}', 's-22'],
  ])('%s', (_name, input, secret) => {
    const out = m.maskString(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(MASK);
  });

  it('leaves ordinary prose alone', () => {
    for (const s of [
      'filter=userName eq "bjensen" and emails[type eq "work"].value co "@example.com"',
      'GET /Users 200 3ms',
      'Basic authentication is enabled',
      'user bjensen created',
      '<ns:user>bob</ns:user>',
    ]) {
      expect(m.maskString(s)).toBe(s);
    }
  });
});

describe('masking properties', () => {
  const sensitiveKey = fc.constantFrom(
    'password',
    'Password',
    'client_secret',
    'ACCESS_TOKEN',
    'unicodePwd',
    'apiKey',
    'ssn',
    'Authorization',
  );
  const secret = fc.stringMatching(/^[A-Za-z0-9]{6,16}$/).map((s) => `Zq9${s}`);
  const safeKey = fc.constantFrom('userName', 'displayName', 'emails', 'value', 'type', 'members', 'meta', 'active');

  it('a secret placed under a sensitive key at any depth never survives', () => {
    fc.assert(
      fc.property(fc.array(safeKey, { maxLength: 6 }), sensitiveKey, secret, fc.boolean(), (pathKeys, key, s, asString) => {
        let v: unknown = { [key]: s };
        for (const k of pathKeys.reverse()) v = { [k]: v, other: 'plain' };
        const input = asString ? JSON.stringify(v) : v;
        const out = m.mask(input);
        expect(typeof out === 'string' ? out : JSON.stringify(out)).not.toContain(s);
      }),
    );
  });

  it('never throws, and masking is idempotent, for any JSON value or string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.json()), (v) => {
        const once = m.mask(v);
        expect(m.mask(once)).toEqual(once);
      }),
    );
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withDate: true, withTypedArray: true }), (v) => {
        m.mask(v);
      }),
    );
  });

  it('leaves objects built only from safe keys and plain values unchanged', () => {
    const plain = fc.stringMatching(/^[a-z ]{0,12}$/).filter((s) => !/pass|pwd|pin|secret|token|otp|sas|session|cookie/.test(s));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        plain,
        fc.integer(),
        fc.boolean(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(safeKey, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (v) => {
        expect(m.mask(v)).toBe(v);
      }),
    );
  });
});

describe('the path of a request line', () => {
  it('shows the query decoded, and masked', async () => {
    const { shownPath } = await import('../src/request-log.js');
    const mm = createMasker({ customMasking: ['SSN'] });
    const show = (p: string) => shownPath(p, mm.mask);
    expect(show('/Users')).toBe('/Users');
    expect(show('/acme/Users?filter=userName%20eq%20%22bjensen%22&count=10')).toBe(
      '/acme/Users?filter=userName eq "bjensen"&count=10',
    );
    expect(show('/Users?filter=userName+eq+%22a%2Bb%22')).toBe('/Users?filter=userName eq "a+b"');
    expect(show('/Users?filter=%E0%A4%A')).toBe('/Users?filter=%E0%A4%A');
    for (const secret of [
      '/Users?access_token=Zq9-tok',
      '/Users?filter=SSN%20eq%20%22Zq9-ssn%22',
      '/Users?filter=password eq "Zq9-pw"',
    ]) {
      expect(show(secret)).not.toMatch(/Zq9/);
      expect(show(secret)).toContain(MASK);
    }
  });
});
