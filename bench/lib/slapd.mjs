// A throwaway OpenLDAP for the LDAP benchmark: back_mdb with the memberof and sssvlv overlays,
// OpenLDAP's default size limit (500), loaded offline with slapadd (users, groups and one big
// group, memberOf written into the users as the overlay would), served on a free loopback port.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './proc.mjs';

export const SUFFIX = 'dc=example,dc=org';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const GW_DN = `cn=gateway,${SUFFIX}`;
export const GW_PW = 'gateway-pw';

export const HAVE_SLAPD = existsSync('/usr/sbin/slapd') || existsSync('/usr/bin/slapd');
const module = (name) => existsSync(`/usr/lib/ldap/${name}.la`) || existsSync(`/usr/lib/ldap/${name}.so`);
/** The slapd modules the benchmark loads that are not installed. */
export const missingModules = () => ['back_mdb', 'memberof', 'sssvlv'].filter((m) => !module(m));

export const uidOf = (i) => `user${String(i).padStart(6, '0')}`;

const run = (cmd, args, timeout = 600_000) =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );

/** LDIF of the directory: base entries, `users` people, `groups` groups (every user in one), `cn=big`. */
function ldif({ users, groups, big }) {
  const out = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ${GW_DN}\nobjectClass: person\ncn: gateway\nsn: gateway\nuserPassword: ${GW_PW}\n`,
  ];
  const groupDn = (j) => `cn=group${String(j).padStart(4, '0')},${GROUPS}`;
  const userDn = (i) => `uid=${uidOf(i)},${PEOPLE}`;
  for (let i = 1; i <= users; i++) {
    const memberOf = [...(i <= big ? [`cn=big,${GROUPS}`] : []), groupDn(i % groups)];
    out.push(
      `dn: ${userDn(i)}\nobjectClass: top\nobjectClass: inetOrgPerson\nuid: ${uidOf(i)}\ncn: User ${i}\nsn: Surname${i}\n` +
        `givenName: Given${i}\nmail: ${uidOf(i)}@example.org\ntitle: Engineer\nemployeeNumber: ${i}\n` +
        memberOf.map((g) => `memberOf: ${g}\n`).join(''),
    );
  }
  const members = Array.from({ length: groups }, () => []);
  for (let i = 1; i <= users; i++) members[i % groups].push(userDn(i));
  members.forEach((m, j) => {
    out.push(
      `dn: ${groupDn(j)}\nobjectClass: top\nobjectClass: groupOfNames\ncn: group${String(j).padStart(4, '0')}\n${m.map((d) => `member: ${d}\n`).join('')}`,
    );
  });
  const bigMembers = Array.from({ length: big }, (_, k) => `member: ${userDn(k + 1)}\n`).join('');
  out.push(`dn: cn=big,${GROUPS}\nobjectClass: top\nobjectClass: groupOfNames\ncn: big\n${bigMembers}`);
  return out.join('\n');
}

/** Starts slapd with the population; returns its URL and a stop function. */
export async function startSlapd({ users, groups, big }) {
  if (!HAVE_SLAPD) throw new Error('slapd is not installed (apt-get install slapd ldap-utils)');
  const missing = missingModules();
  if (missing.length) throw new Error(`slapd modules not installed: ${missing.join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-bench-slapd-'));
  mkdirSync(join(dir, 'db'));
  const conf = [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'include /etc/ldap/schema/nis.schema',
    `pidfile ${join(dir, 'slapd.pid')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'moduleload memberof',
    'moduleload sssvlv',
    // OpenLDAP's default: 500 entries per plain search; paged searches are not limited.
    'sizelimit size.soft=500 size.hard=500 size.prtotal=unlimited',
    'database mdb',
    'maxsize 1073741824',
    'dbnosync',
    `suffix "${SUFFIX}"`,
    `rootdn "cn=admin,${SUFFIX}"`,
    'rootpw secret',
    `directory ${join(dir, 'db')}`,
    'index objectClass eq',
    'index uid,cn eq,sub',
    'index member eq',
    'index memberOf eq',
    'index entryUUID eq',
    'overlay memberof',
    'memberof-group-oc groupOfNames',
    'memberof-dangling ignore',
    // sssvlv with its defaults (sssvlv-max: half the server threads; 5 lists per connection).
    'overlay sssvlv',
    `access to attrs=userPassword by dn.exact="${GW_DN}" write by self write by anonymous auth by * none`,
    `access to * by dn.exact="${GW_DN}" write by * read`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'slapd.conf'), conf);
  writeFileSync(join(dir, 'data.ldif'), ldif({ users, groups, big }));
  const t0 = Date.now();
  await run('slapadd', ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'data.ldif')]);
  const loadSeconds = (Date.now() - t0) / 1000;
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  await run('slapd', ['-f', join(dir, 'slapd.conf'), '-h', `${url}/`]);
  for (let i = 0; ; i++) {
    try {
      await run('ldapsearch', ['-x', '-H', url, '-b', '', '-s', 'base', '-o', 'nettimeout=2'], 5_000);
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const pid = Number(readFileSync(join(dir, 'slapd.pid'), 'utf8').trim());
  return {
    url,
    pid,
    loadSeconds,
    async stop() {
      try {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 100; i++) {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        }
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
