/**
 * Properties of the filter → SQL compiler, on random filters over every attribute of the default
 * layout, in two dialects: it either compiles or declines with UnsupportedFilter (never crashes);
 * no value ever reaches the statement text; every placeholder has its value.
 */
import { type AttrPath, type CompValue, type FilterNode, parseFilter } from '@scimgw/core/filter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCatalog, defaultSchema, render, type SqlDialect, UnsupportedFilter, whereCompiler } from '../src/index.js';
import { ansiDialect, tsqlDialect } from './helpers/dialects.js';

const MARK = 'QZ';
const TRICKY = ["'", '"', '`', ';', '--', '/*', '%', '_', '!', '\\', '\u0000', '$1', '?', '@p1', 'ʼ', '＇', '😀', ')', 'OR 1=1'];

const value: fc.Arbitrary<CompValue> = fc.oneof(
  fc.tuple(fc.constantFrom(...TRICKY), fc.string({ maxLength: 6 })).map(([t, s]) => `${MARK}${t}${s}${MARK}`),
  fc.constantFrom<CompValue>(null, true, false, 0, -1.5, 1e21, 'true', '2024-01-01T00:00:00Z'),
);

function pathsOf(d: SqlDialect): AttrPath[] {
  const { layout, map } = defaultSchema(d);
  const c = compileCatalog({ layout, map }).resources.get('User');
  return ['id', ...(c?.mapper.scimPaths() ?? []), 'nickName', 'password', 'unknownAttr'].map((p) => {
    const urn = p.startsWith('urn:') ? p.slice(0, p.lastIndexOf(':')) : undefined;
    const rest = urn ? p.slice(urn.length + 1) : p;
    const [attr, sub] = rest.split('.') as [string, string | undefined];
    return { ...(urn ? { uri: urn } : {}), attr, ...(sub ? { sub } : {}) };
  });
}

function filters(paths: AttrPath[]): fc.Arbitrary<FilterNode> {
  const leaf = fc.constantFrom(...paths).chain((path) =>
    fc.oneof(
      fc.constant<FilterNode>({ type: 'present', path }),
      fc
        .tuple(fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le') as fc.Arbitrary<'eq'>, value)
        .map(([op, v]): FilterNode => ({ type: 'compare', path, op, value: v })),
    ),
  );
  const inner = fc.letrec<{ f: FilterNode }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      fc
        .tuple(
          fc.constantFrom('value', 'type', 'primary', 'display', 'locality', 'nope'),
          fc.constantFrom('eq', 'co', 'gt') as fc.Arbitrary<'eq'>,
          value,
        )
        .map(([attr, op, v]): FilterNode => ({ type: 'compare', path: { attr }, op, value: v })),
      fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((f): FilterNode => ({ type: 'or', filters: f })),
      tie('f').map((f): FilterNode => ({ type: 'not', filter: f })),
    ),
  })).f;
  const valuePath = fc
    .tuple(fc.constantFrom('emails', 'addresses', 'roles', 'groups', 'phoneNumbers', 'x509Certificates'), inner)
    .map(([attr, filter]): FilterNode => ({ type: 'valuePath', path: { attr }, filter }));
  return fc.letrec<{ f: FilterNode }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      leaf,
      valuePath,
      fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((f): FilterNode => ({ type: 'and', filters: f })),
      fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((f): FilterNode => ({ type: 'or', filters: f })),
      tie('f').map((f): FilterNode => ({ type: 'not', filter: f })),
    ),
  })).f;
}

for (const dialect of [ansiDialect, tsqlDialect]) {
  describe(`filter → SQL (${dialect.name})`, () => {
    const { layout, map } = defaultSchema(dialect);
    const catalog = compileCatalog({ layout, map }).resources.get('User');
    if (!catalog) throw new Error('no users');
    const where = whereCompiler(dialect, catalog);
    const placeholders = (text: string) => (text.match(dialect.name === 'tsql' ? /@p\d+/g : /\$\d+/g) ?? []).length;

    it('compiles or declines; values stay out of the text; placeholders and bound values match', () => {
      fc.assert(
        fc.property(filters(pathsOf(dialect)), (filter) => {
          const t = catalog.mapper.translateFilter(filter);
          if (t.kind !== 'filter') return;
          let rendered: ReturnType<typeof render>;
          try {
            rendered = render(dialect, where.compile(t.filter, 't'));
          } catch (e) {
            if (e instanceof UnsupportedFilter) return;
            throw e;
          }
          expect(rendered.text).not.toContain(MARK);
          expect(placeholders(rendered.text)).toBe(rendered.values.length);
          for (const v of rendered.values) {
            expect(v === null || ['string', 'number', 'boolean'].includes(typeof v) || v instanceof Date, String(v)).toBe(true);
          }
        }),
        { numRuns: 1500 },
      );
    });

    it('any filter text the parser accepts compiles or declines cleanly', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 80 }), (text) => {
          let filter: FilterNode;
          try {
            filter = parseFilter(text);
          } catch {
            return;
          }
          const t = catalog.mapper.translateFilter(filter);
          if (t.kind !== 'filter') return;
          try {
            render(dialect, where.compile(t.filter, 't'));
          } catch (e) {
            if (!(e instanceof UnsupportedFilter)) throw e;
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('LIKE patterns escape wildcards and the escape character', () => {
      const t = catalog.mapper.translateFilter(parseFilter('title co "50%_off!"'));
      if (t.kind !== 'filter') throw new Error('untranslated');
      const r = render(dialect, where.compile(t.filter, 't'));
      expect(r.text).toContain("ESCAPE '!'");
      expect(r.values).toContain(dialect.name === 'tsql' ? '%50!%!_off!!%' : '%50!%!_off!!%');
      const bracket = catalog.mapper.translateFilter(parseFilter('title sw "[a]"'));
      if (bracket.kind !== 'filter') throw new Error('untranslated');
      expect(render(dialect, where.compile(bracket.filter, 't')).values).toContain(dialect.name === 'tsql' ? '![a]%' : '[a]%');
    });
  });
}

describe('paging styles', () => {
  const parts = {
    columns: ansiDialect.lower(ansiDialect.numeric(1)),
    from: ansiDialect.numeric(2),
    orderBy: [ansiDialect.numeric(3)],
  };
  it('LIMIT/OFFSET, TOP and OFFSET … FETCH', () => {
    expect(render(ansiDialect, ansiDialect.select({ ...parts, limit: 10, offset: 20 })).text).toMatch(/LIMIT 10 OFFSET 20$/);
    expect(render(tsqlDialect, tsqlDialect.select({ ...parts, limit: 10 })).text).toMatch(/^SELECT TOP \(10\) /);
    expect(render(tsqlDialect, tsqlDialect.select({ ...parts, limit: 10, offset: 20 })).text).toMatch(
      /OFFSET 20 ROWS FETCH NEXT 10 ROWS ONLY$/,
    );
  });
});
