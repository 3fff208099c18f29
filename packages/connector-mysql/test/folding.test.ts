import { caseFoldingCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

describe('case folding on MariaDB, as docs/connectors/mysql.md describes it', () => {
  for (const c of caseFoldingCases(() => freshConnector({}, 'fold'), { lowersCapitalSharpS: false })) it(c.name, c.run, 60_000);
});
