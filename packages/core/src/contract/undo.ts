/**
 * For connectors whose backend has no transactions: one client write that takes several backend
 * calls is answered as one. RFC 7644 §3.5.2 applies a PATCH whole or not at all, and identity
 * providers retry what failed, so an error answer must mean that nothing changed.
 *
 * Check what can be checked (referenced ids) before the first call, make the call that cannot be
 * undone (a password) the last one, and record after each call how to undo it:
 *
 * @example
 * const undo = new UndoLog(context.log, 'my-connector', { user: id });
 * await undo.guard(async () => {
 *   await api.rename(id, next);
 *   undo.push('rename back', () => api.rename(id, previous));
 *   await api.update(id, values); // when this throws, the rename is undone, then the error rethrown
 * });
 */
import type { Logger } from './logger.js';

interface Step {
  what: string;
  run: () => Promise<unknown>;
}

/** The undo steps of one client write, run newest first when a later step fails. */
export class UndoLog {
  private readonly steps: Step[] = [];

  /**
   * @param log - where an undo that fails too is reported (a warning)
   * @param source - the connector's name, which starts the warning
   * @param fields - added to that warning (the resource's id, say)
   */
  constructor(
    private readonly log: Logger | undefined,
    private readonly source: string,
    private readonly fields: Record<string, unknown> = {},
  ) {}

  /** Records how to undo a step that has just succeeded. */
  push(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  /**
   * Runs `work`. When it throws, the steps recorded so far are undone, newest first, and its
   * error is rethrown: the client gets the failure of the step that failed. An undo that throws
   * too is logged as a warning (`<source>: a write failed part way and one of its steps could not
   * be undone`, with `step`, `error` and `cause`) and the others still run. The steps are dropped
   * either way: an undo log serves one write.
   */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      for (let i = this.steps.length - 1; i >= 0; i--) {
        const step = this.steps[i] as Step;
        try {
          await step.run();
        } catch (undoError) {
          this.log?.warn(`${this.source}: a write failed part way and one of its steps could not be undone`, {
            ...this.fields,
            step: step.what,
            error: (undoError as Error)?.message ?? String(undoError),
            cause: (e as Error)?.message ?? String(e),
          });
        }
      }
      throw e;
    } finally {
      this.steps.length = 0;
    }
  }
}
