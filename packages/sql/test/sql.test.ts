import { describe, expect, it } from 'vitest';
import { assertIdentifier, IdentifierError, ident, isIdentifier, join, raw, render, sql } from '../src/index.js';
import { ansiDialect, tsqlDialect } from './helpers/dialects.js';

describe('fragments', () => {
  it('binds every interpolated value and numbers placeholders per dialect', () => {
    const inner = sql`${ident('t', 'a')} = ${"x'; DROP TABLE t; --"}`;
    const whole = sql`SELECT 1 FROM ${ident('scim.users')} ${ident('t')} WHERE ${inner} AND ${ident('t', 'b')} IN (${join([sql`${1}`, sql`${2}`])})`;
    expect(render(ansiDialect, whole)).toEqual({
      text: 'SELECT 1 FROM "scim"."users" "t" WHERE "t"."a" = $1 AND "t"."b" IN ($2, $3)',
      values: ["x'; DROP TABLE t; --", 1, 2],
    });
    expect(render(tsqlDialect, whole).text).toBe(
      'SELECT 1 FROM "scim"."users" "t" WHERE "t"."a" = @p1 AND "t"."b" IN (@p2, @p3)',
    );
    expect(render({ quoteIdentifier: (n) => `\`${n}\``, placeholder: () => '?' }, whole).text).toBe(
      'SELECT 1 FROM `scim`.`users` `t` WHERE `t`.`a` = ? AND `t`.`b` IN (?, ?)',
    );
  });

  it('binds values that look like fragments, placeholders or identifiers', () => {
    const r = render(ansiDialect, sql`SELECT ${'$1'}, ${'?'}, ${{ chunks: ['DROP'] }}, ${raw('x')}`);
    expect(r.text).toBe('SELECT $1, $2, $3, x');
    expect(r.values).toEqual(['$1', '?', { chunks: ['DROP'] }]);
  });

  it('refuses identifiers that are not plain names', () => {
    for (const bad of ['', '1a', 'a b', 'a"b', 'a;b', 'a-b', "a'", 'a`b', 'ünicode', 'x'.repeat(64), 'a..b', '.a']) {
      expect(isIdentifier(bad), bad).toBe(false);
      expect(() => ident(bad), bad).toThrow(IdentifierError);
    }
    // A dotted name is several identifiers, each checked and quoted on its own.
    expect(isIdentifier('a.b')).toBe(false);
    expect(render(ansiDialect, ident('a.b')).text).toBe('"a"."b"');
    for (const good of ['a', '_a', 'user_name', 'A1$', 'x'.repeat(63)]) expect(assertIdentifier(good)).toBe(good);
    expect(() => assertIdentifier('a;b', 'endpoint.layout.users.table')).toThrow(/endpoint\.layout\.users\.table/);
  });
});

describe('fragments of any size', () => {
  // A group of 20,000 members is one INSERT of 20,000 rows: ~200,000 chunks in one fragment.
  // Copying chunks with a spread (`push(...chunks)`) threw RangeError past ~120,000 of them.
  const N = 300_000;

  it('join() joins 300,000 fragments, and fragments of 300,000 chunks', () => {
    const rows = Array.from({ length: N }, (_, i) => sql`(${i})`);
    const all = join(rows);
    const r = render(ansiDialect, all);
    expect(r.values).toHaveLength(N);
    expect(r.values[N - 1]).toBe(N - 1);
    expect(r.text.startsWith('($1), ($2)')).toBe(true);
    expect(r.text.endsWith(`($${N})`)).toBe(true);
    const twice = render(ansiDialect, join([all, all], ' UNION ALL '));
    expect(twice.values).toHaveLength(2 * N);
    expect(twice.text).toContain(`($${N}) UNION ALL ($${N + 1})`);
  });

  it('sql`` inlines a fragment of 300,000 chunks and more', () => {
    const big = join(Array.from({ length: N }, (_, i) => sql`${i}`));
    const whole = sql`INSERT INTO ${ident('t')} (${ident('a')}) VALUES ${big} ON CONFLICT DO NOTHING`;
    const r = render(ansiDialect, whole);
    expect(r.values).toHaveLength(N);
    expect(r.text.startsWith('INSERT INTO "t" ("a") VALUES $1, $2')).toBe(true);
    expect(r.text.endsWith(`$${N} ON CONFLICT DO NOTHING`)).toBe(true);
    // And once more, nested: the inlined fragment is copied again.
    expect(render(ansiDialect, sql`${whole};`).values).toHaveLength(N);
  });
});
