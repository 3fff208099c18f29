import type { Document } from 'bson';

/** One command the server received. */
export interface CallRecord {
  /** The command name as sent (`find`, `update`, `hello`, …). */
  readonly command: string;
  /** The database (`$db`). */
  readonly db: string;
  /** The collection, for commands whose first field names one. */
  readonly collection: string | undefined;
  /** Which connection sent it (the `connectionId` of its handshake). */
  readonly connectionId: number;
  /**
   * The command document (document sequences merged in). SASL payloads and passwords (`pwd`) are
   * replaced by `'<redacted>'`, so the log holds no authentication material.
   */
  readonly body: Readonly<Document>;
}

// Handshake and monitoring traffic, left out of counts unless asked for.
const HANDSHAKE = new Set(['hello', 'isMaster', 'ismaster', 'saslStart', 'saslContinue', 'endSessions']);

/**
 * What clients sent, so a test can assert how an operation reached the server (for example that
 * adding one member to a 50,000-element array was one `update` and no `find`).
 *
 * @example
 * srv.calls.clear();
 * await users.updateOne({ _id }, { $addToSet: { members: 'u1' } });
 * expect(srv.calls.count('update')).toBe(1);
 * expect(srv.calls.count('find')).toBe(0);
 */
export class CallLog {
  readonly #records: CallRecord[] = [];

  /** Every recorded command, oldest first. */
  get all(): readonly CallRecord[] {
    return this.#records;
  }

  /** Commands named `command` (optionally only those on `collection`). */
  of(command: string, collection?: string): CallRecord[] {
    return this.#records.filter((r) => r.command === command && (collection === undefined || r.collection === collection));
  }

  /** How many commands named `command` were received (optionally only on `collection`). */
  count(command: string, collection?: string): number {
    return this.of(command, collection).length;
  }

  /** The names of the commands received, in order, without handshake and monitoring commands. */
  names(): string[] {
    return this.#records.filter((r) => !HANDSHAKE.has(r.command)).map((r) => r.command);
  }

  /** Forgets everything recorded so far. */
  clear(): void {
    this.#records.length = 0;
  }

  /** Adds a record (used by the server). */
  record(entry: CallRecord): void {
    this.#records.push(entry);
  }
}

/** A copy of a command body with SASL payloads and passwords (`createUser.pwd`) redacted, for the call log. */
export function redactForLog(command: string, body: Document): Document {
  const sasl = command === 'saslStart' || command === 'saslContinue';
  const speculative = body['speculativeAuthenticate'] !== undefined;
  const password = body['pwd'] !== undefined;
  if (!sasl && !speculative && !password) return body;
  const copy: Document = { ...body };
  if (sasl && 'payload' in copy) copy['payload'] = '<redacted>';
  if (password) copy['pwd'] = '<redacted>';
  if (speculative) copy['speculativeAuthenticate'] = '<redacted>';
  return copy;
}
