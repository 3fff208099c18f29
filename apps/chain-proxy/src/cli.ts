#!/usr/bin/env node
/** `scimgw-chain-proxy` executable: runs the CLI and shuts down gracefully on SIGTERM/SIGINT. */
import { runProxyCli } from './cli-main.js';

const result = await runProxyCli(process.argv.slice(2));
if (typeof result === 'number') {
  process.exitCode = result;
} else {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`scimgw-chain-proxy: ${signal} received, finishing in-flight requests\n`);
    await Promise.allSettled(result.map((p) => p.close(15_000)));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
