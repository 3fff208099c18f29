// `npm test` on a fresh machine: the LDAP tests run against a real OpenLDAP server that they start
// themselves, from Debian's slapd package. Install it when it is missing and this process may
// (root with apt-get, as on CI machines and containers); otherwise say loudly that those tests will
// be skipped, and under CI refuse to go on, so a green run never hides them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const haveSlapd = () => existsSync('/usr/sbin/slapd') || existsSync('/usr/bin/slapd');

/** Makes sure slapd is installed; returns false when it is not and could not be. */
export function ensureSlapd({ log = console.log, env = process.env } = {}) {
  if (haveSlapd()) return true;
  const canApt = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (canApt) {
    log('→ installing slapd and ldap-utils from Debian packages (the LDAP tests start their own OpenLDAP)');
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const opts = { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv };
    spawnSync('apt-get', ['update', '-qq'], opts);
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'slapd', 'ldap-utils'], opts);
    if (haveSlapd()) return true;
  }
  const how = 'install it with: sudo apt-get install slapd ldap-utils (or run .ci/run)';
  if (env.CI) {
    log(`✖ slapd is not installed and could not be installed here; ${how}`);
    return false;
  }
  log(`! slapd is not installed: the tests against a real OpenLDAP will be SKIPPED; ${how}`);
  return true;
}
