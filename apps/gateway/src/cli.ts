#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=6
/**
 * `scimgw` executable: runs the CLI and shuts down gracefully on SIGTERM/SIGINT, each instance
 * within its `kubernetes.shutdownTimeout`.
 */
import { runCli } from './cli-main.js';
import { flushTraces } from './telemetry/tracing.js';

const result = await runCli(process.argv.slice(2));
if (typeof result === 'number') {
  process.exitCode = result;
} else {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second Ctrl+C means "now": skip what is left of the graceful stop.
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    stopping = true;
    process.stdout.write(`scimgw: ${signal} received, finishing in-flight requests\n`);
    await Promise.allSettled(result.map((i) => i.close()));
    // With an OpenTelemetry SDK registered (tracing.enabled), its buffered spans go out first.
    await flushTraces();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
