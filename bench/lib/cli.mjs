// The command line of a bench script: node's parseArgs with `--help` added to every script, and one
// behaviour for all of them. `--help` prints the usage and exits 0; an unknown option or a value
// where none belongs prints what was wrong, then the usage, and exits 2 (never a stack trace).
// The usage is the script's own header comment (what it measures, example command lines) followed by
// its options with their defaults, so it cannot drift from what the script accepts.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The header comment of a script: the `//` lines at its top (after a shebang), without the slashes. */
function header(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[0]?.startsWith('#!')) lines.shift();
  const out = [];
  for (const line of lines) {
    if (!line.startsWith('//')) break;
    out.push(line.replace(/^\/\/ ?/, ''));
  }
  while (out.length > 0 && out[out.length - 1].trim() === '') out.pop();
  return out.join('\n');
}

/** The usage text of a script with these options. */
export function usage(scriptUrl, options, positionals = '') {
  const file = fileURLToPath(scriptUrl);
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ' <value>' : ''}${o.short ? `, -${o.short}` : ''}`;
    const dflt = o.type === 'string' && o.default !== undefined ? ` (default ${o.default})` : '';
    return `  ${flag}${dflt}`;
  });
  const about = header(file);
  return `usage: node bench/${basename(file)} [options]${positionals ? ` ${positionals}` : ''}\n\n${about ? `${about}\n\n` : ''}options:\n${rows.join('\n')}`;
}

/**
 * Parses `process.argv` for a bench script (`import.meta.url` names it). Returns what parseArgs
 * returns; `--help` and bad options end the process here.
 */
export function cli(scriptUrl, options, { allowPositionals = false, positionals = '' } = {}) {
  const all = { ...options, help: { type: 'boolean', short: 'h', default: false } };
  let parsed;
  try {
    parsed = parseArgs({ options: all, allowPositionals });
  } catch (e) {
    console.error(`${e.message}\n\n${usage(scriptUrl, all, positionals)}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(usage(scriptUrl, all, positionals));
    process.exit(0);
  }
  return parsed;
}
