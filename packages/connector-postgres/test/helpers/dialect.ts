/** This package as the shared SQL suites (`@scimgw/testing-sql`) see it. */
import type { SqlDialect } from '@scimgw/testing-sql';
import { createConnector } from '../../src/index.js';
import { createTestSchema, PG, type TestSchema } from './database.js';

export const postgres: SqlDialect<TestSchema> = {
  server: { host: PG.host, port: PG.port },
  createDatabase: createTestSchema,
  createConnector,
};
