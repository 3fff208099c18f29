/**
 * `scimgw check-config` on generic-connector configurations, through the real CLI: the gateway
 * loads this package by name and runs its `configSchema` on the `endpoint` section, so typos in
 * the connection, wrong types and map mistakes are reported without starting anything.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@scimgw/gateway';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'generic-check-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** This package's folder: the gateway resolves `@scimgw/connector-generic` from here (its built dist). */
const cwd = fileURLToPath(new URL('..', import.meta.url));
const example = JSON.parse(readFileSync(new URL('../examples/connector-generic.json', import.meta.url), 'utf8'));

async function checkConfig(endpoint: unknown): Promise<{ code: unknown; out: string; err: string }> {
  mkdirSync(join(dir, 'config'), { recursive: true });
  const file = join(dir, 'config', 'connector-generic.json');
  writeFileSync(file, JSON.stringify({ ...example, endpoint }));
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['check-config', '--config', file], { out: (s) => out.push(s), err: (s) => err.push(s), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

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
