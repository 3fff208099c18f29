import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ident, IdentifierError, join, raw, render, StatementCache, sql } from '../src/index.js';
import { ansiDialect, tsqlDialect } from './helpers/dialects.js';

/** A lists-like statement: one branch per table, each bound to every key, with one constant bound too. */
const build = (tables: string[]) => (keys: readonly unknown[]) =>
  join(
    tables.map(
      (t) =>
        sql`SELECT ${'const'} AS c FROM ${ident(t)} ${ident('x')} WHERE ${ident('x', 'owner')} IN (${join(keys.map((k) => sql`${k}`))})`,
    ),
    ' UNION ALL ',
  );

describe('StatementCache', () => {
  it('renders a shape once and binds each call its own arguments, as rendering afresh would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (calls) => {
          const cache = new StatementCache();
          let builds = 0;
          for (const keys of calls) {
            const got = cache.statement(ansiDialect, String(keys.length), keys, (slots) => {
              builds++;
              return build(['a', 'b'])(slots);
            });
            const fresh = render(ansiDialect, build(['a', 'b'])(keys));
            expect(got.text).toBe(fresh.text);
            expect(got.values).toEqual(fresh.values);
          }
          expect(builds).toBe(new Set(calls.map((k) => k.length)).size);
        },
      ),
    );
  });

  it('keeps texts per dialect', () => {
    const cache = new StatementCache();
    const a = cache.statement(ansiDialect, '1', ['k'], build(['a']));
    const t = cache.statement(tsqlDialect, '1', ['k'], build(['a']));
    expect(a.text).toContain('$2');
    expect(t.text).toContain('@p2');
    expect(a.style).toBe(ansiDialect);
    expect(t.style).toBe(tsqlDialect);
  });

  it('never puts an argument into the text, whatever it holds', () => {
    const cache = new StatementCache();
    const hostile = ["x' OR 1=1 --", { chunks: ['DROP TABLE t'] }, raw('DROP TABLE t')];
    const got = cache.statement(ansiDialect, '3', hostile, build(['a']));
    expect(got.text).not.toMatch(/DROP|OR 1=1/);
    expect(got.values).toEqual(['const', ...hostile]);
  });

  it('refuses arguments that do not fit the shape, and drops the oldest shape beyond its limit', () => {
    const cache = new StatementCache(2);
    cache.statement(ansiDialect, 's', ['k'], build(['a']));
    expect(() => cache.statement(ansiDialect, 's', ['k', 'l'], build(['a']))).toThrow(/2 arguments, built with 1/);
    let builds = 0;
    const counted = (slots: readonly unknown[]) => {
      builds++;
      return build(['a'])(slots);
    };
    cache.statement(ansiDialect, 't', ['k'], counted);
    cache.statement(ansiDialect, 'u', ['k'], counted); // 's' is dropped
    cache.statement(ansiDialect, 's', ['k'], counted);
    expect(builds).toBe(3);
  });
});

describe('identifiers are made once', () => {
  it('returns the same fragment for the same names, and renders it for each dialect', () => {
    expect(ident('scim_users')).toBe(ident('scim_users'));
    expect(ident('t', 'user_name')).toBe(ident('t', 'user_name'));
    expect(ident('t', 'user_name')).not.toBe(ident('t.user_name'));
    const mysqlStyle = { quoteIdentifier: (n: string) => `\`${n}\``, placeholder: () => '?' };
    // Alternating styles: the rendering kept with an identifier must follow the style asked for.
    for (let i = 0; i < 3; i++) {
      expect(render(ansiDialect, ident('t', 'user_name')).text).toBe('"t"."user_name"');
      expect(render(mysqlStyle, ident('t', 'user_name')).text).toBe('`t`.`user_name`');
    }
  });

  it('still refuses a bad name every time, also next to a good one made before', () => {
    ident('a');
    ident('a', 'b');
    for (let i = 0; i < 2; i++) {
      expect(() => ident('a', '')).toThrow(IdentifierError);
      expect(() => ident('a', 'b;c')).toThrow(IdentifierError);
      expect(() => ident('a b')).toThrow(IdentifierError);
      expect(() => ident('a', 'b', 'c;')).toThrow(IdentifierError);
    }
  });
});
