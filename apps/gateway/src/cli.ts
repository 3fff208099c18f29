#!/usr/bin/env node
/** `scimgw` executable: runs the CLI and shuts down gracefully on SIGTERM/SIGINT. */
import { runCli } from './cli-main.js';

const result = await runCli(process.argv.slice(2));
if (typeof result === 'number') {
  process.exitCode = result;
} else {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`scimgw: ${signal} received, finishing in-flight requests\n`);
    await Promise.allSettled(result.map((i) => i.close(15_000)));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
