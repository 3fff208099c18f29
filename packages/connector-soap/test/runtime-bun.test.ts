/**
 * connector-soap on Node and on Bun: the example SOAP server and the connector in one process, the
 * same script on both runtimes must see the same.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drive } from './fixtures/drive.js';

const here = dirname(fileURLToPath(import.meta.url));
const bun = [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')].find((c) => c && existsSync(c));

const SERVICE = {
  created: 201,
  duplicate: [409, 'uniqueness'],
  displayNameUnchanged: true,
  found: 1,
  deactivated: [200, false],
  group: [201, 1, 204, undefined],
  deleted: [204, 204],
  gone: 404,
  secretLogged: false,
};
const EXPECTED = { document: SERVICE, rpc: SERVICE };

describe('connector-soap on both runtimes', () => {
  it('on Node', async () => {
    expect(await drive()).toEqual({ runtime: 'node', ...EXPECTED });
  });

  it('on Bun', async () => {
    if (!bun) throw new Error('bun not found: it is a dev dependency of @scimgw/connector-soap (pnpm install), or set BUN_BIN');
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        bun,
        [join(here, 'fixtures', 'bun-drive.ts')],
        { cwd: resolve(here, '..'), timeout: 60_000 },
        (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
      ),
    );
    const last = stdout.trim().split('\n').at(-1) as string;
    // JSON has no undefined: the emptied group's members are absent on both runtimes.
    expect(JSON.parse(last)).toEqual(JSON.parse(JSON.stringify({ runtime: 'bun', ...EXPECTED })));
  }, 90_000);
});
