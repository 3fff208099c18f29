import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMapper, MapperConfigError, parseMapTo } from '../src/index.js';

describe('parseMapTo', () => {
  const cases: [string, unknown][] = [
    ['userName', [{ text: 'userName', attr: 'userName' }]],
    ['name.givenName', [{ text: 'name.givenName', attr: 'name', sub: 'givenName' }]],
    ['emails.work.value', [{ text: 'emails.work.value', attr: 'emails', typeKey: 'work', sub: 'value' }]],
    [
      ' userName , emails.work.value ',
      [
        { text: 'userName', attr: 'userName' },
        { text: 'emails.work.value', attr: 'emails', typeKey: 'work', sub: 'value' },
      ],
    ],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
      [
        {
          text: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
          uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
          attr: 'employeeNumber',
        },
      ],
    ],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
      [
        {
          text: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
          uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
          attr: 'manager',
          sub: 'value',
        },
      ],
    ],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => expect(parseMapTo(text)).toEqual(expected));
  }

  const bad: [unknown, RegExp][] = [
    ['', /at least one/],
    ['userName,', /empty element/],
    ['a.b.c.d', /too many parts/],
    ['1abc', /not a valid attribute name/],
    ['name.', /not a valid sub-attribute/],
    ['emails..value', /not a valid type key/],
    ['urn:x:', /URN-qualified/],
    ['userName,USERNAME', /listed twice/],
    [42, /must be a string/],
    [null, /must be a string/],
  ];
  for (const [text, msg] of bad) {
    it(`rejects ${JSON.stringify(text)} with a clear message`, () => {
      let err: unknown;
      try {
        parseMapTo(text, 'map.user.x.mapTo');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MapperConfigError);
      expect((err as MapperConfigError).path).toBe('map.user.x.mapTo');
      expect((err as Error).message).toMatch(msg);
    });
  }

  it('never throws anything but MapperConfigError (property)', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('urn:', ':', '.', ',', 'emails', 'work', 'value', '$ref', ' ', 'urn:a:b', '..', '[', '"'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        try {
          const out = parseMapTo(text);
          expect(out.length).toBeGreaterThan(0);
          for (const t of out) expect(t.attr).toMatch(/^(\$ref|[A-Za-z_][\w-]*)$/);
        } catch (e) {
          if (!(e instanceof MapperConfigError)) throw e;
          expect(e.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('createMapper on arbitrary JSON throws only MapperConfigError (property)', () => {
    const entry = fc.record(
      {
        mapTo: fc.oneof(fc.string(), fc.constantFrom('userName', 'name.givenName', 'emails.work.value', 'members.value', 'x.y')),
        type: fc.oneof(fc.string(), fc.constantFrom('string', 'array', 'complexArray', 'boolean', 'datetime')),
        valueMap: fc.oneof(fc.constant(undefined), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.object()))),
        format: fc.oneof(fc.constant(undefined), fc.string(), fc.constant('fileTime')),
        subAttributes: fc.oneof(fc.constant(undefined), fc.array(fc.oneof(fc.string(), fc.integer()))),
      },
      { requiredKeys: [] },
    );
    const section = fc.oneof(fc.dictionary(fc.string(), fc.oneof(entry, fc.anything())), fc.anything());
    fc.assert(
      fc.property(section, fc.constantFrom('User', 'Group'), (sec, rt) => {
        try {
          const m = createMapper({ [rt.toLowerCase()]: sec } as never, { resourceType: rt });
          m.schemas();
          m.toScim({ userName: 'x' });
        } catch (e) {
          if (!(e instanceof MapperConfigError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
