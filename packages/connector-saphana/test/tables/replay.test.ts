import { replayCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from '../helpers/emulator.js';

describe('IdP replays, table mode, on the HANA emulator', () => {
  for (const c of replayCases(() => freshConnector())) it(c.name, c.run, 60_000);
});
