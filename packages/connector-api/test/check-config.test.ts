/**
 * `scimgw check-config` on API-connector configurations, through the real CLI: the gateway loads
 * this package by name and runs its `configSchema` on the `endpoint` section.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@scimgw/gateway';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'api-check-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** This package's folder: the gateway resolves `@scimgw/connector-api` from here (its built dist). */
const cwd = fileURLToPath(new URL('..', import.meta.url));
const example = JSON.parse(readFileSync(new URL('../examples/connector-api.json', import.meta.url), 'utf8'));

async function checkConfig(endpoint: unknown): Promise<{ code: unknown; out: string; err: string }> {
  mkdirSync(join(dir, 'config'), { recursive: true });
  const file = join(dir, 'config', 'connector-api.json');
  writeFileSync(file, JSON.stringify({ ...example, endpoint }));
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['check-config', '--config', file], { out: (s) => out.push(s), err: (s) => err.push(s), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

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
