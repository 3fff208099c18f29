/**
 * A throwaway Samba Active Directory domain controller for tests: a real AD-compatible LDAP server
 * (Debian's `samba`, `samba-ad-dc` and `samba-ad-provision` packages), provisioned in a temp
 * directory (`samba-tool domain provision`, about 5 s), running only its LDAP service in the
 * foreground, single process. Samba's LDAP ports are fixed (389, 636), so each server binds a
 * loopback address of its own (127.x.y.z): two test runs on one machine never meet. LDAPS uses a
 * certificate from @scimgw/testing-pki for that address.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeServerCertificates } from '@scimgw/testing-pki';
import { Attribute } from 'ldapts';
import type { LdapSettingsConfig } from '../../src/index.js';
import { type AdConnection, connectTo } from './ad-connect.js';

/** True when Samba's AD DC can be provisioned and run here (the tests install it in CI via .ci/run). */
export const HAVE_SAMBA =
  existsSync('/usr/sbin/samba') && existsSync('/usr/bin/samba-tool') && existsSync('/usr/share/samba/setup/provision.ldif');

export const SAMBA_BASE = 'DC=scimgw,DC=test';
export const SAMBA_ADMIN_DN = `CN=Administrator,CN=Users,${SAMBA_BASE}`;
/** Meets the domain's default complexity rule (three character classes, seven or more). */
export const SAMBA_ADMIN_PW = 'Adm1n-Passw0rd!';
export const SAMBA_USERS = `OU=Cloud Users,${SAMBA_BASE}`;
export const SAMBA_GROUPS = `OU=Cloud Groups,${SAMBA_BASE}`;

/** `admin()` and `read()` act as Administrator, over LDAPS. */
export interface SambaDc extends AdConnection {
  dir: string;
  /** The loopback address it listens on. */
  host: string;
  ldapsUrl: string;
  /** The CA that signed its LDAPS certificate (file path and PEM). */
  caFile: string;
  caPem: string;
  stop(): Promise<void>;
}

const run = (cmd: string, args: string[], timeout = 120_000) =>
  new Promise<string>((ok, fail) =>
    execFile(cmd, args, { timeout, maxBuffer: 16 * 1024 * 1024 }, (err, out, errOut) =>
      err ? fail(new Error(`${cmd} ${args[0]}: ${err.message}\n${errOut}\n${out}`.slice(0, 4000))) : ok(out),
    ),
  );

const reachable = (host: string, port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });

/**
 * A loopback address of its own: a random 127.x.y.z put on `lo` (Samba binds only addresses an
 * interface has). Without the right to add one (no CAP_NET_ADMIN), 127.0.0.1 when Samba's ports
 * are free there. `release` takes the address away again.
 */
async function loopbackAddress(): Promise<{ host: string; release: () => Promise<void> }> {
  const r = () => 2 + Math.floor(Math.random() * 250);
  const host = `127.${r()}.${r()}.${r()}`;
  try {
    await run('ip', ['addr', 'add', `${host}/32`, 'dev', 'lo']);
    return {
      host,
      release: () =>
        run('ip', ['addr', 'del', `${host}/32`, 'dev', 'lo']).then(
          () => {},
          () => {},
        ),
    };
  } catch {
    if ((await reachable('127.0.0.1', 389)) || (await reachable('127.0.0.1', 636)))
      throw new Error('cannot add a loopback address (ip addr add), and 127.0.0.1:389/636 are taken');
    return { host: '127.0.0.1', release: async () => {} };
  }
}

/**
 * Provisions and starts a domain controller for `SCIMGW.TEST`, with the OUs `Cloud Users` and
 * `Cloud Groups` (what the documented configuration names).
 */
export async function startSambaDc(): Promise<SambaDc> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-samba-'));
  const { host, release } = await loopbackAddress();
  const tls = join(dir, 'tls');
  mkdirSync(tls);
  const certs = writeServerCertificates(tls, { hosts: [host], key: 'rsa' });
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    await release();
  };
  try {
    await run('samba-tool', [
      'domain',
      'provision',
      '--realm=SCIMGW.TEST',
      '--domain=SCIMGW',
      '--server-role=dc',
      '--dns-backend=NONE',
      '--use-rfc2307',
      `--adminpass=${SAMBA_ADMIN_PW}`,
      `--targetdir=${dir}`,
      '--host-name=dc1',
      `--option=interfaces=${host}`,
      '--option=bind interfaces only=yes',
      '--option=server services=ldap',
      '--option=tls enabled=yes',
      `--option=tls keyfile=${certs.keyFile}`,
      `--option=tls certfile=${certs.certFile}`,
      `--option=tls cafile=${certs.caFile}`,
      `--option=log file=${join(dir, 'samba.log')}`,
      // Every file of its own under `dir`: Debian's defaults would meet another test run's server.
      `--option=pid directory=${dir}`,
      `--option=ncalrpc dir=${join(dir, 'ncalrpc')}`,
      `--option=winbindd socket directory=${join(dir, 'winbindd')}`,
    ]);
    let output = '';
    child = spawn('samba', ['-i', '-M', 'single', '-s', join(dir, 'etc', 'smb.conf'), '--debug-stdout'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    child.stderr?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 60_000;
    while (!(await reachable(host, 636))) {
      if (child.exitCode !== null) throw new Error(`samba exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`samba did not listen on ${host}:636 within 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const dc: SambaDc = {
      dir,
      host,
      ldapsUrl: `ldaps://${host}:636`,
      caFile: certs.caFile,
      caPem: certs.ca,
      ...connectTo({ urls: [`ldaps://${host}:636`], caPem: certs.ca, adminDn: SAMBA_ADMIN_DN, adminPassword: SAMBA_ADMIN_PW }),
      stop,
    };
    const c = await dc.admin();
    try {
      for (const ou of ['Cloud Users', 'Cloud Groups']) {
        await c.add(`OU=${ou},${SAMBA_BASE}`, [
          new Attribute({ type: 'objectClass', values: ['top', 'organizationalUnit'] }),
          new Attribute({ type: 'ou', values: [ou] }),
        ]);
      }
    } finally {
      await c.unbind();
    }
    return dc;
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The settings that point a configuration at this DC: its address, CA, Administrator and OUs. */
export function sambaSettings(dc: SambaDc): Partial<LdapSettingsConfig> {
  return {
    baseUrls: [dc.ldapsUrl],
    tls: { ca: dc.caFile },
    username: SAMBA_ADMIN_DN,
    password: SAMBA_ADMIN_PW,
    userBase: SAMBA_USERS,
    groupBase: SAMBA_GROUPS,
  };
}
