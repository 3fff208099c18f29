#!/usr/bin/env node
// The gateway's request pipeline in process: what a request costs in JavaScript alone. The
// pipeline of a gateway built from a config (probes, tenant, authentication, body, core handler,
// the embedded store without fsync, the JSON of the answer, the log line, metrics) is called with
// request and response objects of its own, so node:http, the sockets and the kernel are left out.
// Set against bench/cost.mjs (the same workloads through HTTP, CPU per request of the gateway's
// main thread), it says how much of a request is the gateway's own code and how much the HTTP
// exchange around it. Prints CPU µs per request per workload, the lowest of --rounds.
//
//   node bench/pipeline.mjs                     # workloads a, b, c, d, e, f, g of run.mjs
//   node bench/pipeline.mjs --only b,c --requests 50000
//   bench/node_modules/.bin/bun bench/pipeline.mjs --only b   # the same on Bun
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { cli } from './lib/cli.mjs';
import { repoDir } from './lib/proc.mjs';
import { workloads } from './lib/workloads.mjs';

const { values: opt } = cli(import.meta.url, {
  only: { type: 'string', default: 'a,b,c,d,e,f,g' },
  users: { type: 'string', default: '10000' },
  big: { type: 'string', default: '5000' },
  requests: { type: 'string', default: '20000' },
  rounds: { type: 'string', default: '3' },
  smoke: { type: 'boolean', default: false },
});
const users = opt.smoke ? 300 : Number(opt.users);
const bigSize = opt.smoke ? 100 : Number(opt.big);
const requests = opt.smoke ? 300 : Number(opt.requests);
const rounds = opt.smoke ? 1 : Number(opt.rounds);

const dist = (...p) => pathToFileURL(join(repoDir, ...p)).href;
const { buildInstance, createPipeline } = await import(dist('apps', 'gateway', 'dist', 'index.js'));
const { loadConfig } = await import(dist('packages', 'server', 'dist', 'index.js'));

const dir = mkdtempSync(join(tmpdir(), 'scimgw-pipeline-'));
mkdirSync(join(dir, 'config'));
const file = join(dir, 'config', 'connector-loki.json');
writeFileSync(
  file,
  JSON.stringify({
    scimgateway: {
      port: 0,
      localhostonly: true,
      payloadSize: '20mb',
      auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
      log: { loglevel: { console: 'error', file: 'off' } },
      scim: { maxPageSize: 1000 },
    },
    // The journal is written, without fdatasync: the disk's wait is not the pipeline's cost.
    endpoint: { persistence: true, directory: join(dir, 'data'), exampleData: false, fsync: false },
  }),
);
const parts = await buildInstance(await loadConfig(file));
parts.setReady(true);
const pipeline = createPipeline(parts.deps);
const authorization = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;

/** A response object with what the pipeline uses of node:http's: it resolves with the answer. */
function response(resolve) {
  const chunks = [];
  return {
    statusCode: 200,
    headersSent: false,
    writableFinished: false,
    destroyed: false,
    socket: {},
    setHeader() {},
    getHeader() {},
    once() {},
    on() {},
    cork() {},
    uncork() {},
    writeHead(status) {
      this.statusCode = status;
      this.headersSent = true;
      return this;
    },
    write(c) {
      chunks.push(c);
      return true;
    },
    end(c) {
      if (c !== undefined) chunks.push(c);
      this.writableFinished = true;
      resolve({ status: this.statusCode, chunks });
    },
  };
}

/** One request through the pipeline; resolves with its status and the pieces of its body. */
function call({ method = 'GET', path, body }) {
  return new Promise((resolve) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = { host: '127.0.0.1', authorization, accept: 'application/scim+json' };
    const req = text === undefined ? Readable.from([]) : Readable.from([Buffer.from(text)]);
    if (text !== undefined) {
      headers['content-type'] = 'application/scim+json';
      headers['content-length'] = String(Buffer.byteLength(text));
    }
    Object.assign(req, { url: path, method, headers, socket: { remoteAddress: '127.0.0.1' } });
    pipeline(req, response(resolve));
  });
}

const json = (r) => JSON.parse(r.chunks.map((c) => (typeof c === 'string' ? c : c.toString('utf8'))).join(''));
const prefix = `p${Date.now().toString(36)}`;
const seeded = { userIds: [], userNames: [], prefix };
for (let i = 0; i < users; i++) {
  const userName = `${prefix}-user-${i}`;
  const r = await call({
    method: 'POST',
    path: '/Users',
    body: {
      userName,
      externalId: `ext-${prefix}-${i}`,
      name: { givenName: 'Given', familyName: `Family${i}` },
      emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
      active: true,
    },
  });
  if (r.status !== 201) throw new Error(`seeding answered ${r.status}`);
  seeded.userIds.push(json(r).id);
  seeded.userNames.push(userName);
}
const members = seeded.userIds.slice(0, bigSize).map((value) => ({ value }));
const big = await call({ method: 'POST', path: '/Groups', body: { displayName: `${prefix}-big`, members } });
if (big.status !== 201) throw new Error(`the big group answered ${big.status}`);
seeded.bigGroupId = json(big).id;

const W = workloads(seeded, users);
const out = {};
for (const key of opt.only.split(',')) {
  const w = W[key];
  if (!w) throw new Error(`--only: unknown workload ${key}`);
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      const r = await call(w.make(i));
      if (r.status >= 300) throw new Error(`(${key}) answered ${r.status}`);
    }
  };
  await run(Math.max(1, Math.floor(requests / 4))); // warm-up
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    await run(requests);
    const used = process.cpuUsage(before);
    const us = Math.round(((used.user + used.system) / requests) * 10) / 10;
    out[key] = Math.min(out[key] ?? Number.POSITIVE_INFINITY, us);
  }
  console.log(`(${key}) ${w.name}: ${out[key]} CPU µs per request in process (lowest of ${rounds})`);
}
await parts.close?.();
rmSync(dir, { recursive: true, force: true });
if (opt.smoke) console.log('pipeline bench smoke run OK: every workload answered');
