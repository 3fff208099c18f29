/**
 * The traffic recorder (`scimgateway.recorder`): one JSON line per SCIM request the instance
 * answered, for `scimgw replay` and `replayFromRecording` (@scimgw/core/testkit). Written after the
 * answer has gone out, to a file only its owner can read (a new one on each start); secrets never reach it (scrub.ts), and personal values only when
 * pseudonyms are turned off.
 */
import { type WriteStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { Pseudonyms } from './pseudonyms.js';
import { createScrubber, type Scrubber } from './scrub.js';

/** Headers a replay needs; every other one (credentials first) is left out. */
const KEPT_HEADERS = ['content-type', 'if-match', 'if-none-match'] as const;

export interface RecorderOptions {
  file: string;
  pseudonymize: boolean;
  maxBytes: number;
  /** Names holding secrets: the log masker's test. */
  isSecret: (name: string) => boolean;
  /** Tenants whose requests are recorded (`"undefined"`: the default one); empty: every tenant. */
  tenants?: readonly string[] | undefined;
  /** Called once, when the file would pass `maxBytes` or cannot be written. */
  onStop: (reason: string) => void;
}

/** One answered request, as the pipeline hands it over. */
export interface Exchange {
  /** {@link Recorder.arrive}'s number for the request. */
  seq: number;
  /** The request's tenant (baseEntity), if any. */
  tenant?: string | undefined;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The request body as received. */
  requestText?: string | undefined;
  status: number;
  /** The answer body as sent (an object, or text). */
  response?: unknown;
  /** performance.now() when the request arrived, and when its answer went out. */
  started: number;
  ended: number;
}

export class Recorder {
  private readonly out: WriteStream;
  private readonly scrub: Scrubber;
  private readonly origin = performance.now();
  private bytes = 0;
  private seq = 0;
  private stopped = false;

  constructor(private readonly opts: RecorderOptions) {
    mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
    // Pseudonyms are keyed per process, so each start makes a recording of its own: an earlier one
    // is kept beside it, named by when it was last written.
    if (existsSync(opts.file)) {
      const ext = extname(opts.file);
      const stamp = statSync(opts.file).mtime.toISOString().replace(/[:.]/g, '-');
      renameSync(opts.file, `${opts.file.slice(0, opts.file.length - ext.length)}.${stamp}${ext}`);
    }
    this.out = createWriteStream(opts.file, { flags: 'wx', mode: 0o600 });
    this.out.on('error', (e) => this.stop(`cannot write ${opts.file}: ${e.message}`));
    this.scrub = createScrubber(opts.isSecret, opts.pseudonymize ? new Pseudonyms() : undefined);
    this.write({ recording: 'scimgw/1', started: new Date().toISOString(), pseudonymized: opts.pseudonymize });
  }

  /** The number of a request that has just arrived (the order of arrival, from 1). */
  arrive(): number {
    return ++this.seq;
  }

  /** Records one answered request (never throws: a recording must not fail a request). */
  record(x: Exchange): void {
    if (this.stopped) return;
    const only = this.opts.tenants;
    if (only?.length && !only.includes(x.tenant ?? 'undefined')) return;
    try {
      const headers: Record<string, string> = {};
      for (const h of KEPT_HEADERS) {
        const v = x.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const body = x.requestText === undefined || x.requestText === '' ? undefined : parsed(x.requestText);
      // An answer object is read as it is: scrubbing builds the copy that is written.
      const response = typeof x.response === 'string' ? parsed(x.response) : x.response;
      this.write({
        seq: x.seq,
        at: round(x.started - this.origin),
        ms: round(x.ended - x.started),
        method: x.method,
        url: this.scrub.url(x.url),
        ...(Object.keys(headers).length ? { headers } : {}),
        ...(body === undefined ? {} : { body: this.scrub.body(body) }),
        status: x.status,
        ...(response === undefined ? {} : { response: this.scrub.body(response) }),
      });
    } catch (e) {
      this.stop(`recording failed: ${(e as Error).message}`);
    }
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    this.stopped = true;
    return new Promise((resolve) => this.out.end(resolve));
  }

  private write(line: Record<string, unknown>): void {
    const text = `${JSON.stringify(line)}\n`;
    const n = Buffer.byteLength(text);
    if (this.bytes + n > this.opts.maxBytes) {
      this.stop(`${this.opts.file} reached scimgateway.recorder.maxSize (${this.opts.maxBytes} bytes): recording stopped`);
      return;
    }
    this.bytes += n;
    this.out.write(text);
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.onStop(reason);
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** JSON text parsed, or the text itself when it is not JSON. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
