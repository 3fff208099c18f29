// Baseline for writes: the smallest node:http server that makes each request's body durable the way
// the embedded store does before it answers. Bodies that arrive in one tick of the event loop are
// written with one write into a journal file kept 1 MiB ahead of its end with zeros (so the sync
// flushes data, not file-system metadata), then one fdatasync (group commit); each request is
// answered 201 with a small JSON body once its batch is on disk. The ceiling for (d), (e) and (f).
import { closeSync, constants, fdatasync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-bare-durable-'));
const fd = openSync(join(dir, 'journal'), constants.O_RDWR | constants.O_CREAT, 0o666);
const CHUNK = 1024 * 1024;
const ZEROS = Buffer.alloc(64 * 1024);
let end = 0;
let size = 0;
let pending = [];
let flushing = false;

function extendFor(n) {
  if (end + n <= size || n > CHUNK) return;
  const to = size + CHUNK;
  for (let at = size; at < to; ) at += writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, to - at), at);
  size = to;
}

function flush() {
  const batch = pending;
  pending = [];
  if (batch.length === 0) {
    flushing = false;
    return;
  }
  const buf = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
  extendFor(buf.length);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, end + off);
  end += buf.length;
  if (end > size) size = end;
  fdatasync(fd, (e) => {
    for (const p of batch) p.done(e);
    flush();
  });
}

function append(line, done) {
  pending.push({ line, done });
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
}

const answer = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'x', userName: 'y' });
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    append(`${JSON.stringify({ k: 'put', c: 'users', doc: body })}\n`, (e) => {
      if (e) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
});
const stop = () => {
  server.close();
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
