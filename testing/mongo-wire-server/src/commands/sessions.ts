import { UUID } from 'bson';
import { commandError } from '../errors.js';
import { sessionKey } from '../sessions/sessions.js';
import type { CommandContext, CommandDefinition } from '../state.js';
import { SESSION_TIMEOUT_MINUTES } from './handshake.js';

/** MongoDB's answer to transaction fields on a standalone server. */
export function transactionsUnsupported() {
  return commandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
}

function transactionOf(ctx: CommandContext) {
  if (ctx.state.topology.kind === 'standalone') throw transactionsUnsupported();
  if (!ctx.transaction) throw commandError('InvalidOptions', `${ctx.name} must be run within a transaction`);
  return ctx.transaction;
}

/**
 * Session commands. Every command may carry `lsid`. A standalone refuses transactions as mongod
 * does; in replica-set mode, `commitTransaction` applies the transaction's changes atomically and
 * `abortTransaction` discards them.
 */
export const sessionCommands: Record<string, CommandDefinition> = {
  endSessions: {
    requiresAuth: false,
    run(ctx) {
      const list = ctx.body['endSessions'];
      if (Array.isArray(list)) ctx.state.sessions.end(list.map(sessionKey).filter((k): k is string => k !== undefined));
      return {};
    },
  },
  startSession: { fields: {}, run: () => ({ id: { id: new UUID() }, timeoutMinutes: SESSION_TIMEOUT_MINUTES }) },
  refreshSessions: { run: () => ({}) },
  killSessions: { run: () => ({}) },
  commitTransaction: {
    fields: { recoveryToken: 'object' },
    run(ctx) {
      const transaction = transactionOf(ctx);
      if (transaction.state === 'committed') return {};
      try {
        transaction.view.commit();
      } catch (error) {
        transaction.state = 'aborted';
        throw error;
      }
      transaction.state = 'committed';
      return {};
    },
  },
  abortTransaction: {
    fields: { recoveryToken: 'object' },
    run(ctx) {
      const transaction = transactionOf(ctx);
      transaction.state = 'aborted';
      return {};
    },
  },
};
