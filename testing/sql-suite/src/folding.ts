/**
 * Where the database's case folding (`lower()`) and the core's (`String.prototype.toLowerCase`)
 * disagree, as the connector guides document it: these cases pin the documented answers, so a
 * page that says "`eq "istanbul"` finds `İstanbul`" stays true of the server the suite runs on.
 */
import type { ScimResource } from '@scimgw/core';
import { matchesFilter, parseFilter } from '@scimgw/core/filter';
import { createScimHandler } from '@scimgw/core/handler';
import type { FreshFactory, SuiteCase } from './types.js';
import { check } from './types.js';

/** What the server does with the letters the guides name. */
export interface FoldingOptions {
  /** `lower('ẞ')` is `ß` (PostgreSQL with a UTF-8 `LC_CTYPE`), not `ẞ` (MariaDB's case table). */
  lowersCapitalSharpS: boolean;
}

/** The documented differences of case-insensitive comparison between the database and the core. */
export function caseFoldingCases(fresh: FreshFactory, options: FoldingOptions): SuiteCase[] {
  return [
    {
      name: 'case-insensitive comparison folds as the database does where that differs from the core (İ, final Σ, ẞ)',
      async run() {
        const { connector, done } = await fresh();
        try {
          const h = createScimHandler({ connector });
          const found = async (type: string, filter: string) => {
            const r = await h.handle({ method: 'GET', url: `/${type}?filter=${encodeURIComponent(filter)}` });
            check(r.status === 200, `${filter}: ${r.status} ${JSON.stringify(r.body)}`);
            return (r.body as { totalResults: number }).totalResults;
          };
          /** What the core's own evaluator says of the stored resource. */
          const core = (resource: ScimResource, filter: string) => matchesFilter(parseFilter(filter), resource);
          const post = (type: string, body: Record<string, unknown>) =>
            h.handle({ method: 'POST', url: `/${type}`, body: JSON.stringify(body) });

          // İ (U+0130): the database lower-cases it to "i", JavaScript to "i" + U+0307.
          const turkish = await post('Users', { userName: 'İstanbul' });
          check(turkish.status === 201, `create İstanbul: ${turkish.status}`);
          check(!core(turkish.body as ScimResource, 'userName eq "istanbul"'), 'the core matches İstanbul with istanbul');
          check((await found('Users', 'userName eq "istanbul"')) === 1, 'userName eq "istanbul" does not find İstanbul');
          const second = await post('Users', { userName: 'istanbul' });
          check(second.status === 409, `creating istanbul beside İstanbul: ${second.status}, documented as 409`);

          // Σ at the end of a word: JavaScript lower-cases it to ς, the database to σ.
          const greek = await post('Groups', { displayName: 'ΌΣΟΣ' });
          check(greek.status === 201, `create ΌΣΟΣ: ${greek.status}`);
          check(core(greek.body as ScimResource, 'displayName eq "όσος"'), 'the core does not match ΌΣΟΣ with όσος');
          check((await found('Groups', 'displayName eq "όσος"')) === 0, 'displayName eq "όσος" finds ΌΣΟΣ');
          check((await found('Groups', 'displayName eq "όσοσ"')) === 1, 'displayName eq "όσοσ" does not find ΌΣΟΣ');

          // ẞ (U+1E9E): lower-cased to ß by JavaScript and PostgreSQL, left as it is by MariaDB.
          const sharp = await post('Users', { userName: 'STRAẞE' });
          check(sharp.status === 201, `create STRAẞE: ${sharp.status}`);
          check(core(sharp.body as ScimResource, 'userName eq "straße"'), 'the core does not match STRAẞE with straße');
          const want = options.lowersCapitalSharpS ? 1 : 0;
          check((await found('Users', 'userName eq "straße"')) === want, `userName eq "straße" should find ${want}`);
          const small = await post('Users', { userName: 'straße' });
          check(
            small.status === (options.lowersCapitalSharpS ? 409 : 201),
            `creating straße beside STRAẞE: ${small.status}, documented as ${options.lowersCapitalSharpS ? 409 : 201}`,
          );
        } finally {
          await done();
        }
      },
    },
  ];
}
