import { replayCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

describe('IdP replays through mssql/tedious on the TDS emulator', () => {
  for (const c of replayCases(() => freshConnector())) it(c.name, c.run, 60_000);
});
