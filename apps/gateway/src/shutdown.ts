/**
 * What the `scimgw` launcher and a single executable do on SIGTERM/SIGINT: close every instance
 * within its own `kubernetes.shutdownTimeout` (live `/logger` streams first), flush buffered trace
 * spans, then exit. A second Ctrl+C means "now".
 */
import type { GatewayInstance } from './instance.js';
import { flushTraces } from './telemetry/tracing.js';

/** Installs the signal handlers for the running instances. */
export function stopOnSignals(instances: readonly GatewayInstance[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    stopping = true;
    process.stdout.write(`scimgw: ${signal} received, finishing in-flight requests\n`);
    await Promise.allSettled(instances.map((i) => i.close()));
    // With an OpenTelemetry SDK registered (tracing.enabled), its buffered spans go out first.
    await flushTraces();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
