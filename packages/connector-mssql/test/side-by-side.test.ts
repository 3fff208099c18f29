import { fileURLToPath } from 'node:url';
import { sideBySideCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { startTestServer } from './helpers/emulator.js';

describe('two gateway processes on one SQL Server database (the TDS emulator)', () => {
  const cases = sideBySideCases({
    name: 'connector-mssql',
    connector: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
    async database() {
      const server = await startTestServer();
      return { endpoint: { connection: server.connection, createTables: true, pool: { max: 5 } }, drop: () => server.close() };
    },
  });
  for (const c of cases) it(c.name, c.run, 120_000);
});
