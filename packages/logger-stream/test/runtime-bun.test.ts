import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Bun from BUN_BIN, the workspace's node_modules, or PATH. */
function findBun(): string | undefined {
  const candidates = [
    process.env.BUN_BIN,
    resolve(here, '../../../node_modules/.bin/bun'),
    resolve(here, '../node_modules/.bin/bun'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  try {
    execFileSync('bun', ['--version'], { stdio: 'ignore' });
    return 'bun';
  } catch {
    return undefined;
  }
}
const bun = findBun();
if (!bun)
  console.warn('[runtime-bun] skipped: no bun executable (set BUN_BIN or add the bun package to run the live stream under Bun)');

describe.skipIf(!bun)('live stream under Bun node:http', () => {
  it('streams masked lines and keeps a stalled subscriber bounded', () => {
    const out = execFileSync(bun!, [join(here, 'fixtures', 'runtime-smoke.ts')], { encoding: 'utf8', timeout: 60_000 });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ runtime: 'bun', streamed: true, leaked: false });
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.maxQueued).toBeLessThanOrEqual(256 * 1024 + 1024);
  });
});
