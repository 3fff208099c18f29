import { describe, expect, it } from 'vitest';
import { mssqlConfig, parseConfig } from '../src/index.js';

const base = {
  server: 'sql.example.com',
  database: 'scim',
  authentication: { type: 'sql', user: 'scim', password: 'pw-secret-123' },
};

describe('endpoint configuration', () => {
  it('encryption is on and certificates are verified unless the configuration says otherwise', () => {
    const c = parseConfig({ connection: base });
    expect(c.connection.encrypt).toBe(true);
    expect(c.connection.trustServerCertificate).toBe(false);
    expect(c.pageIndex).toBe(false);
  });
  it('encrypt and trustServerCertificate always reach the driver explicitly', () => {
    for (const encrypt of [true, false, 'strict'] as const) {
      for (const trustServerCertificate of [true, false]) {
        const cfg = mssqlConfig({ ...parseConfig({ connection: { ...base, encrypt, trustServerCertificate } }).connection });
        expect(cfg.options?.encrypt).toBe(encrypt);
        expect(cfg.options?.trustServerCertificate).toBe(trustServerCertificate);
      }
    }
  });
  it('each authentication type becomes the driver setting mssql documents', () => {
    const auth = (a: unknown) => mssqlConfig({ ...parseConfig({ connection: { ...base, authentication: a } }).connection });
    expect(auth({ type: 'sql', user: 'u', password: 'p' })).toMatchObject({ user: 'u', password: 'p' });
    expect(auth({ type: 'ntlm', domain: 'CORP', user: 'u', password: 'p' }).authentication).toEqual({
      type: 'ntlm',
      options: { domain: 'CORP', userName: 'u', password: 'p' },
    });
    expect(auth({ type: 'azure-active-directory-access-token', token: 't' }).authentication).toEqual({
      type: 'azure-active-directory-access-token',
      options: { token: 't' },
    });
    expect(
      auth({ type: 'azure-active-directory-service-principal-secret', clientId: 'c', clientSecret: 's', tenantId: 't' })
        .authentication,
    ).toEqual({
      type: 'azure-active-directory-service-principal-secret',
      options: { clientId: 'c', clientSecret: 's', tenantId: 't' },
    });
    expect(auth({ type: 'azure-active-directory-default' }).authentication).toEqual({
      type: 'azure-active-directory-default',
      options: {},
    });
  });
  it('mistakes are named with their configuration path, and never echo the password', () => {
    let message = '';
    try {
      parseConfig({
        connection: { ...base, authentication: { type: 'sql', user: 'scim', password: 'pw-secret-123', pasword: 'x' } },
        pageIndex: true,
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/endpoint\.connection\.authentication/);
    expect(message).toMatch(/endpoint\.pageIndex/);
    expect(message).not.toContain('pw-secret-123');
    expect(() => parseConfig({ connection: { ...base, authentication: { type: 'kerberos' } } })).toThrow(
      /endpoint\.connection\.authentication/,
    );
    expect(() => parseConfig({ connection: { server: 'x' } })).toThrow(/endpoint\.connection\.database/);
  });
});
