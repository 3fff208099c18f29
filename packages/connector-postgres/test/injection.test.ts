import { injectionCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

describe('SQL-injection corpus on PostgreSQL: values are data, never SQL', () => {
  for (const c of injectionCases(() => freshConnector({}, 'inj'), { nul: 'reject' })) it(c.name, c.run, 120_000);
});
