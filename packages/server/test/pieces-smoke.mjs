// Run by test/pieces-runtimes.test.ts on Node and on Bun, against the built package.
//
// 1. What sendJson relies on for pages on Bun (src/http/send.ts, `joined`): the runtime's
//    ServerResponse copies what `end` is given before `end` returns. Six clients that stall
//    before reading each get a 32 MiB body, far more than the socket's buffers take, from one
//    buffer the handler overwrites right after `end`. Prints `retained N` (bodies that came out
//    overwritten): 0 on Bun; Node writes from the caller's buffer, so there N > 0, which shows
//    this check can fail.
// 2. Pages through sendJson: list bodies of kept frozen resources (a piece each, joined into the
//    reused buffer on Bun), requested by many stalled clients at once, each with different
//    resources. Prints `pages ok N bad M`: every body must be its own page. (Pages of up to 1 MiB,
//    the reused buffer's size, fit in a loopback socket's buffers, so on their own they would not
//    show a runtime that keeps the buffer: check 1 does.)
import http from 'node:http';
import net from 'node:net';
import { sendJson } from '../dist/index.js';

const runtime = globalThis.Bun ? 'bun' : 'node';

function get(port, path, stallMs) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      s.pause();
      setTimeout(() => s.resume(), stallMs);
    });
    const chunks = [];
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      resolve(all.subarray(all.indexOf('\r\n\r\n') + 4));
    });
  });
}

async function listen(handler) {
  const srv = http.createServer(handler);
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}

// 1. Does `end` copy?
const BIG = 32 * 1024 * 1024;
const shared = Buffer.allocUnsafeSlow(BIG);
const raw = await listen((req, res) => {
  const tag = Number(req.url.slice(1));
  shared.fill(tag, 0, BIG);
  res.writeHead(200, { 'content-length': BIG });
  res.end(shared);
  shared.fill(0xee, 0, BIG);
});
let retained = 0;
await Promise.all(
  [1, 2, 3, 4, 5, 6].map(async (tag) => {
    const body = await get(raw.address().port, `/${tag}`, 300);
    let good = body.length === BIG;
    for (let i = 0; good && i < body.length; i += 4096) if (body[i] !== tag) good = false;
    if (!good) retained++;
  }),
);
raw.close();
console.log(`retained ${retained}`);

// 2. Pages of kept resources through sendJson.
const deepFreeze = (o) => {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
};
const PAGES = 12;
const PER_PAGE = 40;
const pages = [];
for (let p = 0; p < PAGES; p++) {
  const resources = [];
  for (let i = 0; i < PER_PAGE; i++)
    resources.push(deepFreeze({ id: `p${p}-u${i}`, userName: `user-${p}-${i}-é`, note: `${p}:${i}:`.repeat(200 + p) }));
  pages.push(resources);
}
const body = (p) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: PER_PAGE,
  Resources: pages[p],
});
const srv = await listen((req, res) => {
  const p = Number(req.url.slice(1));
  sendJson(res, 200, { 'content-type': 'application/scim+json' }, body(p));
});
const port = srv.address().port;
// Twice each first: resources are kept from their second write, so the third is all pieces.
for (let round = 0; round < 2; round++) for (let p = 0; p < PAGES; p++) await get(port, `/${p}`, 0);
let ok = 0;
let bad = 0;
await Promise.all(
  Array.from({ length: PAGES * 3 }, async (_, k) => {
    const p = k % PAGES;
    const got = await get(port, `/${p}`, 50 + (k % 7) * 40);
    if (got.toString('utf8') === JSON.stringify(body(p))) ok++;
    else bad++;
  }),
);
srv.close();
console.log(`pages ok ${ok} bad ${bad}`);
console.log(`done (${runtime})`);
