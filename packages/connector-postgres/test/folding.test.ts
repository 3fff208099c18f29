import { caseFoldingCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

describe('case folding on PostgreSQL, as docs/connectors/postgres.md describes it', () => {
  for (const c of caseFoldingCases(() => freshConnector({}, 'fold'), { lowersCapitalSharpS: true })) it(c.name, c.run, 60_000);
});
