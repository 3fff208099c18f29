/**
 * The `scimgw` launcher starts the same way everywhere: its shebang gives `env` one argument, as
 * the kernel passes it, so BusyBox's `env` (Alpine images), which has no `-S`, runs it too.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const version = (JSON.parse(readFileSync(join(dirname(cli), '..', 'package.json'), 'utf8')) as { version: string }).version;
const busybox = spawnSync('busybox', ['env', '--help'], { encoding: 'utf8' }).error === undefined;

/** The shebang split as Linux does: the interpreter, then the rest of the line as one argument. */
function shebang(): [string, string] {
  const first = readFileSync(cli, 'utf8').split('\n')[0] as string;
  expect(first.startsWith('#!')).toBe(true);
  const m = /^#!\s*(\S+)\s*(.*)$/.exec(first) as RegExpExecArray;
  return [m[1] as string, m[2] as string];
}

describe('the scimgw launcher', () => {
  it('names the interpreter and one argument, nothing env would have to split', () => {
    const [interp, arg] = shebang();
    expect(interp).toBe('/usr/bin/env');
    expect(arg).toBe('node');
  });

  it('runs directly through its shebang', () => {
    const r = spawnSync(cli, ['--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it.skipIf(!busybox)("runs through BusyBox's env exactly as the kernel would call it", () => {
    const [, arg] = shebang();
    const r = spawnSync('busybox', ['env', arg, cli, '--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    // What the old shebang did there: BusyBox env has no -S, so the launcher could not start.
    const old = spawnSync('busybox', ['env', '-S MALLOC_ARENA_MAX=2 node --max-semi-space-size=6', cli, '--version'], {
      encoding: 'utf8',
    });
    expect(old.status).not.toBe(0);
  });
});
