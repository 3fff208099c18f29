import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSection, didYouMean, JsonSyntaxError, keysAt, parseJsonText, z } from '../src/index.js';

const section = configSection(
  z.strictObject({
    ldap: z.strictObject({
      baseUrls: z.array(z.url()).min(1),
      userBase: z.string(),
      groupBase: z.string().optional(),
      pageSize: z.number().int().min(1).default(500),
    }),
    persistence: z.boolean().default(true),
    mode: z.union([z.literal('table'), z.strictObject({ users: z.string() })]).optional(),
  }),
  { title: 'test section' },
);

describe('configSection: validate', () => {
  it('applies defaults and returns the typed value', () => {
    const r = section.validate({ ldap: { baseUrls: ['ldap://x'], userBase: 'ou=p' } });
    expect(r).toEqual({
      ok: true,
      value: { ldap: { baseUrls: ['ldap://x'], userBase: 'ou=p', pageSize: 500 }, persistence: true },
    });
  });

  it('names every problem by path: unknown keys with did-you-mean, wrong types, missing values', () => {
    const r = section.validate({ ldap: { baseUrls: ['not a url'], usrBase: 'ou=p', pageSize: 0 }, persistence: 'yes', extra: 1 });
    expect(r.ok).toBe(false);
    const issues = r.ok ? [] : r.issues;
    const at = (p: string) => issues.filter((i) => i.path.join('.') === p).map((i) => i.message);
    expect(at('ldap.usrBase')).toEqual([
      expect.stringMatching(/^unknown key \(did you mean "userBase"\?\); known keys: baseUrls, userBase, groupBase, pageSize$/),
    ]);
    expect(at('ldap.userBase')).toEqual(['is required (string)']);
    expect(at('ldap.baseUrls.0')).toEqual(['must be a valid url, got the string "not a url"']);
    expect(at('ldap.pageSize')).toEqual(['must be at least 1, got number 0']);
    expect(at('persistence')).toEqual(['expected boolean, got the string "yes"']);
    expect(at('extra')[0]).toMatch(/^unknown key; known keys: ldap, persistence, mode$/);
  });

  it('carries a static pass-through declaration, typed by the section, and none unless given', () => {
    expect(section.passThroughAuth).toBeUndefined();
    const s = configSection(z.strictObject({ callerSignsIn: z.boolean().default(false) }), {
      passThroughAuth: (c) => c.callerSignsIn,
    });
    const checked = (raw: unknown) => {
      const r = s.validate(raw);
      if (!r.ok) throw new Error('invalid');
      return s.passThroughAuth?.(r.value);
    };
    expect(checked({})).toBe(false);
    expect(checked({ callerSignsIn: true })).toBe(true);
  });

  it('says "greater than" for an exclusive bound, and gives a pattern its own message', () => {
    const s = configSection(
      z.strictObject({
        deadline: z.number().positive().optional(),
        method: z
          .string()
          .regex(/^(?:GET|PUT)$/, 'must be GET or PUT')
          .optional(),
      }),
    );
    const r = s.validate({ deadline: 0, method: 'POST' });
    expect(r.ok ? [] : r.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'deadline: must be greater than 0, got number 0',
      'method: must be GET or PUT, got the string "POST"',
    ]);
    // A function given in code is named, not printed.
    const f = s.validate({ method: () => 'GET' });
    expect(f.ok ? '' : f.issues[0]?.message).toBe('expected string, got a function');
  });

  it('never repeats the value of a secret in a message', () => {
    const s = configSection(
      z.strictObject({
        auth: z.strictObject({ password: z.string(), clientSecret: z.string(), apiToken: z.string(), port: z.number() }),
      }),
    );
    const r = s.validate({ auth: { password: 271828, clientSecret: true, apiToken: 314159, port: 'http' } });
    expect(r.ok ? [] : r.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'auth.password: expected string',
      'auth.clientSecret: expected string',
      'auth.apiToken: expected string',
      'auth.port: expected number, got the string "http"',
    ]);
  });

  it('explains a union by the alternative that got furthest', () => {
    const r = section.validate({ ldap: { baseUrls: ['ldap://x'], userBase: 'u' }, mode: { users: 3 } });
    expect(r.ok ? [] : r.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'mode.users: expected string, got number 3',
    ]);
  });
});

