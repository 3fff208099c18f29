// `npm test` on a fresh machine installs the Debian tools the suite needs, or says loudly which
// tests are skipped (and, under CI, stops): checked with fake tools and a fake apt-get.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEBIAN_TOOLS, ensureDebianTools } from '../ensure-services.mjs';

const fake = (installed, skipEnv) => {
  const t = { name: 'tool', packages: ['tool-pkg'], have: () => installed.has('tool-pkg'), skipped: 'the tool tests' };
  return skipEnv ? { ...t, skipEnv } : t;
};

describe('ensureDebianTools', () => {
  test('installs what is missing with apt-get when it may', () => {
    const installed = new Set();
    const asked = [];
    const env = {};
    const ok = ensureDebianTools({
      log: () => {},
      env,
      tools: [fake(installed, { SKIP_TOOL: 'skip' })],
      canApt: true,
      apt: (pkgs) => {
        asked.push(...pkgs);
        for (const p of pkgs) installed.add(p);
      },
    });
    assert.equal(ok, true);
    assert.deepEqual(asked, ['tool-pkg']);
    assert.equal(env.SKIP_TOOL, undefined);
  });

  test('without apt-get, skips loudly and sets what makes the checks skip', () => {
    const lines = [];
    const env = {};
    const ok = ensureDebianTools({
      log: (l) => lines.push(l),
      env,
      tools: [fake(new Set(), { SKIP_TOOL: 'skip' })],
      canApt: false,
      apt: () => assert.fail('apt-get must not run'),
    });
    assert.equal(ok, true);
    assert.equal(env.SKIP_TOOL, 'skip');
    assert.match(lines.join('\n'), /tool is not installed: the tool tests will be SKIPPED/);
  });

  test('under CI a tool that could not be installed stops the run', () => {
    const lines = [];
    const env = { CI: '1' };
    const ok = ensureDebianTools({
      log: (l) => lines.push(l),
      env,
      tools: [fake(new Set(), { SKIP_TOOL: 'skip' })],
      canApt: true,
      apt: () => {},
    });
    assert.equal(ok, false);
    assert.equal(env.SKIP_TOOL, undefined);
    assert.match(lines.join('\n'), /✖ tool is not installed/);
  });

  test('the suite asks for slapd, Samba, Chromium and BusyBox; Chromium lets the docs check skip', () => {
    assert.deepEqual(
      DEBIAN_TOOLS.map((t) => t.name),
      ['slapd', 'samba', 'chromium', 'busybox'],
    );
    assert.deepEqual(DEBIAN_TOOLS.find((t) => t.name === 'chromium').skipEnv, { SCIMGW_DOCS_NO_CHROMIUM: 'skip' });
  });
});
