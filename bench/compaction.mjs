#!/usr/bin/env node
// The embedded store's compaction (journal folded into a snapshot) seen from the event loop: a
// store of --users users (and one group per hundred users of 20 members, plus one of --big members)
// is opened from a snapshot this script writes, then compacted (`flush()`) --rounds times while
// --writers writers keep creating users through the core's handler (no HTTP). Prints per round the
// longest stall of the event loop (the longest gap between runs of a 1 ms interval timer), the
// compaction's wall time, the process's CPU time over it, and the writes acknowledged meanwhile.
// fsync stays on (the snapshot's and the journal's syncs are part of a compaction).
//
//   node bench/compaction.mjs --users 100000
//   node bench/compaction.mjs --users 1000000 --rounds 2 --writers 0
//   node bench/compaction.mjs --smoke     # 1,000 users, one round (npm test): then reopens the store
//                                         # and fails unless every acknowledged write is in it
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeLokiSnapshot } from './lib/loader.mjs';
import { repoDir } from './lib/proc.mjs';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, {
  users: { type: 'string', default: '100000' },
  big: { type: 'string', default: '5000' },
  rounds: { type: 'string', default: '3' },
  writers: { type: 'string', default: '10' },
  smoke: { type: 'boolean', default: false },
});
if (opt.smoke) Object.assign(opt, { users: '1000', big: '100', rounds: '1', writers: '4' });
const dist = (pkg, file) => pathToFileURL(join(repoDir, 'packages', pkg, 'dist', file)).href;
const { createLokiConnector } = await import(dist('connector-loki', 'index.js'));
const { createScimHandler } = await import(dist('core', 'handler/index.js'));

const N = Number(opt.users);
const dir = mkdtempSync(join(tmpdir(), 'scimgw-compaction-'));

// The snapshot a store of N users would have written: a group per hundred users of 20 members,
// and one of --big members.
writeLokiSnapshot(dir, {
  users: N,
  groups: Math.ceil(N / 100) + 1,
  prefix: 'c',
  members: (g) => (g === 0 ? Number(opt.big) : 20),
});

const connector = createLokiConnector({ directory: dir, exampleData: false });
const scim = createScimHandler({ connector });
const context = { requestId: 'bench', principal: { name: 'bench', method: 'basic' } };
const call = (method, url, body) =>
  scim.handle({ method, url, body: body === undefined ? undefined : JSON.stringify(body), origin: 'http://bench', context });

const t0 = performance.now();
await connector.open();
console.log(`${N} users loaded in ${Math.round(performance.now() - t0)} ms`);

let seq = 0;
let acknowledged = 0;
for (let r = 0; r < Number(opt.rounds); r++) {
  let running = true;
  let writes = 0;
  const writer = async () => {
    while (running) {
      const res = await call('POST', '/Users', { userName: `new-${r}-${seq++}`, name: { givenName: 'N', familyName: 'B' } });
      if (res.status >= 300) throw new Error(`write answered ${res.status}: ${JSON.stringify(res.body)}`);
      acknowledged++;
      if (running) writes++;
    }
  };
  const writing = Promise.all(Array.from({ length: Number(opt.writers) }, writer));
  await new Promise((resolve) => setTimeout(resolve, 50));
  // The longest gap between runs of a 1 ms timer.
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 1);
  const cpu = process.cpuUsage();
  const start = performance.now();
  writes = 0;
  await connector.flush();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // A stall ends with the compaction: the timers must run once more to see it.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(timer);
  running = false;
  await writing;
  console.log(
    `round ${r + 1}: longest event-loop stall ${gap.toFixed(1)} ms, compaction ${Math.round(wall)} ms wall, ${Math.round((used.user + used.system) / 1000)} ms CPU, ${writes} writes acknowledged meanwhile`,
  );
}
await connector.close?.();
if (opt.smoke) {
  // Opened again from its files: every user of the snapshot and every acknowledged create is there.
  const again = createLokiConnector({ directory: dir, exampleData: false });
  await again.open();
  const list = await createScimHandler({ connector: again }).handle({ method: 'GET', url: '/Users?count=1', context });
  await again.close?.();
  const total = list.body.totalResults;
  if (total !== N + acknowledged) throw new Error(`reopened store holds ${total} users, expected ${N} + ${acknowledged}`);
  console.log(`compaction bench smoke run OK: reopened with all ${total} users`);
}
rmSync(dir, { recursive: true, force: true });
