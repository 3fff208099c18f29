import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, request } from 'undici';
import type { RelayEmulator } from '../../src/index.js';

export const ROOT = { name: 'RootManageSharedAccessKey', key: 'cm9vdC1rZXktZm9yLXJlbGF5LWVtdWxhdG9yLXRlc3Rz' } as const;
export const LISTEN_ONLY = { name: 'listen-only', key: 'bGlzdGVuLW9ubHkta2V5LWZvci10ZXN0cw==', rights: ['Listen'] } as const;
export const SEND_ONLY = { name: 'send-only', key: 'c2VuZC1vbmx5LWtleS1mb3ItdGVzdHM=', rights: ['Send'] } as const;

/** An undici agent that trusts the emulator's CA (and nothing else changes). */
export function trustingAgent(relay: RelayEmulator, options: Agent.Options = {}): Agent {
  return new Agent({ connect: { ca: relay.caPem }, ...options });
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  text(): string;
  json(): any;
}

/** One HTTP request through `dispatcher`, body read completely. */
export async function send(
  dispatcher: Dispatcher,
  url: string,
  options: {
    method?: Dispatcher.HttpMethod;
    headers?: Record<string, string>;
    body?: string | Buffer | AsyncIterable<Buffer>;
  } = {},
): Promise<SimpleResponse> {
  const response = await request(url, {
    dispatcher,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body as never,
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  return {
    status: response.statusCode,
    headers: response.headers,
    body,
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')),
  };
}

/** Reads a request body completely. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic test bytes. */
export function pattern(size: number, seed = 7): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buffer[i] = (i * 31 + seed) % 251;
  return buffer;
}

/** Polls `condition` until it holds; fails after `timeoutMs` (a bound for a hang, not a speed assertion). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}
