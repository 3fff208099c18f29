import { codeNameOf } from './errors.js';

/**
 * What {@link FaultInjector.failNext} makes a command do instead of running: answer with a
 * server error, or drop the connection without answering (a network error for the client).
 */
export type FailCommandSpec =
  | {
      /** MongoDB error code of the reply. */
      readonly code: number;
      /** Code name; default MongoDB's name for `code`. */
      readonly codeName?: string;
      /** Error message. */
      readonly errmsg?: string;
      /** `errorLabels` of the reply (e.g. `['RetryableWriteError']`). */
      readonly errorLabels?: readonly string[];
    }
  | {
      readonly closeConnection: true;
      /**
       * Run the command first, then close without replying: the write happened but the client never
       * heard back (a retried write must then not apply twice).
       */
      readonly afterRunning?: boolean;
    };

interface Pending {
  readonly spec: FailCommandSpec;
  remaining: number;
}

/** The outcome for one command: run it, reply with an error, or close the connection. */
export type FaultOutcome =
  | { kind: 'none' }
  | { kind: 'reply'; reply: Record<string, unknown> }
  | { kind: 'close' }
  | { kind: 'closeAfterRunning' };

/**
 * Planned failures, like MongoDB's `failCommand` fail point but configured from the test process.
 */
export class FaultInjector {
  readonly #pending = new Map<string, Pending[]>();

  /** Makes the next `times` (default 1) commands named `command` fail as `spec` says. */
  failNext(command: string, spec: FailCommandSpec, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be a positive integer');
    const list = this.#pending.get(command) ?? [];
    list.push({ spec, remaining: times });
    this.#pending.set(command, list);
  }

  /** Consumes the planned failure for `command`, if any. */
  take(command: string): FaultOutcome {
    const list = this.#pending.get(command);
    const next = list?.[0];
    if (!list || !next) return { kind: 'none' };
    next.remaining -= 1;
    if (next.remaining <= 0) list.shift();
    if (list.length === 0) this.#pending.delete(command);
    if ('closeConnection' in next.spec) return next.spec.afterRunning ? { kind: 'closeAfterRunning' } : { kind: 'close' };
    const { code, codeName, errmsg, errorLabels } = next.spec;
    return {
      kind: 'reply',
      reply: {
        ok: 0,
        errmsg: errmsg ?? `Failing command ${command} as planned by failNext`,
        code,
        codeName: codeName ?? codeNameOf(code),
        ...(errorLabels ? { errorLabels: [...errorLabels] } : {}),
      },
    };
  }

  /** Forgets every planned failure. */
  clear(): void {
    this.#pending.clear();
  }
}
