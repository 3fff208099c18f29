/**
 * A throwaway OpenLDAP server for tests: its own temp directory, random free
 * loopback ports (ldap:// and ldaps://), a CA and server certificate made
 * with openssl, the core/cosine/inetorgperson/nis schemas plus the auxiliary
 * class docs/connectors/ldap.md shows (accountActive, scimgwExternalId),
 * back_mdb, `sizelimit 50` (paged results unlimited, as AD behaves), the memberof overlay when the module is installed and, on
 * request, the sssvlv overlay (server-side sorting and virtual list views).
 * Large directories are loaded offline with slapadd before the first start.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeServerCertificates } from '@scimgw/testing-pki';
import { freePort } from '@scimgw/testing-ports';

export const SUFFIX = 'dc=example,dc=org';
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
export const ADMIN_PW = 'secret';
export const GW_DN = `cn=gateway,${SUFFIX}`;
export const GW_PW = 'gateway-pw';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const ADMINS = `ou=admins,${SUFFIX}`;

/** True when slapd is installed (the tests install it in CI via .ci/run). */
export const HAVE_SLAPD = existsSync('/usr/sbin/slapd') || existsSync('/usr/bin/slapd');
/** True when the memberof overlay module is present. */
export const HAVE_MEMBEROF = existsSync('/usr/lib/ldap/memberof.la') || existsSync('/usr/lib/ldap/memberof.so');
/** True when the sssvlv overlay module (RFC 2891 sorting, VLV) is present. */
export const HAVE_SSSVLV = existsSync('/usr/lib/ldap/sssvlv.la') || existsSync('/usr/lib/ldap/sssvlv.so');

/** Options of {@link startSlapd}. */
export interface SlapdOptions {
  /** Load the memberof overlay (default: when installed). */
  memberOf?: boolean;
  /** Load the sssvlv overlay (default false). */
  sssvlv?: boolean;
  /** `sssvlv-max` and `sssvlv-maxperconn` (defaults: slapd's own). */
  sssvlvMax?: number;
  sssvlvMaxPerConn?: number;
  /** Entries per plain search (default 50); `'unlimited'` lifts it. */
  sizeLimit?: number | 'unlimited';
  /** slapd worker threads (default slapd's 16). */
  threads?: number;
  /** LDIF loaded with slapadd before the first start (after the base entries). */
  preload?: string;
  /** slapd's `idletimeout`: seconds after which it closes an idle client connection (default none). */
  idleTimeout?: number;
  /** `access to …` lines put before the test ACLs (first match wins), for tests of documented ACLs. */
  acl?: string[];
}

export interface Slapd {
  dir: string;
  port: number;
  tlsPort: number;
  url: string;
  ldapsUrl: string;
  caPem: string;
  memberOf: boolean;
  sssvlv: boolean;
  /** Stops the server, keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
  /** Stops and removes everything. */
  destroy(): Promise<void>;
  /** Runs ldapadd as the directory manager with LDIF text. */
  ldapadd(ldif: string): Promise<void>;
}

