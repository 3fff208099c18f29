/**
 * `scimgw check-config` on API-connector configurations, through the real CLI: the gateway loads
 * this package by name and runs its `configSchema` on the `endpoint` section.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkConfig as runCheck } from '@scimgw/testing-kit';
import { describe, expect, it } from 'vitest';

/** This package's folder: the gateway resolves `@scimgw/connector-api` from here (its built dist). */
const cwd = fileURLToPath(new URL('..', import.meta.url));
const example = JSON.parse(readFileSync(new URL('../examples/connector-api.json', import.meta.url), 'utf8'));
const checkConfig = (endpoint: unknown) => runCheck({ ...example, endpoint }, { name: 'connector-api', cwd });

describe('scimgw check-config with the API connector', () => {
  it('accepts the shipped example, without a warning that the section went unchecked', async () => {
    const r = await checkConfig(example.endpoint);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/connector-api\.json: OK \(connector @scimgw\/connector-api/);
    expect(r.code).toBe(0);
  });

  it('reports typos with a did-you-mean and wrong types, each by its path', async () => {
    const r = await checkConfig({
      resourcePth: '/products',
      public: { enabled: 'yes', field: ['id'] },
      entity: { undefined: { connection: { baseUrls: ['ftp://backend'], auth: { type: 'basic', options: { username: 'u' } } } } },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/endpoint\.resourcePth: unknown key \(did you mean "resourcePath"\?\)/);
    expect(r.err).toMatch(/endpoint\.public\.enabled: expected boolean, got the string "yes"/);
    expect(r.err).toMatch(/endpoint\.public\.field: unknown key \(did you mean "fields"\?\)/);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.connection\.baseUrls\[0\]: must be an http:\/\/ or https:\/\/ URL/);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.connection\.auth\.options\.password: is required/);
  });
});
