#!/usr/bin/env node
// Where one read of the 1,000-member group goes, in process (no HTTP): the CPU time of this
// process per operation, by part, on the same throwaway slapd as bench/ldap.mjs. CPU time does
// not count waiting for a core, so it is steadier than latency on a shared machine.
//
//   node bench/ldap-parts.mjs               # 10,000 users, a group of 1,000, 300 reads per part
//   node bench/ldap-parts.mjs --reads 1000
//   node --trace-gc bench/ldap-parts.mjs    # GC pauses, with a '# measured: <part>' line after each part
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createLdapConnector, dnKey } from '@scimgw/connector-ldap';
import { repoDir } from './lib/proc.mjs';
import { GROUPS, GW_DN, GW_PW, HAVE_SLAPD, PEOPLE, startSlapd } from './lib/slapd.mjs';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, { users: { type: 'string' }, big: { type: 'string' }, reads: { type: 'string' } });
if (!HAVE_SLAPD) {
  console.log('ldap parts skipped: slapd is not installed');
  process.exit(0);
}
const users = Number(opt.users ?? 10_000);
const big = Number(opt.big ?? 1000);
const reads = Number(opt.reads ?? 300);
// The connector's own dependencies (ldapts, the core's handler), as it resolves them.
const req = createRequire(join(repoDir, 'packages/connector-ldap/package.json'));
const { Client } = await import(req.resolve('ldapts'));
const { createScimHandler } = await import(req.resolve('@scimgw/core/handler'));

/** CPU ms of this process per call of `fn`, after a warm-up. */
async function perCall(fn, n = reads) {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000 / n, wall: (performance.now() - t0) / n };
}

const slapd = await startSlapd({ users, groups: 100, big });
const rows = [];
const row = (part, r) => {
  rows.push({ part, 'CPU ms': r.cpu.toFixed(3), 'wall ms': r.wall.toFixed(3) });
  // With --trace-gc, a line after each part tells which collections belong to it.
  if (process.execArgv.includes('--trace-gc')) console.log(`# measured: ${part}`);
};
try {
  const bigDn = `cn=big,${GROUPS}`;
  const client = new Client({ url: slapd.url, timeout: 30_000 });
  await client.bind(GW_DN, GW_PW);
  const base = ['cn', 'entryUUID', 'createTimestamp', 'modifyTimestamp', 'entryCSN'];
  const search = (attributes) => client.search(bigDn, { scope: 'base', attributes });
  const { searchEntries } = await search([...base, 'member']);
  const members = [searchEntries[0].member].flat();
  row('ldapts: search the group with its member values', await perCall(() => search([...base, 'member'])));
  row('ldapts: search the group without them', await perCall(() => search(base)));
  await client.unbind();
  // DN keys: the first time each DN is seen (plain DNs without a parse; with a space after the
  // commas, as some servers write them, through the RFC 4514 parser), then from the key cache.
  let k = 0;
  const firstTime = (spell) => () => {
    k++;
    for (const m of members) dnKey(spell(m.replace('uid=', `uid=k${k}-`)));
  };
  row(
    'DN keys of the members, first time, plain DNs',
    await perCall(
      firstTime((d) => d),
      20,
    ),
  );
  row(
    'DN keys of the members, first time, parsed',
    await perCall(
      firstTime((d) => d.replaceAll(',', ', ')),
      20,
    ),
  );
  row(
    'DN keys of the members, seen before',
    await perCall(() => {
      for (const d of members) dnKey(d);
    }),
  );

  const connector = (over) =>
    createLdapConnector({
      config: {
        ldap: {
          baseUrls: [slapd.url],
          username: GW_DN,
          password: GW_PW,
          userBase: PEOPLE,
          groupBase: GROUPS,
          memberOfAttribute: 'memberOf',
          ...over,
        },
      },
    });
  for (const [name, over] of [
    ['idCacheSeconds 0 (every read resolves its members)', { idCacheSeconds: 0 }],
    ['default (kept member ids)', {}],
  ]) {
    const c = connector(over);
    const h = createScimHandler({ connector: c });
    const list = await h.handle({
      method: 'GET',
      url: `/Groups?filter=${encodeURIComponent('displayName eq "big"')}&attributes=id`,
    });
    const id = JSON.parse(typeof list.body === 'string' ? list.body : JSON.stringify(list.body)).Resources[0].id;
    const get = () => h.handle({ method: 'GET', url: `/Groups/${id}` });
    const res = await get();
    const body = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
    if (body.members?.length !== big) throw new Error(`expected ${big} members, got ${body.members?.length}`);
    row(`SCIM GET of the group, ${name}`, await perCall(get));
    row('  of which: JSON of the answer', await perCall(() => JSON.stringify(body)));
    await c.close?.();
  }
} finally {
  await slapd.stop();
}
console.table(rows);
console.log(
  `${users} users, group of ${big}, ${reads} reads per part; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
