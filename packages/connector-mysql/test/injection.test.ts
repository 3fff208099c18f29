import { injectionCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

describe('SQL-injection corpus on MariaDB: values are data, never SQL', () => {
  for (const c of injectionCases(() => freshConnector({}, 'inj'), { nul: 'store' })) it(c.name, c.run, 120_000);
});
