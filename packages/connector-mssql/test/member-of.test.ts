import { memberOfCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { startTestServer } from './helpers/emulator.js';

describe('membership through the user on the TDS emulator', () => {
  const cases = memberOfCases({
    name: 'connector-mssql',
    async database() {
      const server = await startTestServer();
      return { endpoint: { connection: server.connection, createTables: true }, drop: () => server.close() };
    },
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
