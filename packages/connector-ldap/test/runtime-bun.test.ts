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
import { rawRead } from './helpers/config.js';
import { HAVE_SLAPD, PEOPLE, type Slapd, startSlapd } from './helpers/slapd.js';

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
  // A wrong service-account password fails the request instead of reading anonymously.
  badBind: { status: 500, userName: null },
  delete: [204, 204, 204],
  gone: 404,
};

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
    const bun = findBun();
    if (!bun) throw new Error('bun not found: it is a dev dependency of @scimgw/connector-ldap (pnpm install), or set BUN_BIN');
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        bun,
        [join(here, 'fixtures', 'bun-ldap.ts'), JSON.stringify(target)],
        { cwd: resolve(here, '..'), timeout: 60_000 },
        (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
      ),
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ runtime: 'bun', ...EXPECTED });
    expect(await rawRead(slapd, `uid=rt.user,${PEOPLE}`)).toBeUndefined();
  }, 90_000);
});
