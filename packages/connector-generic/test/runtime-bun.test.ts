/**
 * connector-generic on Node and on Bun: one gateway with the Loki store, one with this connector
 * pointed at it, both in the same process; the same script on both runtimes must see the same.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drive } from './fixtures/generic-drive.js';

const here = dirname(fileURLToPath(import.meta.url));
const bun = [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')].find((c) => c && existsSync(c));

const EXPECTED = {
  created: 201,
  storedInA: 'generic.rt',
  found: 1,
  patched: [200, 'Changed'],
  groupMembersInA: [true],
  deleted: [204, 204],
  goneInA: 404,
};

describe('connector-generic on both runtimes', () => {
  it('on Node', async () => {
    expect(await drive()).toEqual({ runtime: 'node', ...EXPECTED });
  });

  it('on Bun', async () => {
    if (!bun)
      throw new Error('bun not found: it is a dev dependency of @scimgw/connector-generic (pnpm install), or set BUN_BIN');
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        bun,
        [join(here, 'fixtures', 'bun-generic.ts')],
        { cwd: resolve(here, '..'), timeout: 60_000 },
        (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
      ),
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ runtime: 'bun', ...EXPECTED });
  }, 90_000);
});
