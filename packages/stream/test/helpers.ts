/** Shared test helpers: loggers that record, an in-memory SCIM target, names unique per run, NATS. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnector } from '@scimgw/connector-loki';
import { type Connector, type Logger, SchemaRegistry } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from '@scimgw/testing-ports';

/** The shared NATS server with JetStream every machine runs (never stopped by tests). */
export const NATS_URL = process.env.SCIMGW_TEST_NATS ?? 'nats://127.0.0.1:4222';

let counter = 0;
/** A name no other run uses: streams, subjects, consumers and buckets of a test. */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** A logger that records every line. */
export function recordingLog(): Logger & {
  lines: { level: string; msg: string; data?: Record<string, unknown> }[];
  text(): string;
} {
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(data ? { data } : {}) });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => JSON.stringify(lines),
  };
}

/** An in-memory Loki store behind a SCIM handler. */
export async function lokiHandler(): Promise<{ connector: Connector; scim: ScimHandler; registry: SchemaRegistry }> {
  const registry = new SchemaRegistry();
  const connector = await createConnector({
    config: { persistence: false, exampleData: false },
    baseDir: '.',
    tenants: [],
    certsDir: '.',
    registry,
    log: recordingLog(),
  });
  return { connector, scim: createScimHandler({ connector, registry: connector.registry ?? registry }), registry };
}

/** Deletes streams (and key-value buckets, by their stream `KV_<bucket>`) of a test. */
export async function deleteStreams(url: string, names: readonly string[], options: Record<string, unknown> = {}): Promise<void> {
  const nc = await connect({ servers: url, ...options });
  try {
    const jsm = await jetstreamManager(nc);
    for (const n of names) await jsm.streams.delete(n).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** Waits until `fn` returns a truthy value (polls; no timed assertion: the test's timeout bounds it). */
export async function until<T>(fn: () => T | Promise<T>, what: string, ms = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

export { freePort };

/** A throwaway nats-server of a test (its own port and store), never the shared one. */
export interface OwnNats {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** Stops (SIGTERM) and starts again on the same port and store. */
  restart(gapMs?: number): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Starts `nats-server` with JetStream on free ports and its own store. `config` is appended to its
 * configuration file (authorization, tls …).
 */
export async function startNats(config = '', scheme = 'nats'): Promise<OwnNats> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-nats-'));
  const port = await freePort();
  const monitor = await freePort();
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    `listen: 127.0.0.1:${port}\nhttp: 127.0.0.1:${monitor}\njetstream { store_dir: "${join(dir, 'js')}" }\n${config}\n`,
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`);
        if (r.ok) return;
      } catch {}
      if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('nats-server did not start');
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const c = child;
    // Killed by a signal, a child has no exit code but a signal code: it is gone either way.
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    dir,
    start,
    kill: () => stopWith('SIGKILL'),
    async restart(gapMs = 300) {
      await stopWith('SIGTERM');
      await new Promise((r) => setTimeout(r, gapMs));
      await start();
    },
    async stop() {
      await stopWith('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
