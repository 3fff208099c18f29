import { injectionCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from '../helpers/emulator.js';

// The dialect declares storesNul: false (the emulator's PostgreSQL cannot hold U+0000): values
// holding it are refused with 400 and match nothing in filters.
describe('SQL-injection corpus, table mode, on the HANA emulator: values are data, never SQL', () => {
  for (const c of injectionCases(() => freshConnector(), { nul: 'reject' })) it(c.name, c.run, 600_000);
});
