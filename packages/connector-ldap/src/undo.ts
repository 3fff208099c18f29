/**
 * Writes that take more than one LDAP operation (a rename and a modify, an add and a password, a
 * user's attributes and its groups) are answered as one: when a later step fails, the steps
 * already done are undone, newest first, before the error goes to the client. A client told "400"
 * may then send the request again, or a corrected one, to an entry as it was.
 *
 * An undo is itself a directory write and can fail (the directory went away between the two); it
 * is then logged as a warning naming what was left, and the client still gets the first error.
 * What cannot be undone is left out by the callers: a password once set (the old one cannot be
 * read) goes last.
 */
import type { Logger } from '@scimgw/core';
import type { Modification } from './directory.js';
import { type LdapEntry, values } from './entry.js';

interface Step {
  what: string;
  run: () => Promise<unknown>;
}

/** The undo steps of one client request, run newest first when a later step fails. */
export class UndoLog {
  private readonly steps: Step[] = [];

  constructor(private readonly log: Logger) {}

  /** Records how to undo a step that has just succeeded. */
  push(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  /**
   * Runs `work`; when it throws, undoes what was recorded (newest first) and rethrows its error.
   * The steps are dropped either way: an undo log serves one request.
   */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      await this.undo(e);
      throw e;
    } finally {
      this.steps.length = 0;
    }
  }

  private async undo(cause: unknown): Promise<void> {
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i] as Step;
      try {
        await step.run();
      } catch (e) {
        this.log.warn('ldap: a write failed part way and one of its steps could not be undone', {
          step: step.what,
          error: (e as Error).message,
          cause: (cause as Error)?.message,
        });
      }
    }
  }
}

/**
 * The modifications that put back what `mods` changed on `entry`: each attribute they touched,
 * replaced with the values `entry` had (none: removed). Only attributes `entry` was read with can
 * be put back; `readWith` lists them (lower case; `*` for all), and an attribute outside it is
 * left out (its old values are unknown). Attributes in `never` (passwords) are left out too.
 */
export function restoringMods(entry: LdapEntry, mods: Modification[], readWith: Set<string>, never: Set<string>): Modification[] {
  const out: Modification[] = [];
  const seen = new Set<string>();
  for (const m of mods) {
    const key = m.type.toLowerCase();
    if (seen.has(key) || never.has(key) || !(readWith.has(key) || readWith.has('*'))) continue;
    seen.add(key);
    out.push({ operation: 'replace', type: m.type, values: values(entry, key) });
  }
  return out;
}
