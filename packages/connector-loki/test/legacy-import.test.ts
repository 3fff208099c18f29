import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLokiConnector } from '../src/index.js';
import { LegacyImportError } from '../src/legacy-import.js';
import { writeOlderLokiDb } from './legacy-fixture.js';

const ctx = { tenant: undefined };

describe('importing the older plugin-loki database', () => {
  it('keeps ids, attributes and memberships; LokiJS bookkeeping becomes SCIM meta', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loki-import-'));
    const file = join(dir, 'loki.db');
    await writeOlderLokiDb(file);
    expect(JSON.parse(readFileSync(file, 'utf8')).collections[0].data[0].$loki).toBe(1);
    const c = createLokiConnector({ directory: join(dir, 'data'), entity: { undefined: { importLokiFile: file } } });
    await c.open();
    const b = await c.resources.User?.get?.('bjensen', ctx, {});
    expect(b).toMatchObject({
      id: 'bjensen',
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com', type: 'work' }],
    });
    expect(b?.$loki).toBeUndefined();
    expect(b?.meta?.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(((b?.groups ?? []) as { value: string }[]).map((g) => g.value).sort()).toEqual(['Admins', 'Employees']);
    const emp = await c.resources.Group?.get?.('Employees', ctx, {});
    expect(((emp?.members ?? []) as { value: string }[]).map((m) => m.value).sort()).toEqual(['bjensen', 'jsmith']);
    const all = await c.resources.User?.query?.({}, ctx);
    expect(all?.resources.map((u) => u.id).sort()).toEqual(['bjensen', 'jsmith']);
    await c.close?.();
  });

  it('imports once: the store persists what it imported, later starts do not read the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loki-import-'));
    const file = join(dir, 'loki.db');
    await writeOlderLokiDb(file);
    const opts = { directory: join(dir, 'data'), entity: { undefined: { importLokiFile: file } } };
    const first = createLokiConnector(opts);
    await first.open();
    await first.resources.User?.delete?.('jsmith', ctx);
    await first.close?.();
    rmSync(file);
    const second = createLokiConnector(opts);
    await second.open();
    const users = await second.resources.User?.query?.({}, ctx);
    expect(users?.resources.map((u) => u.id)).toEqual(['bjensen']);
    await second.close?.();
  });

  it('idStrategy "legacy": new users get id = userName, new groups id = displayName', async () => {
    const c = createLokiConnector({ persistence: false, exampleData: false, idStrategy: 'legacy' });
    const u = await c.resources.User?.create?.({ userName: 'kim', schemas: [] }, ctx);
    expect(u?.id).toBe('kim');
    const g = await c.resources.Group?.create?.({ displayName: 'Sales', schemas: [] }, ctx);
    expect(g?.id).toBe('Sales');
    const uuid = createLokiConnector({ persistence: false, exampleData: false });
    expect((await uuid.resources.User?.create?.({ userName: 'kim' }, ctx))?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a missing or foreign file fails the start naming the setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loki-import-'));
    const missing = createLokiConnector({
      directory: join(dir, 'a'),
      entity: { undefined: { importLokiFile: join(dir, 'nope.db') } },
    });
    await expect(missing.open()).rejects.toThrow(/endpoint\.entity\.undefined\.importLokiFile: cannot import .*ENOENT/);
    writeFileSync(join(dir, 'other.json'), '{"users":[]}');
    const other = createLokiConnector({ directory: join(dir, 'b'), entity: { t1: { importLokiFile: join(dir, 'other.json') } } });
    await expect(other.open(['t1'])).rejects.toThrow(/endpoint\.entity\.t1\.importLokiFile: .* is not a Loki database file/);
  });

  it('any JSON in the file: imported or refused with LegacyImportError, never anything else, no prototype pollution', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loki-import-prop-'));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            collections: fc.array(
              fc.record({
                name: fc.constantFrom('users', 'groups', 'x'),
                data: fc.array(
                  fc.dictionary(fc.constantFrom('id', 'userName', '__proto__', 'members', 'meta', '$loki'), fc.jsonValue()),
                ),
              }),
            ),
          }),
        ),
        async (value) => {
          const file = join(dir, `f${++n}.db`);
          writeFileSync(file, JSON.stringify(value));
          const c = createLokiConnector({ persistence: false, entity: { undefined: { importLokiFile: file } } });
          try {
            await c.open();
            await c.resources.User?.query?.({}, ctx);
          } catch (e) {
            expect(e).toBeInstanceOf(LegacyImportError);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });
});
