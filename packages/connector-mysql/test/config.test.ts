import { readdirSync, readFileSync } from 'node:fs';
import { testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { configSchema, createConnector, parseConfig } from '../src/index.js';
import { createTestDatabase } from './helpers/database.js';

const examples = new URL('../examples/', import.meta.url);

describe('configSchema', () => {
  it('accepts every shipped example and fills in defaults', () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const endpoint = JSON.parse(readFileSync(new URL(f, examples), 'utf8')).endpoint;
      const r = configSchema.validate(endpoint);
      expect(r.ok, `${f}: ${JSON.stringify(r.ok ? '' : r.issues)}`).toBe(true);
    }
    const c = parseConfig({});
    expect(c.connection.port).toBe(3306);
    expect(c.pool).toEqual({ max: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 10_000 });
    expect(c.retry.attempts).toBe(3);
    expect(c.statementTimeoutMs).toBe(30_000);
  });

  it('reports unknown keys with a did-you-mean and bad identifiers with their path', () => {
    const r = configSchema.validate({ pol: { max: 3 }, connection: { hostt: 'x' } });
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r.ok ? [] : r.issues);
    expect(text).toContain('did you mean \\"pool\\"');
    expect(text).toContain('did you mean \\"host\\"');
    const bad = configSchema.validate({ layout: { users: { table: 'people; DROP TABLE x', key: 'id' } } });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.issues.map((i) => i.path.join('.'))).toContain('layout.users.table');
    expect(() => parseConfig({ pool: { max: 0 } })).toThrow(/endpoint\.pool\.max/);
    expect(configSchema.jsonSchema.title).toBe('@scimgw/connector-mysql endpoint');
  });

  it('a custom layout without its map, or a map key nothing stores, stops startup with the path', async () => {
    await expect(createConnector(testContext({ layout: { users: { table: 'people', key: 'pid' } } }))).rejects.toThrow(
      /endpoint\.map/,
    );
    await expect(
      createConnector(
        testContext({
          checkLayout: false,
          layout: { users: { table: 'people', key: 'pid' } },
          map: { user: { login: { mapTo: 'userName' }, mails: { mapTo: 'emails', type: 'complexArray' } } },
        }),
      ),
    ).rejects.toThrow(/endpoint\.map\.user\.mails/);
  });

  it('a layout naming tables or columns the database lacks stops startup, listing all of them', async () => {
    const db = await createTestDatabase('cfg');
    try {
      await db.sql('CREATE TABLE people (pid BIGINT AUTO_INCREMENT PRIMARY KEY, login VARCHAR(255))');
      await expect(
        createConnector(
          testContext({
            connection: db.connection,
            layout: {
              users: {
                table: 'people',
                key: 'pid',
                version: 'rev',
                multiValued: { tags: { table: 'tags', owner: 'pid', value: 'tag' } },
              },
            },
            map: { user: { login: { mapTo: 'userName' }, nick: { mapTo: 'nickName' }, tags: { mapTo: 'roles', type: 'array' } } },
          }),
        ),
      ).rejects.toThrow(/people\.rev.*people\.nick.*table tags|people\.rev.*table tags.*people\.nick|table tags/s);
    } finally {
      await db.drop();
    }
  });

  it('never logs the password, neither when it works nor when the server refuses', async () => {
    const secret = 'My-Secret-Do-Not-Log-42!';
    const db = await createTestDatabase('secret');
    try {
      // root has no password here: the server refuses one, and the error must not carry it.
      const ctx = testContext({ connection: db.connection, createTables: true });
      const connector = await createConnector(ctx);
      await connector.close?.();
      const refused = testContext({ connection: { ...db.connection, password: secret }, retry: { attempts: 1 } });
      const error = await createConnector(refused).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).not.toContain(secret);
      expect(JSON.stringify(ctx.logs)).not.toContain(secret);
      expect(JSON.stringify(refused.logs)).not.toContain(secret);
      expect(ctx.logs.some((l) => l.msg === 'SQL connector ready')).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
