import { injectionCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

// SQL Server stores U+0000 in nvarchar; the emulator keeps it too (escaped in PostgreSQL).
describe('SQL-injection corpus through mssql/tedious on the TDS emulator: values are data, never SQL', () => {
  for (const c of injectionCases(() => freshConnector(), { nul: 'store' })) it(c.name, c.run, 600_000);
});
