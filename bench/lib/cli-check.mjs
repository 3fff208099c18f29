// Walks every bench script (bench/*.mjs) with `--help` and with an option no script has: `--help`
// must print the script's usage and exit 0, the unknown option must be named, followed by the usage,
// with exit code 2 and no stack trace. Part of the bench's `npm test`, so a new script that forgets
// the shared command line (lib/cli.mjs) fails here. Prints one line per script; exits 1 on a failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const scripts = readdirSync(benchDir)
  .filter((f) => f.endsWith('.mjs'))
  .sort();
const failures = [];
for (const script of scripts) {
  const run = (arg) => spawnSync(process.execPath, [join(benchDir, script), arg], { encoding: 'utf8', timeout: 60_000 });
  const help = run('--help');
  const bad = run('--no-such-option-anywhere');
  const problems = [];
  if (help.status !== 0) problems.push(`--help exited ${help.status}`);
  if (!help.stdout.startsWith(`usage: node bench/${script}`)) problems.push('--help printed no usage');
  if (bad.status !== 2) problems.push(`an unknown option exited ${bad.status}`);
  if (!bad.stderr.includes('--no-such-option-anywhere')) problems.push('an unknown option was not named');
  if (!bad.stderr.includes(`usage: node bench/${script}`)) problems.push('an unknown option printed no usage');
  if (/\n\s+at /.test(bad.stderr)) problems.push('an unknown option printed a stack trace');
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} bench/${script}${problems.length ? `: ${problems.join('; ')}` : ''}`);
  if (problems.length) failures.push(script);
}
if (failures.length) {
  console.error(`${failures.length} bench script(s) without a working command line: ${failures.join(', ')}`);
  process.exit(1);
}
