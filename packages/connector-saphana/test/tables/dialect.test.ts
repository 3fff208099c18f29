import { defaultDdl, render, sql } from '@scimgw/sql';
import { HanaError, translate } from '@scimgw/testing-hana-emulator';
import { describe, expect, it } from 'vitest';
import { classifyHanaError, hanaDialect, MergeConflictError } from '../../src/index.js';

const text = (f: ReturnType<typeof sql>) => render(hanaDialect, f).text;

describe('HANA dialect', () => {
  it('pages with LIMIT/OFFSET (an OFFSET always after a LIMIT), NULLs last', () => {
    const q = hanaDialect.select({
      columns: sql`"a"`,
      from: sql`"t"`,
      orderBy: [hanaDialect.orderBy(sql`"a"`, true)],
      offset: 20,
    });
    expect(text(q)).toBe('SELECT "a" FROM "t" ORDER BY "a" DESC NULLS LAST LIMIT 2147483647 OFFSET 20');
    expect(() => hanaDialect.select({ columns: sql`"a"`, from: sql`"t"`, limit: -1 })).toThrow(RangeError);
  });
  it('LIKE patterns escape %, _ and the escape character; the value is bound', () => {
    const r = render(hanaDialect, hanaDialect.like(sql`"a"`, '50%_off!', 'contains', false));
    expect(r.text).toBe(`"a" LIKE ? ESCAPE '!'`);
    expect(r.values).toEqual(['%50!%!_off!!%']);
  });
  it('several rows: a query of rows FROM DUMMY (HANA VALUES holds one row); upsert: MERGE INTO', () => {
    const rows = [
      [sql`${1}`, sql`${'a'}`],
      [sql`${2}`, sql`${'b'}`],
    ];
    expect(text(hanaDialect.insert({ table: sql`"t"`, columns: [sql`"x"`, sql`"y"`], rows }))).toBe(
      'INSERT INTO "t" ("x", "y") SELECT ? AS "x", ? AS "y" FROM DUMMY UNION ALL SELECT ?, ? FROM DUMMY',
    );
    const m = text(
      hanaDialect.upsert({ table: sql`"t"`, columns: [sql`"x"`, sql`"y"`], rows, conflict: [sql`"x"`], update: [sql`"y"`] }),
    );
    expect(m).toMatch(
      /^MERGE INTO "t" AS "scimgw_t" USING \(SELECT .* FROM DUMMY\) AS "scimgw_s" ON \("scimgw_t"\."x" = "scimgw_s"\."x"\)/,
    );
    expect(m).toContain('WHEN MATCHED THEN UPDATE SET "y" = COALESCE("scimgw_s"."y", "scimgw_t"."y")');
  });
  it('every statement of the default layout DDL is HANA the emulator accepts', () => {
    const statements = defaultDdl(hanaDialect, { prefix: 'scim_', pageIndex: false });
    expect(statements.length).toBeGreaterThan(5);
    for (const s of statements) expect(() => translate(s)).not.toThrow();
  });
  it('what other dialects write for the same statements is refused (a connector speaking them fails)', () => {
    const foreign = [
      'SELECT "a" FROM "t" WHERE "a" = $1 LIMIT $2 OFFSET $3', // PostgreSQL
      'INSERT INTO "m" ("g", "u") VALUES (?, ?) ON CONFLICT ("g", "u") DO NOTHING', // PostgreSQL
      'INSERT INTO `m` (`g`, `u`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `g` = `g`', // MySQL
      'SELECT TOP (@p1) [a] FROM [t]', // T-SQL
      'CREATE TABLE IF NOT EXISTS "t" ("a" TEXT)', // PostgreSQL / MySQL DDL
      'SELECT "a" FROM "t" WHERE "a" ILIKE ?',
    ];
    for (const s of foreign) expect(() => translate(s), s).toThrow(HanaError);
  });
});

describe('HANA error codes → error kinds', () => {
  const cases: [number, string][] = [
    [301, 'uniqueViolation'],
    [133, 'deadlock'],
    [131, 'serializationFailure'],
    [-10709, 'connectionLost'],
    [-10807, 'connectionLost'],
    [-10108, 'connectionLost'],
    [274, 'invalidValue'],
    [314, 'invalidValue'],
    [287, 'constraintViolation'],
    [259, 'undefinedObject'],
    [260, 'undefinedObject'],
    [258, 'permissionDenied'],
    [613, 'statementTimeout'],
    [257, 'unknown'],
  ];
  for (const [code, kind] of cases)
    it(`${code} → ${kind}`, () => {
      expect(classifyHanaError(Object.assign(new Error('x'), { code, sqlState: 'HY000' }))).toBe(kind);
    });
  it('a MERGE refused by its own key (the driver wraps 301 from MERGE) is a write conflict, retried', () => {
    expect(classifyHanaError(new MergeConflictError(Object.assign(new Error('unique'), { code: 301 })))).toBe(
      'serializationFailure',
    );
  });
  it('network errors without a HANA code are lost connections; anything else unknown', () => {
    expect(classifyHanaError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('connectionLost');
    expect(classifyHanaError(new Error('x'))).toBe('unknown');
    expect(classifyHanaError('x')).toBe('unknown');
  });
});
