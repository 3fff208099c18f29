import { describe, expect, it } from 'vitest';
import { connectProperties, parseConfig } from '../../src/index.js';

const connection = { host: 'hana.example.com', user: 'SCIM_APP', password: 'pw-hana-secret' };

describe('endpoint configuration: the mode switch', () => {
  it('without mode: database users, as before the table mode existed', () => {
    const c = parseConfig({ connection, users: { samlProvider: 'CORP_IDP' } });
    expect(c.mode).toBe('users');
  });
  it('mode tables: the keys every SQL connector shares, page indexes off', () => {
    const c = parseConfig({ connection, mode: 'tables', createTables: true, tablePrefix: 'app_' });
    expect(c.mode).toBe('tables');
    if (c.mode !== 'tables') throw new Error('mode');
    expect(c).toMatchObject({ createTables: true, tablePrefix: 'app_', pageIndex: false, statementTimeoutMs: 30_000 });
    expect(c.pool).toEqual({ max: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 10_000 });
  });
  it('errors name the configuration path', () => {
    expect(() => parseConfig({ connection, mode: 'tables', pageIndex: true })).toThrow(/endpoint\.pageIndex/);
    expect(() => parseConfig({ connection, mode: 'tables', pool: { max: 0 } })).toThrow(/endpoint\.pool\.max/);
    expect(() => parseConfig({ connection, mode: 'tables', users: { samlProvider: 'X' } })).toThrow(/endpoint/);
    expect(() => parseConfig({ connection: { ...connection, currentSchema: 'a"b' }, mode: 'tables' })).toThrow(
      /endpoint\.connection\.currentSchema/,
    );
    expect(() => parseConfig({ connection, mode: 'rows' })).toThrow(/endpoint\.mode/);
  });
  it('the user mode still needs its users section', () => {
    expect(() => parseConfig({ connection })).toThrow(/endpoint\.users/);
  });
  it('TLS settings always reach the driver explicitly, the password only as pwd', () => {
    for (const encrypt of [true, false])
      for (const sslValidateCertificate of [true, false]) {
        const c = parseConfig({ connection: { ...connection, encrypt, sslValidateCertificate }, mode: 'tables' });
        const p = connectProperties(c.connection);
        expect(p).toMatchObject({ serverNode: 'hana.example.com:443', uid: 'SCIM_APP', encrypt, sslValidateCertificate });
        expect(Object.entries(p).filter(([, v]) => v === 'pw-hana-secret')).toEqual([['pwd', 'pw-hana-secret']]);
      }
  });
});
