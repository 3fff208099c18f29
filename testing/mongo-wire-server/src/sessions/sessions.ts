import type { Document } from 'bson';
import { commandError, type MongoCommandError } from '../errors.js';
import type { Catalog } from '../store/catalog.js';
import { bsonTag, isNumeric, isPlainObject, toNumber } from '../store/values.js';
import { TransactionView } from './transaction-view.js';

// MongoDB's transactionLifetimeLimitSeconds default.
const TRANSACTION_LIFETIME_MS = 60_000;

/** A multi-document transaction of one session. */
export interface Transaction {
  readonly txnNumber: number;
  state: 'active' | 'committed' | 'aborted';
  readonly view: TransactionView;
  readonly startedAt: number;
}

interface SessionState {
  /** The highest txnNumber seen (transactions and retryable writes share the sequence). */
  txnNumber: number;
  transaction: Transaction | undefined;
  /** The reply of the latest retryable write, returned again when the client retries it. */
  retryable: { txnNumber: number; reply: Document } | undefined;
}

function noSuchTransaction(message: string): MongoCommandError {
  return commandError('NoSuchTransaction', message, { errorLabels: ['TransientTransactionError'] });
}

/** The session id of a command (`lsid.id`, a UUID) as a map key. */
export function sessionKey(lsid: unknown): string | undefined {
  if (!isPlainObject(lsid)) return undefined;
  const id = lsid['id'];
  if (bsonTag(id) !== 'Binary') return undefined;
  return (id as { toString(encoding: 'hex'): string }).toString('hex');
}

/** The txnNumber of a command as a number. */
export function txnNumberOf(value: unknown): number {
  if (!isNumeric(value)) throw commandError('TypeMismatch', "BSON field 'txnNumber' is the wrong type, expected type 'long'");
  return toNumber(value);
}

/**
 * Server-side session state for the replica-set mode: transactions (see {@link TransactionView})
 * and the last retryable write per session.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, SessionState>();
  readonly #catalog: Catalog;

  constructor(catalog: Catalog) {
    this.#catalog = catalog;
  }

  #session(key: string): SessionState {
    let session = this.#sessions.get(key);
    if (!session) {
      session = { txnNumber: -1, transaction: undefined, retryable: undefined };
      this.#sessions.set(key, session);
    }
    return session;
  }

  /**
   * The transaction a command with `autocommit: false` belongs to, starting it when
   * `startTransaction` is set.
   *
   * @throws MongoCommandError NoSuchTransaction (251), TransactionTooOld (225),
   *   TransactionCommitted (256) as MongoDB answers them.
   */
  transaction(key: string, txnNumber: number, start: boolean, command: string): Transaction {
    const session = this.#session(key);
    if (txnNumber < session.txnNumber) {
      throw commandError(
        'TransactionTooOld',
        `Cannot start transaction ${txnNumber} on session ${key} because a newer transaction ${session.txnNumber} has already started.`,
      );
    }
    const current = session.transaction;
    if (start) {
      if (current && current.txnNumber === txnNumber) {
        throw commandError(
          'ConflictingOperationInProgress',
          `Transaction with { txnNumber: ${txnNumber} } has been already started`,
        );
      }
      if (current?.state === 'active') current.state = 'aborted';
      const transaction: Transaction = {
        txnNumber,
        state: 'active',
        view: new TransactionView(this.#catalog),
        startedAt: Date.now(),
      };
      session.txnNumber = txnNumber;
      session.transaction = transaction;
      return transaction;
    }
    if (!current || current.txnNumber !== txnNumber) {
      throw noSuchTransaction(
        `Given transaction number ${txnNumber} does not match any in-progress transactions. The active transaction number is ${session.txnNumber}`,
      );
    }
    if (current.state === 'active' && Date.now() - current.startedAt > TRANSACTION_LIFETIME_MS) current.state = 'aborted';
    if (current.state === 'aborted') {
      throw noSuchTransaction(`Transaction with { txnNumber: ${txnNumber} } has been aborted.`);
    }
    if (current.state === 'committed' && command !== 'commitTransaction') {
      throw commandError('TransactionCommitted', `Transaction with { txnNumber: ${txnNumber} } has been committed.`);
    }
    return current;
  }

  /** The stored reply of a retryable write being retried, after checking its txnNumber. */
  retriedWrite(key: string, txnNumber: number): Document | undefined {
    const session = this.#session(key);
    if (txnNumber < session.txnNumber) {
      throw commandError(
        'TransactionTooOld',
        `Retryable write with txnNumber ${txnNumber} is prohibited on session ${key} because a newer retryable write with txnNumber ${session.txnNumber} has already started on this session.`,
      );
    }
    if (session.retryable?.txnNumber === txnNumber) return session.retryable.reply;
    if (session.transaction?.txnNumber === txnNumber) {
      throw commandError(
        'IncompleteTransactionHistory',
        `Cannot retry a retryable write that has been converted into a transaction`,
      );
    }
    session.txnNumber = txnNumber;
    return undefined;
  }

  /** Remembers the reply of a retryable write. */
  rememberWrite(key: string, txnNumber: number, reply: Document): void {
    const session = this.#session(key);
    if (session.txnNumber === txnNumber) session.retryable = { txnNumber, reply };
  }

  /** Ends sessions (aborting their transactions). */
  end(keys: readonly string[]): void {
    for (const key of keys) {
      const session = this.#sessions.get(key);
      if (session?.transaction?.state === 'active') session.transaction.state = 'aborted';
      this.#sessions.delete(key);
    }
  }

  /** Forgets all sessions (a restart). */
  clear(): void {
    this.#sessions.clear();
  }
}
