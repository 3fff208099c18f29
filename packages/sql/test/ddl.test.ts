import { describe, expect, it } from 'vitest';
import { defaultDdl, defaultSchema, printDdl } from '../src/index.js';
import { ansiDialect, tsqlDialect } from './helpers/dialects.js';

describe('DDL of the default layout', () => {
  it('creates every table the default layout names, idempotently', () => {
    const schema = defaultSchema(ansiDialect, { prefix: 'acme_' });
    const ddl = defaultDdl(ansiDialect, { prefix: 'acme_' });
    for (const t of schema.tables)
      expect(
        ddl.some((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS "${t.name}"`)),
        t.name,
      ).toBe(true);
    expect(ddl.join('\n')).toContain('CREATE UNIQUE INDEX "acme_users_user_name" ON "acme_users" (LOWER("user_name"))');
    expect(ddl.join('\n')).toContain('FOREIGN KEY ("group_id") REFERENCES "acme_groups" ("id") ON DELETE CASCADE');
    expect(schema.layout.users?.table).toBe('acme_users');
  });

  it('prints one script with the dialect terminator, and leaves page indexes out on request', () => {
    expect(printDdl(tsqlDialect)).toContain('\nGO');
    expect(printDdl(ansiDialect, { pageIndex: false })).not.toContain('_pages');
    expect(printDdl(ansiDialect)).toContain('"scim_users_pages"');
  });

  it('refuses a prefix that would not make identifiers', () => {
    expect(() => defaultSchema(ansiDialect, { prefix: 'a-b' })).toThrow(/not a valid SQL identifier/);
  });
});
