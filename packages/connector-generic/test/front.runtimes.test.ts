/**
 * A generic front with deadlines, a SCIM 1.1 target and connection reuse, on Node and on Bun:
 * the same script (fixtures/front-drive.ts) on both runtimes must see the same.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { driveFront } from './fixtures/front-drive.js';

const here = dirname(fileURLToPath(import.meta.url));
const bun = [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')].find((c) => c && existsSync(c));

const EXPECTED = {
  // 500 ms attempts within a 1500 ms deadline, then 504.
  hungGet: { status: 504, retriedWithinDeadline: true },
  // Sent once, 504, and the client is told the target may still apply it.
  hungPost: { status: 504, detail: expect.stringMatching(/may still apply it/), postsSeen: 1 },
  abandonedByTheFront: true,
  slow: [200, 'user-slow-1'],
  connectionsFor20Requests: true,
  unreachable: { status: 503, retryAfter: '30' },
  emptyFilter11: { status: 200, totalResults: 0, targetAnswered: 404 },
  error11: { status: 400, scimType: 'invalidValue', detail: 'displayName is longer than 64 characters' },
  projection11: { status: 200, members: null, askedForMembers: false },
};

describe('a generic front on both runtimes', () => {
  it('on Node', async () => {
    expect(await driveFront()).toEqual({ runtime: 'node', ...EXPECTED });
  }, 60_000);

  it('on Bun', async () => {
    if (!bun)
      throw new Error('bun not found: it is a dev dependency of @scimgw/connector-generic (pnpm install), or set BUN_BIN');
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        bun,
        [join(here, 'fixtures', 'bun-front.ts')],
        { cwd: resolve(here, '..'), timeout: 60_000 },
        (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
      ),
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({ runtime: 'bun', ...EXPECTED });
  }, 90_000);
});
