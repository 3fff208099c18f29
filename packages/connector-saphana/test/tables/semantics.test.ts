import { semanticsCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from '../helpers/emulator.js';

describe('filter, sort and cursor semantics, table mode, on the HANA emulator match the core evaluator', () => {
  for (const c of semanticsCases(() => freshConnector(), Number(process.env.SEMANTICS_RUNS ?? 150))) it(c.name, c.run, 180_000);
});
