// `npm test` on a fresh machine: some tests need programs from Debian's packages. The LDAP tests run
// against a real OpenLDAP server and a Samba AD domain controller that they start themselves, the docs' overflow check and
// the /logger page test render in Chromium, and the launcher test runs the CLI under BusyBox's env.
// Install what is missing when this process may (root with apt-get, as on CI machines and
// containers); otherwise say loudly which tests will be skipped, and under CI refuse to go on, so a
// green run never hides them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const anyOf = (...paths) => paths.some((p) => existsSync(p));

/** What the suite needs from Debian's packages, and what is skipped without it. */
export const DEBIAN_TOOLS = [
  {
    name: 'slapd',
    packages: ['slapd', 'ldap-utils'],
    have: () => anyOf('/usr/sbin/slapd', '/usr/bin/slapd'),
    skipped: 'the tests against a real OpenLDAP',
  },
  {
    name: 'samba',
    packages: ['samba', 'samba-ad-dc', 'samba-ad-provision'],
    have: () => anyOf('/usr/share/samba/setup/provision.ldif') && anyOf('/usr/sbin/samba'),
    skipped: 'the tests against a real Active Directory server (a Samba AD domain controller)',
  },
  {
    name: 'chromium',
    packages: ['chromium'],
    have: () => anyOf('/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'),
    skipped: "the docs' overflow check and the /logger page test",
    // docs/check-overflow.mjs fails without Chromium unless told that skipping is intended.
    skipEnv: { SCIMGW_DOCS_NO_CHROMIUM: 'skip' },
  },
  {
    name: 'busybox',
    packages: ['busybox'],
    have: () => anyOf('/usr/bin/busybox', '/bin/busybox'),
    skipped: "the launcher test under BusyBox's env",
  },
];

/**
 * Makes sure the tools the suite needs are installed. Returns false when one is missing and may
 * not be skipped (under CI); otherwise true, with the environment set so that the checks of a
 * missing tool skip (and a loud line saying so).
 */
export function ensureDebianTools({
  log = console.log,
  env = process.env,
  tools = DEBIAN_TOOLS,
  apt = runApt,
  canApt = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get'),
} = {}) {
  const missing = tools.filter((t) => !t.have());
  if (missing.length === 0) return true;
  if (canApt) {
    const packages = missing.flatMap((t) => t.packages);
    log(`→ installing ${packages.join(' ')} from Debian packages (${missing.map((t) => t.skipped).join('; ')})`);
    apt(packages, env);
  }
  let ok = true;
  for (const t of missing) {
    if (t.have()) continue;
    const how = `install it with: sudo apt-get install ${t.packages.join(' ')} (or run .ci/run)`;
    if (env.CI) {
      log(`✖ ${t.name} is not installed and could not be installed here; ${how}`);
      ok = false;
      continue;
    }
    log(`! ${t.name} is not installed: ${t.skipped} will be SKIPPED; ${how}`);
    Object.assign(env, t.skipEnv ?? {});
  }
  return ok;
}

function runApt(packages, env) {
  const opts = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } };
  spawnSync('apt-get', ['update', '-qq'], opts);
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], opts);
}
