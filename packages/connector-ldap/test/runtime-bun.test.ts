/**
 * The connector on Bun against a real slapd: ldapts over Bun's node:net and node:tls. The same
 * script (fixtures/ldap-drive.ts) runs in process on Node and in a Bun process, and both must
 * see the same; then the directory itself is checked.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive, type SlapdTarget } from './fixtures/ldap-drive.js';
import { driveLoad, type LoadTarget } from './fixtures/load-drive.js';
import { rawRead } from './helpers/config.js';
import { populationLdif } from './helpers/population.js';
import { type RangeProxy, startRangeProxy } from './helpers/range-proxy.js';
import { HAVE_MEMBEROF, HAVE_SLAPD, HAVE_SSSVLV, PEOPLE, type Slapd, startSlapd } from './helpers/slapd.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Bun from BUN_BIN or this package's dev dependency. */
function findBun(): string | undefined {
  for (const c of [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')]) if (c && existsSync(c)) return c;
  return undefined;
}

/** What both runtimes must see (the fixture creates, changes and deletes its own entries). */
const EXPECTED = {
  create: [201, 201],
  filter: { status: 200, total: 1, id: true },
  patch: { status: 200, title: 'Bundler', email: 'rt.user@example.org' },
  group: { create: 201, add: 204, remove: 204, members: [true] },
  ldaps: { status: 200, userName: 'rt.user' },
  startTls: { status: 200, userName: 'rt.user' },
  // A certificate that does not chain to a trusted CA: the directory is unavailable.
  untrusted: { status: 503, userName: null },
  // A wrong service-account password fails the request (503: retry once an operator fixed it)
  // instead of reading anonymously.
  badBind: { status: 503, userName: null },
  delete: [204, 204, 204],
  gone: 404,
};

/** Runs a fixture script under Bun and returns the JSON line it prints. */
async function onBun(script: string, arg: unknown): Promise<unknown> {
  const bun = findBun();
  if (!bun) throw new Error('bun not found: it is a dev dependency of @scimgw/connector-ldap (pnpm install), or set BUN_BIN');
  const stdout = await new Promise<string>((ok, fail) =>
    execFile(
      bun,
      [join(here, 'fixtures', script), JSON.stringify(arg)],
      { cwd: resolve(here, '..'), timeout: 90_000 },
      (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
    ),
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

let slapd: Slapd;
let target: SlapdTarget;
beforeAll(async () => {
  if (!HAVE_SLAPD) return;
  slapd = await startSlapd();
  target = { url: slapd.url, ldapsUrl: slapd.ldapsUrl, caPem: slapd.caPem, memberOf: slapd.memberOf };
}, 60_000);
afterAll(async () => {
  await slapd?.destroy();
});

describe.skipIf(!HAVE_SLAPD)('connector-ldap on Node and on Bun against slapd', () => {
  it('on Node: creates, finds, patches, groups and deletes over LDAP, LDAPS and StartTLS', async () => {
    expect(await drive(target)).toEqual({ runtime: 'node', ...EXPECTED });
    expect(await rawRead(slapd, `uid=rt.user,${PEOPLE}`)).toBeUndefined();
  }, 60_000);

  it('on Bun: the same', async () => {
    expect(await onBun('bun-ldap.ts', target)).toEqual({ runtime: 'bun', ...EXPECTED });
    expect(await rawRead(slapd, `uid=rt.user,${PEOPLE}`)).toBeUndefined();
  }, 90_000);
});

/** What both runtimes must see against 4,200 users with the sssvlv and memberof overlays. */
const LOAD_EXPECTED = {
  vlvPages: { statuses: [200], right: true },
  snapshotPages: { statuses: [200], right: true },
  bigGroup: { status: 200, members: 1000, distinct: 1000, fewSearches: true },
  rangedGroup: { status: 200, members: 1000, same: true },
  created: { statuses: [201, 201], displayName: 'rt-boss', manager: true },
  deleted: [204, 204],
};

describe.skipIf(!HAVE_SLAPD || !HAVE_SSSVLV || !HAVE_MEMBEROF)('load and directory shape on Node and on Bun', () => {
  let loaded: Slapd;
  let proxy: RangeProxy;
  let load: LoadTarget;
  beforeAll(async () => {
    loaded = await startSlapd({
      sssvlv: true,
      sizeLimit: 500,
      preload: populationLdif({ users: 4200, groups: 20, bigGroup: 1000, memberOf: true }),
    });
    proxy = await startRangeProxy({ upstreamPort: loaded.port, maxValRange: 300 });
    load = {
      url: loaded.url,
      ldapsUrl: loaded.ldapsUrl,
      caPem: loaded.caPem,
      memberOf: loaded.memberOf,
      users: 4200,
      big: 1000,
      rangedUrl: proxy.url,
    };
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
    await loaded?.destroy();
  });

  it('on Node: parallel deep pages, a 1,000-member group (also in AD-style ranges of 300), derived cn/sn and a manager', async () => {
    expect(await driveLoad(load)).toEqual({ runtime: 'node', ...LOAD_EXPECTED });
  }, 90_000);

  it('on Bun: the same', async () => {
    expect(await onBun('bun-load.ts', load)).toEqual({ runtime: 'bun', ...LOAD_EXPECTED });
  }, 120_000);
});