describe('configSection: the JSON Schema agrees with the validator', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const check = ajv.compile(section.jsonSchema);
  const corpus: unknown[] = [
    { ldap: { baseUrls: ['ldap://x'], userBase: 'ou=p' } },
    {
      ldap: { baseUrls: ['ldaps://a', 'ldap://b'], userBase: 'u', groupBase: 'g', pageSize: 3 },
      persistence: false,
      mode: 'table',
    },
    { ldap: { baseUrls: ['ldap://x'], userBase: 'u' }, mode: { users: 'x' } },
    {},
    { ldap: { baseUrls: [], userBase: 'u' } },
    { ldap: { baseUrls: ['ldap://x'], userBase: 'u', pageSize: 0 } },
    { ldap: { baseUrls: ['ldap://x'], userBase: 'u', pageSize: 1.5 } },
    { ldap: { baseUrls: ['ldap://x'], userBase: 'u' }, persistence: 'yes' },
    { ldap: { baseUrls: ['ldap://x'], userBase: 'u', usrBase: 1 } },
    { ldap: { baseUrls: ['ldap://x'], userBase: 'u' }, mode: 'tables' },
    { ldap: { baseUrls: ['ldap://x'], userBase: 'u' }, mode: { users: 1 } },
    [],
    null,
    'x',
  ];
  it.each(corpus.map((c) => [JSON.stringify(c), c]))('%s', (_, value) => {
    expect(check(value)).toBe(section.validate(value).ok);
  });
  it('on generated values too (property)', () => {
    const arb = fc.record(
      {
        ldap: fc.record(
          {
            baseUrls: fc.array(fc.constantFrom('ldap://x', 'ldaps://y:636', 'nope'), { maxLength: 3 }),
            userBase: fc.oneof(fc.string(), fc.integer()),
            pageSize: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.double({ noNaN: true })),
          },
          { requiredKeys: [] },
        ),
        persistence: fc.oneof(fc.boolean(), fc.string()),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(arb, (v) => check(v) === section.validate(v).ok));
  });
});

describe('did you mean', () => {
  it('prefers another case of the same name, then the closest within two edits', () => {
    expect(didYouMean('Port', ['port', 'host'])).toBe('port');
    expect(didYouMean('usrBase', ['userBase', 'groupBase'])).toBe('userBase');
    expect(didYouMean('exampleDta', ['exampleData', 'persistence'])).toBe('exampleData');
    expect(didYouMean('prot', ['port', 'host'])).toBe('port');
    expect(didYouMean('zzzzzz', ['userBase'])).toBeUndefined();
  });
  it('finds the keys at a path of a JSON Schema, through arrays and unions', () => {
    expect(keysAt(section.jsonSchema, ['ldap'])).toEqual(['baseUrls', 'userBase', 'groupBase', 'pageSize']);
    expect(keysAt(section.jsonSchema, ['mode'])).toEqual(['users']);
  });
});

describe('parseJsonText', () => {
  it('names file:line:column and shows the line', () => {
    const text = '{\n  "scimgateway": {\n    "port": 8880,\n  }\n}\n';
    let err: unknown;
    try {
      parseJsonText(text, 'connector-loki.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsonSyntaxError);
    const e = err as JsonSyntaxError;
    expect([e.line, e.column]).toEqual([4, 3]);
    expect(e.message).toMatch(/^connector-loki\.json:4:3: not valid JSON: /);
    expect(e.message).not.toMatch(/position/);
    expect(e.excerpt).toBe('  4 |   }\n    |   ^');
  });
  it('is JSON.parse for valid text, and locates any error inside the text (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom('}', ',', '"', 'x', ':'), (v, at, junk) => {
        const good = JSON.stringify(v, null, 2);
        expect(parseJsonText(good, 'f')).toEqual(JSON.parse(good));
        const i = at % (good.length + 1);
        const bad = good.slice(0, i) + junk + good.slice(i);
        try {
          JSON.parse(bad);
        } catch {
          try {
            parseJsonText(bad, 'f');
          } catch (e) {
            const { line, column } = e as JsonSyntaxError;
            const lines = bad.split('\n');
            expect(line).toBeGreaterThanOrEqual(1);
            expect(line).toBeLessThanOrEqual(lines.length);
            expect(column).toBeGreaterThanOrEqual(1);
            expect(column).toBeLessThanOrEqual((lines[line - 1] as string).length + 1);
            return;
          }
          throw new Error('parseJsonText accepted invalid JSON');
        }
      }),
    );
  });
});

describe('custom messages', () => {
  it("keeps a schema author's own message", () => {
    const s = configSection(
      z.strictObject({ url: z.string().regex(/^mongodb/, 'must be a mongodb:// URL'), n: z.number().min(2) }),
    );
    const r = s.validate({ url: 'http://x', n: 1 });
    expect(r.ok ? [] : r.issues.map((i) => i.message)).toEqual([
      'must be a mongodb:// URL, got the string "http://x"',
      'must be at least 2, got number 1',
    ]);
  });
});
