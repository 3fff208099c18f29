/** This package as the shared SQL suites (`@scimgw/testing-sql`) see it. */
import type { SqlDialect } from '@scimgw/testing-sql';
import { createConnector } from '../../src/index.js';
import { createTestDatabase, MY, type TestDatabase } from './database.js';

export const mariadb: SqlDialect<TestDatabase> = {
  server: { host: MY.host, port: MY.port },
  createDatabase: createTestDatabase,
  createConnector,
};
