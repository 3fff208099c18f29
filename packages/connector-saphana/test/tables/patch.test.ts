import { patchCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from '../helpers/emulator.js';

describe('PATCH, table mode, on the HANA emulator stores what the core computes', () => {
  for (const c of patchCases(() => freshConnector(), Number(process.env.PATCH_RUNS ?? 80))) it(c.name, c.run, 180_000);
});
