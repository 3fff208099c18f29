/**
 * The entry point of a single executable (`scimgw build-binary`): the generated entry file
 * registers what it carries and calls {@link runBinary}, which behaves like the `scimgw` command.
 * Kept free of top-level await so that it bundles into the CommonJS a Node SEA requires.
 */
import { type Bundle, registerBundle } from './bundled.js';
import { runCli } from './cli-main.js';
import { stopOnSignals } from './shutdown.js';

/**
 * Runs the CLI inside a single executable: `argv` as `scimgw` would get it; SIGTERM/SIGINT close
 * the instances gracefully, as the `scimgw` launcher does.
 */
export async function runBinary(bundle: Bundle, argv: string[] = process.argv.slice(2)): Promise<void> {
  registerBundle(bundle);
  const result = await runCli(argv);
  if (typeof result === 'number') {
    process.exitCode = result;
    return;
  }
  stopOnSignals(result);
}
