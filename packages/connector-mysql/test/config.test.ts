import { configCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { configSchema, parseConfig } from '../src/index.js';
import { mariadb } from './helpers/dialect.js';

describe('configSchema', () => {
  const cases = configCases({
    dialect: mariadb,
    packageName: '@scimgw/connector-mysql',
    examples: new URL('../examples/', import.meta.url),
    configSchema,
    parseConfig,
    defaultPort: 3306,
    createPeople: 'CREATE TABLE people (pid BIGINT AUTO_INCREMENT PRIMARY KEY, login VARCHAR(255))',
    secret: 'My-Secret-Do-Not-Log-42!',
    // root has no password here: the server refuses one, and the error must not carry it.
    working: (connection) => connection,
    refused: (connection, password) => ({ ...connection, password }),
  });
  for (const c of cases) it(c.name, c.run);
});
