/** Waiting for a listener's state, and a logger that records what it was told. */
import type { Logger } from '@scimgw/core';
import type { RelayListener, RelayState } from '../src/index.js';

/** Resolves once the listener is in `state` (polls; the test's own timeout bounds it). */
export async function waitFor(listener: RelayListener, state: RelayState): Promise<void> {
  while (listener.status().state !== state) await new Promise((r) => setTimeout(r, 50));
}

/** Resolves once `check` holds (polls). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

/** A logger keeping every line as text. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    lines.push(`${level} ${msg}${data ? ` ${JSON.stringify(data)}` : ''}`);
  };
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}
