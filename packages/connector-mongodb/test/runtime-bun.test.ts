/**
 * The connector and the official driver on Bun: the same scripted run (fixtures/drive.ts) in this
 * Node process and in a Bun process must see the same. Uses the test server (in the same process).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drive } from './fixtures/drive.js';
import { REAL_URL } from './helpers/backend.js';

const here = dirname(fileURLToPath(import.meta.url));

function findBun(): string | undefined {
  for (const c of [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')]) if (c && existsSync(c)) return c;
  return undefined;
}

const EXPECTED = {
  created: [201, 201, 201],
  add: 204,
  found: [200, 1, 'bob'],
  pages: [['ann', 'bob'], ['cy'], null],
  down: [503, '5'],
  up: [200, 3],
};

describe.skipIf(Boolean(REAL_URL))('connector-mongodb on Node and on Bun', () => {
  it('on Node', async () => {
    expect(await drive()).toEqual({ runtime: 'node', ...EXPECTED });
  });

  it('on Bun: the same', async () => {
    const bun = findBun();
    if (!bun) throw new Error('bun not found: it is a dev dependency of this package (pnpm install), or set BUN_BIN');
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(bun, [join(here, 'fixtures/drive.ts')], { cwd: resolve(here, '..'), timeout: 60_000 }, (err, out, errOut) =>
        err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out),
      ),
    );
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({ runtime: 'bun', ...EXPECTED });
  });
});
