#!/usr/bin/env node
// The write path in process: (d) create, (e) patch a user and (f) add a member to a 5,000-member
// group through the core's handler and the embedded store with its journal, without HTTP, without
// authentication and without fdatasync (fsync off: the journal still writes every batch). Ten
// writers run concurrently, as the bench's ten connections do, so journal batches form as there.
// Prints the process's CPU time per write. Under callgrind, two runs that differ only in --writes
// give instructions per write that do not depend on the machine's load:
//
//   node bench/write-path.mjs                       # CPU µs per write, best of --rounds
//   bench/node_modules/.bin/bun bench/write-path.mjs
//   valgrind --tool=callgrind node bench/write-path.mjs --writes 200 --rounds 1 --warmup 200 --users 200
//   valgrind --tool=callgrind node bench/write-path.mjs --writes 1200 --rounds 1 --warmup 200 --users 200
//     → (instructions of the second − the first) ÷ 3,000 writes
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoDir } from './lib/proc.mjs';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, {
  writes: { type: 'string', default: '10000' },
  warmup: { type: 'string', default: '3000' },
  rounds: { type: 'string', default: '3' },
  users: { type: 'string', default: '2000' },
  big: { type: 'string', default: '5000' },
  only: { type: 'string', default: 'd,e,f' },
});
const dist = (pkg, file) => pathToFileURL(join(repoDir, 'packages', pkg, 'dist', file)).href;
const { createLokiConnector } = await import(dist('connector-loki', 'index.js'));
const { createScimHandler } = await import(dist('core', 'handler/index.js'));

const dir = mkdtempSync(join(tmpdir(), 'scimgw-write-path-'));
const connector = createLokiConnector({ directory: dir, exampleData: false, fsync: false });
const scim = createScimHandler({ connector });
const context = { requestId: 'bench', principal: { name: 'bench', method: 'basic' } };
const PATCH = ['urn:ietf:params:scim:api:messages:2.0:PatchOp'];
const call = (method, url, body) =>
  scim.handle({ method, url, body: body === undefined ? undefined : JSON.stringify(body), origin: 'http://bench', context });

const ids = [];
for (let i = 0; i < Number(opt.users); i++) {
  const r = await call('POST', '/Users', { userName: `user-${i}`, name: { givenName: 'N', familyName: 'B' } });
  ids.push(r.body.id);
}
const members = Array.from({ length: Number(opt.big) }, (_, i) => ({ value: `member-${i}` }));
const gid = (await call('POST', '/Groups', { displayName: 'big', members })).body.id;

const W = {
  d: (i) => call('POST', '/Users', { userName: `new-${i}-${Math.random()}`, name: { givenName: 'N', familyName: 'B' } }),
  e: (i) =>
    call('PATCH', `/Users/${ids[i % ids.length]}`, {
      schemas: PATCH,
      Operations: [{ op: 'replace', path: 'title', value: `t${i}` }],
    }),
  f: (i) =>
    call('PATCH', `/Groups/${gid}`, {
      schemas: PATCH,
      Operations: [{ op: 'add', path: 'members', value: [{ value: `extra-${i}-${Math.random()}` }] }],
    }),
};

/** `n` writes of one kind by ten concurrent writers. */
async function run(make, n) {
  let i = 0;
  const writer = async () => {
    while (i < n) {
      const res = await make(i++);
      if (res.status >= 300) throw new Error(`write answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: 10 }, writer));
}

const out = {};
for (const k of opt.only.split(',')) {
  for (let r = 0; r < Number(opt.rounds); r++) {
    await run(W[k], Number(opt.warmup));
    const before = process.cpuUsage();
    await run(W[k], Number(opt.writes));
    const used = process.cpuUsage(before);
    const us = Math.round(((used.user + used.system) / Number(opt.writes)) * 10) / 10;
    out[k] = Math.min(out[k] ?? Number.POSITIVE_INFINITY, us);
  }
}
console.log(
  `${process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`}: CPU µs per write (best of ${opt.rounds}), core handler + store + journal, no HTTP, no fdatasync:`,
  JSON.stringify(out),
);
await connector.close?.();
rmSync(dir, { recursive: true, force: true });
