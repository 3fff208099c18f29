import { replayCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

describe('IdP replays on MariaDB', () => {
  for (const c of replayCases(() => freshConnector({}, 'replay'))) it(c.name, c.run);
});
