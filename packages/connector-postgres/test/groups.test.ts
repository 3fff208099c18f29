import { groupCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

describe('groups on PostgreSQL: tens of thousands of members, no-op member changes, values too long', () => {
  for (const c of groupCases(() => freshConnector({}, 'groups'))) it(c.name, c.run, 180_000);
});
