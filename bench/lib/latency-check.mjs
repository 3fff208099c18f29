// Checks of the latency client (lib/latency.mjs) and its histogram, part of the bench's npm test:
// - the histogram's percentiles, counts and maximum on known values;
// - the client against a local server that answers with Content-Length and chunked bodies and holds
//   every 10th request for 20 ms: every request it sent is counted once, the held ones are slower
//   than 20 ms (a lower bound, so a busy machine cannot fail it), errors are counted.
// Prints one line per check; exits 1 on a failure.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Histogram } from './histogram.mjs';
import { measureLatency } from './latency.mjs';

const failures = [];
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

await check('histogram: percentiles, counts over a bound and the maximum', () => {
  const h = new Histogram();
  for (let i = 1; i <= 1000; i++) h.record(i * 10); // 0.01 … 10 ms
  const s = h.summary();
  assert.equal(s.requests, 1000);
  assert.equal(h.quantileMs(0.5), 5);
  assert.equal(h.quantileMs(0.99), 9.9);
  assert.equal(h.quantileMs(0.999), 9.99);
  assert.equal(s.max, 10);
  assert.equal(s.over5ms, 500);
  assert.equal(s.over2ms, 800);
  h.record(25_000_000); // beyond the last bucket: counted there, the maximum kept exactly
  assert.equal(h.summary().max, 25_000);
  assert.equal(h.quantileMs(1), 25_000);
});

const served = { n: 0, held: 0, paths: new Set() };
const server = createServer((req, res) => {
  served.n++;
  served.paths.add(req.url);
  const hold = served.n % 10 === 0;
  if (hold) served.held++;
  const answer = () => {
    if (req.url.includes('bad')) {
      res.writeHead(404, { 'content-length': 2 });
      res.end('no');
    } else if (served.n % 2) {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked
      res.write('{"a":');
      res.end('1}');
    } else {
      const body = JSON.stringify({ a: 'x'.repeat(3000) });
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }
  };
  if (hold) setTimeout(answer, 20);
  else answer();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;

await check('client: every request counted once, held ones over 20 ms, paths from the template', async () => {
  const r = await measureLatency({ url, duration: 0.5, template: '/Users?n={n}', min: 5, random: 3, slowMs: 15 });
  assert.equal(r.errors, 0);
  assert.equal(r.requests, served.n);
  assert.ok(r.requests >= 10, `${r.requests} requests`);
  assert.ok(r.over10ms >= served.held, `${r.over10ms} over 10 ms, ${served.held} held`);
  assert.ok(r.max >= 20, `max ${r.max} ms`);
  assert.ok(r.slow.length >= served.held);
  assert.deepEqual(
    [...served.paths].sort(),
    ['/Users?n=5', '/Users?n=6', '/Users?n=7'].filter((p) => served.paths.has(p)),
  );
  assert.ok([...served.paths].every((p) => /^\/Users\?n=[567]$/.test(p)));
});

await check('client: answers of 300 and more count as errors', async () => {
  const r = await measureLatency({ url, duration: 0.2, paths: ['/bad'] });
  assert.ok(r.requests > 0);
  assert.equal(r.errors, r.requests);
});

server.close();
if (failures.length) {
  console.error(`${failures.length} latency check(s) failed`);
  process.exit(1);
}
