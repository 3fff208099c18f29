import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Param, TsqlError, tokenize, translateBatch } from '../src/index.js';

const params = (...names: string[]) =>
  new Map<string, Param>(names.map((n, i) => [n, { index: i + 1, pgType: 'VARCHAR(4000)' }]));
const ctx = (p = params('@p1', '@p2')) => ({ params: p, quotedIdentifier: true, trancount: 0 });
/** Spacing around punctuation is the translator's business, not the tests'. */
const norm = (s: string) => s.replace(/\s*([(),.])\s*/g, '$1').replace(/\s+/g, ' ');
const pgText = (sql: string) => {
  const [s] = translateBatch(sql, ctx());
  if (s?.kind !== 'pg') throw new Error(`not a statement: ${s?.kind}`);
  return norm(s.text);
};
const refused = (sql: string): number => {
  try {
    translateBatch(sql, ctx());
  } catch (e) {
    if (e instanceof TsqlError) return e.number;
    throw e;
  }
  return 0;
};

describe('what SQL Server refuses, the emulator refuses with the same number', () => {
  it.each([
    ['SELECT [a] FROM [t] LIMIT 5', 102],
    ['SELECT [a] FROM [t] WHERE [a] = ?', 102],
    ['SELECT [a] FROM [t] WHERE [a] = $1', 102],
    ['SELECT [a] FROM [t] WHERE [a] = @p9', 137],
    ['SELECT `a` FROM [t]', 102],
    ['SELECT [a]::text FROM [t]', 102],
    ['SELECT [t].key FROM [t]', 156],
    ['SELECT [a] AS order FROM [t]', 156],
    ['INSERT INTO [t] ([a], key) VALUES (@p1, @p2)', 156],
    ['SELECT * FROM (SELECT [a] FROM [t] ORDER BY [a]) [x]', 1033],
    ['SELECT [a] FROM [t] WHERE [b] = TRUE', 207],
    ['SELECT [a] FROM [t] OFFSET 5 ROWS', 102],
    ['SELECT TOP (1) [a] FROM [t] ORDER BY [a] OFFSET 1 ROWS', 10741],
    [
      'MERGE INTO [t] AS [x] USING (VALUES (@p1)) AS [s] ([a]) ON [x].[a] = [s].[a] WHEN NOT MATCHED THEN INSERT ([a]) VALUES ([s].[a])',
      10713,
    ],
    ['SELECT jsonb_array_elements([a]) FROM [t]', 195],
    ['SELECT CAST([a] AS jsonb) FROM [t]', 243],
    ['CREATE TABLE IF NOT EXISTS [t] ([a] INT)', 156],
    ['INSERT INTO [t] ([a]) VALUES (@p1) ON CONFLICT DO NOTHING', 102],
    ['INSERT INTO [t] ([a]) VALUES (@p1) RETURNING [a]', 102],
    ['SELECT [a] FROM [t] ORDER BY [a] NULLS LAST', 102],
    ["SELECT [a] FROM [t] WHERE [a] LIKE @p1 ESCAPE '!!'", 506],
    ["SELECT 'open", 105],
  ])('%s → %i', (sql, number) => {
    expect(refused(sql)).toBe(number);
  });
});

describe('what it accepts, it runs as the same statement on PostgreSQL', () => {
  it('brackets become double quotes, ]] an escaped bracket, @pN typed parameters in order of use', () => {
    expect(pgText('SELECT [a]]b] FROM [t] WHERE [x] = @p2 AND [y] = @p1')).toBe(
      norm('SELECT "a]b" FROM "t" WHERE "x" = CAST($1 AS VARCHAR(4000)) AND "y" = CAST($2 AS VARCHAR(4000))'),
    );
  });
  it('TOP becomes LIMIT at the end of its own query level', () => {
    expect(pgText('SELECT TOP (@p1) [a] FROM [t] WHERE EXISTS (SELECT TOP 1 [b] FROM [u]) ORDER BY [a]')).toBe(
      norm('SELECT "a" FROM "t" WHERE EXISTS (SELECT "b" FROM "u" LIMIT 1) ORDER BY "a" LIMIT (CAST($1 AS VARCHAR(4000)))'),
    );
  });
  it('OUTPUT INSERTED becomes RETURNING; MERGE WITH (HOLDLOCK) locks the table', () => {
    expect(pgText('INSERT INTO [t] ([a]) OUTPUT INSERTED.[k] VALUES (@p1)')).toBe(
      norm('INSERT INTO "t" ("a") VALUES (CAST($1 AS VARCHAR(4000))) RETURNING "k"'),
    );
    const [m] = translateBatch(
      'MERGE INTO [t] WITH (HOLDLOCK) AS [x] USING (VALUES (@p1)) AS [s] ([a]) ON [x].[a] = [s].[a] WHEN NOT MATCHED BY TARGET THEN INSERT ([a]) VALUES ([s].[a]);',
      ctx(),
    );
    expect(m).toMatchObject({ kind: 'pg', lockTable: '"t"' });
  });
  it('LIKE speaks SQL Server patterns ([…] classes, ESCAPE)', () => {
    expect(pgText("SELECT [a] FROM [t] WHERE [a] LIKE @p1 ESCAPE '!'")).toBe(
      norm(`SELECT "a" FROM "t" WHERE "a" ~ tsql.like_re(CAST($1 AS VARCHAR(4000)), '!')`),
    );
  });
  it('the driver session batch (SET options without semicolons) is understood', () => {
    const s = translateBatch(
      'set textsize 2147483647\nset quoted_identifier on\nset transaction isolation level read committed',
      ctx(),
    );
    expect(s.map((x) => x.kind)).toEqual(['set', 'set', 'set']);
  });
});

describe('tokenizer properties', () => {
  it('any text either tokenizes losslessly or is refused with a SQL Server error, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        try {
          expect(
            tokenize(s)
              .map((t) => t.text)
              .join(''),
          ).toBe(s);
        } catch (e) {
          expect(e).toBeInstanceOf(TsqlError);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('a bracketed name round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (name) => {
        const [t] = tokenize(`[${name.replace(/]/g, ']]')}]`);
        expect(t).toMatchObject({ kind: 'bracket', value: name });
      }),
    );
  });
});
