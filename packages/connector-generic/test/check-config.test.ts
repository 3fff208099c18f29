/**
 * `scimgw check-config` on generic-connector configurations, through the real CLI: the gateway
 * loads this package by name and runs its `configSchema` on the `endpoint` section, so typos in
 * the connection, wrong types and map mistakes are reported without starting anything.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkConfig as runCheck } from '@scimgw/testing-kit';
import { describe, expect, it } from 'vitest';

/** This package's folder: the gateway resolves `@scimgw/connector-generic` from here (its built dist). */
const cwd = fileURLToPath(new URL('..', import.meta.url));
const example = JSON.parse(readFileSync(new URL('../examples/connector-generic.json', import.meta.url), 'utf8'));
const checkConfig = (endpoint: unknown) => runCheck({ ...example, endpoint }, { name: 'connector-generic', cwd });

describe('scimgw check-config with the generic connector', () => {
  it('accepts the shipped example, without a warning that the section went unchecked', async () => {
    const r = await checkConfig(example.endpoint);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/connector-generic\.json: OK \(connector @scimgw\/connector-generic/);
    expect(r.code).toBe(0);
  });

  it('reports typos with a did-you-mean, wrong types and map mistakes, each by its path', async () => {
    const r = await checkConfig({
      scimVerison: '1.1',
      entity: {
        undefined: {
          connection: {
            baseUrl: ['http://localhost:8880'],
            auth: { type: 'oauth', options: { tokenUrl: 'https://idp/token', clientId: 'c', clientSecrt: 's' } },
            deadline: '25s',
          },
        },
      },
      targetSupport: { operator: ['eq'] },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/endpoint\.scimVerison: unknown key \(did you mean "scimVersion"\?\)/);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.connection\.baseUrl: unknown key \(did you mean "baseUrls"\?\)/);
    expect(r.err).toMatch(
      /endpoint\.entity\.undefined\.connection\.auth\.options\.clientSecrt: unknown key \(did you mean "clientSecret"\?\)/,
    );
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.connection\.deadline: expected number, got the string "25s"/);
    expect(r.err).toMatch(/endpoint\.targetSupport\.operator: unknown key \(did you mean "operators"\?\)/);
    const map = await checkConfig({
      ...example.endpoint,
      map: { user: { id: { mapTo: 'id' }, mail: { mapTo: 'emails.work.valu' } } },
    });
    expect(map.err).toMatch(/endpoint\.map\.user\.mail\.mapTo: "emails\.work\.valu": "valu" is not a sub-attribute of emails/);
  });
});
