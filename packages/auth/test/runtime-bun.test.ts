/**
 * The built package on Bun and on Node: test/bun-smoke.mjs (Basic with a scrypt hash, JWT from a PEM
 * key and from a JWKS, the OAuth token endpoint, and forged, expired and unsigned tokens refused).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const bun = [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')].find((c) => c && existsSync(c));

describe.each([
  ['node', process.execPath],
  ['bun', bun],
])('@scimgw/auth on %s', (runtime, binary) => {
  it('authenticates every kind of credential and refuses forged ones', () => {
    if (!binary) throw new Error('bun not found: it is a dev dependency of @scimgw/auth (pnpm install), or set BUN_BIN');
    if (!existsSync(resolve(here, '../dist/index.js')))
      throw new Error('the smoke test runs the built package: build it first (tsup)');
    const out = execFileSync(binary, [join(here, 'bun-smoke.mjs')], {
      cwd: resolve(here, '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.trim().split('\n').at(-1)).toMatch(new RegExp(`^ok \\(${runtime} `));
  }, 90_000);
});
