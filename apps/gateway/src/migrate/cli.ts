/** The arguments of `scimgw migrate` and its run: report to stdout, problems to stderr, exit code. */
import { runMigrate } from './command.js';

/** Parsed `scimgw migrate` arguments. */
export interface MigrateArgs {
  from: string;
  out?: string;
  dryRun: boolean;
  legacy: string[];
  force: boolean;
}

/** Parses the arguments after `migrate`. Throws Error with a usage message on bad input. */
export function parseMigrateArgs(argv: string[]): MigrateArgs {
  let from: string | undefined;
  const out: Partial<MigrateArgs> = { dryRun: false, legacy: [], force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--dry-run' || a === '-n') out.dryRun = true;
    else if (a === '--force') out.force = true;
    else if (a === '--out' || a === '--legacy') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a value`);
      if (a === '--out') out.out = v;
      else out.legacy?.push(...v.split(','));
    } else if (!a.startsWith('-') && from === undefined) from = a;
    else throw new Error(`unknown argument "${a}" (see --help)`);
  }
  if (!from) throw new Error('migrate needs the folder of the older scimgateway install, e.g. scimgw migrate ../my-scimgateway');
  return { ...(out as MigrateArgs), from };
}

/** Runs `scimgw migrate`; resolves with the exit code (0 done, 1 failed, 2 bad arguments). */
export async function migrateCommand(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  let args: MigrateArgs;
  try {
    args = parseMigrateArgs(argv);
  } catch (e) {
    io.err(`scimgw migrate: ${(e as Error).message}`);
    return 2;
  }
  try {
    const { resolve } = await import('node:path');
    const res = await runMigrate({
      from: resolve(io.cwd, args.from),
      out: resolve(io.cwd, args.out ?? '.'),
      dryRun: args.dryRun,
      legacy: args.legacy,
      force: args.force,
      env: io.env ?? process.env,
      cwd: io.cwd,
    });
    io.out(res.report);
    io.out(args.dryRun ? `dry run: nothing written (${res.written.length} files would be)` : `wrote ${res.written.join(', ')}`);
    const todo = res.files.reduce((n, f) => n + f.entries.filter((e) => e.status === 'todo').length, 0);
    if (todo > 0) io.out(`${todo} item(s) marked TO DO need your attention before scimgw start`);
    return 0;
  } catch (e) {
    io.err(`scimgw migrate: ${(e as Error).message}`);
    return 1;
  }
}
