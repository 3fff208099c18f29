/** `scimgw check-config` on legacy-plugin configurations, through the real CLI (this package loaded by name). */
import { fileURLToPath } from 'node:url';
import { checkConfig as runCheck } from '@scimgw/testing-kit';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const gateway = { port: 0, auth: { basic: [{ username: 'gwadmin', password: 'password' }] } };
const checkConfig = (endpoint: unknown) => runCheck({ scimgateway: gateway, endpoint }, { name: 'connector-legacy-plugin', cwd });

describe('scimgw check-config with the legacy-plugin connector', () => {
  it('accepts a plugin section with its own keys', async () => {
    const r = await checkConfig({
      legacyPlugin: { file: 'lib/plugin-hr.ts' },
      entity: { undefined: { anything: 1 } },
      region: 'eu',
    });
    expect(r.out).toMatch(/OK \(connector @scimgw\/connector-legacy-plugin/);
    expect(r.code).toBe(0);
  });

  it('leaves auth.passThrough to start: only a loaded plugin says whether it checks passed-through credentials', async () => {
    const r = await runCheck(
      {
        scimgateway: { ...gateway, auth: { ...gateway.auth, passThrough: { enabled: true } } },
        endpoint: { legacyPlugin: { file: 'lib/plugin-hr.ts' } },
      },
      { name: 'connector-legacy-plugin', cwd },
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /note: @scimgw\/connector-legacy-plugin does not say before it starts whether it checks passed-through credentials; scimgw start decides/,
    );
  });

  it('names what is wrong in legacyPlugin by its path', async () => {
    const r = await checkConfig({ legacyPlugin: { fil: 'lib/plugin-hr.ts', filterOperators: ['eq', 'like'] } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/endpoint\.legacyPlugin\.fil: unknown key \(did you mean "file"\?\)/);
    expect(r.err).toMatch(/endpoint\.legacyPlugin\.filterOperators\[1\]/);
    const none = await checkConfig({ region: 'eu' });
    expect(none.err).toMatch(/endpoint\.legacyPlugin/);
  });
});
