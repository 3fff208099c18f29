/**
 * A user write that takes several Graph calls (the user's properties, its manager, its roles and
 * access packages, a password) is answered as one: referenced ids are checked before the first
 * call, the password goes last (it cannot be undone), and when a later call fails the earlier ones
 * are undone, newest first, before the error goes to the client. Graph has no transactions, so an
 * undo is itself a call that can fail; it is then logged as a warning naming the step, and the
 * client still gets the first error.
 */
import type { Logger } from '@scimgw/core';

interface Step {
  what: string;
  run: () => Promise<unknown>;
}

/** The undo steps of one client request. */
export class UndoSteps {
  private readonly steps: Step[] = [];

  constructor(
    private readonly log: Logger,
    private readonly userId: () => string | undefined,
  ) {}

  /** Records how to undo a step that has just succeeded. */
  push(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  /** Runs `work`; when it throws, undoes what was recorded (newest first) and rethrows. */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      for (let i = this.steps.length - 1; i >= 0; i--) {
        const step = this.steps[i] as Step;
        try {
          await step.run();
        } catch (undoError) {
          this.log.warn('entra-id: a write failed part way and one of its steps could not be undone', {
            user: this.userId(),
            step: step.what,
            error: (undoError as Error).message,
            cause: (e as Error)?.message,
          });
        }
      }
      throw e;
    } finally {
      this.steps.length = 0;
    }
  }
}
