import { connectThrough, restartCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { mariadb } from './helpers/dialect.js';

describe('MariaDB restart in the middle of a run (through a proxy that drops connections)', () => {
  for (const c of restartCases({ target: mariadb.server, connect: connectThrough(mariadb, 'restart') }))
    it(c.name, c.run, 60_000);
});
