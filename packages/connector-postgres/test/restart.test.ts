import { connectThrough, restartCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { postgres } from './helpers/dialect.js';

describe('PostgreSQL restart in the middle of a run (through a proxy that drops connections)', () => {
  for (const c of restartCases({ target: postgres.server, connect: connectThrough(postgres, 'restart') }))
    it(c.name, c.run, 60_000);
});
