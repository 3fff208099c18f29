import { configCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { configSchema, parseConfig } from '../src/index.js';
import { postgres } from './helpers/dialect.js';

describe('configSchema', () => {
  const cases = configCases({
    dialect: postgres,
    packageName: '@scimgw/connector-postgres',
    examples: new URL('../examples/', import.meta.url),
    configSchema,
    parseConfig,
    defaultPort: 5432,
    createPeople: 'CREATE TABLE people (pid bigserial PRIMARY KEY, login text)',
    secret: 'Pg-Secret-Do-Not-Log-42!',
    working: (connection, password) => ({ ...connection, password }),
    // Nothing listens on port 1: the connection error must not carry the password.
    refused: (connection, password) => ({ ...connection, port: 1, password }),
  });
  for (const c of cases) it(c.name, c.run);
});
