/**
 * Pages of kept resources on Node and on Bun (test/pieces-smoke.mjs, against the built package):
 * on Bun sendJson joins a page's pieces into one buffer it reuses for the next response, which is
 * only right because Bun's ServerResponse copies what `end` is given before `end` returns. The
 * smoke script checks that property with stalled clients and 32 MiB bodies (Node, which keeps the
 * caller's buffer, fails it: so the check can fail), and that every page served to many stalled
 * clients at once is its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const bun = [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')].find((c) => c && existsSync(c));

function run(binary: string | undefined): string[] {
  if (!binary) throw new Error('bun not found: it is a dev dependency of @scimgw/server (pnpm install), or set BUN_BIN');
  if (!existsSync(resolve(here, '../dist/index.js'))) throw new Error('the smoke test runs the built package: build it first');
  return execFileSync(binary, [join(here, 'pieces-smoke.mjs')], { cwd: resolve(here, '..'), encoding: 'utf8', timeout: 90_000 })
    .trim()
    .split('\n');
}

describe('pages of kept resources under slow clients', () => {
  it('on Bun: end copies its buffer before returning, and every page is its own', () => {
    const out = run(bun);
    expect(out).toContain('retained 0');
    expect(out).toContain('pages ok 36 bad 0');
    expect(out.at(-1)).toBe('done (bun)');
  }, 120_000);

  it('on Node: end keeps the buffer (so the check above can fail), and every page is its own', () => {
    const out = run(process.execPath);
    const retained = Number(out.find((l) => l.startsWith('retained '))?.slice(9));
    expect(retained).toBeGreaterThan(0);
    expect(out).toContain('pages ok 36 bad 0');
    expect(out.at(-1)).toBe('done (node)');
  }, 120_000);
});