const run = (cmd: string, args: string[], input?: string, timeout = 60_000) =>
  new Promise<string>((resolve, reject) => {
    const child = execFile(cmd, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TEST_SCHEMA = `attributetype ( 1.3.6.1.4.1.99999.1.1 NAME 'accountActive'
  DESC 'scimgw test: account enabled' EQUALITY booleanMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.99999.1.2 NAME 'scimgwExternalId'
  DESC 'scimgw test: the identity provider id of the account' EQUALITY caseExactMatch
  SUBSTR caseExactSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.99999.2.1 NAME 'scimgwAccount' AUXILIARY MAY ( accountActive $ scimgwExternalId ) )
`;

const BASE_LDIF = [
  `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
  `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people\n`,
  `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups\n`,
  `dn: ${ADMINS}\nobjectClass: organizationalUnit\nou: admins\n`,
  `dn: ${GW_DN}\nobjectClass: person\ncn: gateway\nsn: gateway\nuserPassword: ${GW_PW}\n`,
].join('\n');

/** Starts a fresh slapd. */
export async function startSlapd(opts: SlapdOptions = {}): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-slapd-'));
  mkdirSync(join(dir, 'db'));
  writeServerCertificates(dir, { hosts: ['127.0.0.1', 'localhost'] });
  writeFileSync(join(dir, 'test.schema'), TEST_SCHEMA);
  const memberOf = opts.memberOf !== false && HAVE_MEMBEROF;
  const sssvlv = opts.sssvlv === true;
  if (sssvlv && !HAVE_SSSVLV) throw new Error('the sssvlv overlay is not installed (/usr/lib/ldap/sssvlv.la)');
  const limit = opts.sizeLimit ?? 50;
  const conf = [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'include /etc/ldap/schema/nis.schema',
    `include ${join(dir, 'test.schema')}`,
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    ...(memberOf ? ['moduleload memberof'] : []),
    ...(sssvlv ? ['moduleload sssvlv'] : []),
    ...(opts.threads ? [`threads ${opts.threads}`] : []),
    ...(opts.idleTimeout ? [`idletimeout ${opts.idleTimeout}`] : []),
    `TLSCACertificateFile ${join(dir, 'ca.pem')}`,
    `TLSCertificateFile ${join(dir, 'server.pem')}`,
    `TLSCertificateKeyFile ${join(dir, 'server.key')}`,
    // 50 entries per plain search; paged searches may return everything (like AD's MaxPageSize).
    limit === 'unlimited' ? 'sizelimit unlimited' : `sizelimit size.soft=${limit} size.hard=${limit} size.prtotal=unlimited`,
    'database mdb',
    'maxsize 268435456',
    // Throwaway data: no fsync per write.
    'dbnosync',
    `suffix "${SUFFIX}"`,
    `rootdn "${ADMIN_DN}"`,
    `rootpw ${ADMIN_PW}`,
    `directory ${join(dir, 'db')}`,
    'index objectClass eq',
    'index uid,cn eq,sub',
    'index member,uniqueMember,manager eq',
    'index entryUUID eq',
    'index scimgwExternalId eq',
    ...(memberOf ? ['index memberOf eq'] : []),
    ...(memberOf ? ['overlay memberof', 'memberof-group-oc groupOfNames', 'memberof-dangling ignore'] : []),
    ...(sssvlv
      ? [
          'overlay sssvlv',
          ...(opts.sssvlvMax ? [`sssvlv-max ${opts.sssvlvMax}`] : []),
          ...(opts.sssvlvMaxPerConn ? [`sssvlv-maxperconn ${opts.sssvlvMaxPerConn}`] : []),
        ]
      : []),
    ...(opts.acl ?? []),
    `access to attrs=userPassword by dn.exact="${GW_DN}" write by self write by anonymous auth by * none`,
    `access to * by dn.exact="${GW_DN}" write by * read`,
    '',
  ].join('\n');
  let port = 0;
  let tlsPort = 0;
  let url = '';
  let ldapsUrl = '';

  const start = async () => {
    await run('slapd', ['-f', join(dir, 'slapd.conf'), '-h', `${url}/ ${ldapsUrl}/`]);
    for (let i = 0; i < 100; i++) {
      try {
        await run('ldapsearch', ['-x', '-H', url, '-b', '', '-s', 'base', '-o', 'nettimeout=2'], undefined, 5_000);
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error('slapd did not start within 10 s');
  };
  const stop = async () => {
    const pidFile = join(dir, 'slapd.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
        await sleep(100);
      } catch {
        return;
      }
    }
    process.kill(pid, 'SIGKILL');
  };
  const ldapadd = async (ldif: string) => {
    await run('ldapadd', ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PW, '-c'], ldif, 120_000);
  };

  writeFileSync(join(dir, 'slapd.conf'), conf);
  if (opts.preload !== undefined) {
    // Offline load: far faster than ldapadd for thousands of entries (overlays do not run, so the
    // LDIF carries memberOf itself).
    writeFileSync(join(dir, 'preload.ldif'), `${BASE_LDIF}\n${opts.preload}`);
    await run('slapadd', ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'preload.ldif')], undefined, 600_000);
  }
  // A port picked free may be taken before slapd binds it (other tests run in parallel): try again.
  for (let attempt = 1; ; attempt++) {
    [port, tlsPort] = [await freePort(), await freePort()];
    url = `ldap://127.0.0.1:${port}`;
    ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
    writeFileSync(join(dir, 'slapd.conf'), conf);
    try {
      await start();
      break;
    } catch (e) {
      await stop();
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  if (opts.preload === undefined) await ldapadd(BASE_LDIF);
  return {
    dir,
    port,
    tlsPort,
    url,
    ldapsUrl,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    memberOf,
    sssvlv,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    ldapadd,
  };
}
