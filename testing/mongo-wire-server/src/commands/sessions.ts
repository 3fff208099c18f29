import { UUID } from 'bson';
import { commandError } from '../errors.js';
import type { CommandDefinition } from '../state.js';
import { SESSION_TIMEOUT_MINUTES } from './handshake.js';

/** MongoDB's answer to transaction fields on a standalone server. */
export function transactionsUnsupported() {
  return commandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
}

/**
 * Session commands. Sessions are accepted (every command may carry `lsid`); this server is a
 * standalone, so transactions and retryable writes are refused as a standalone mongod refuses them.
 */
export const sessionCommands: Record<string, CommandDefinition> = {
  endSessions: { requiresAuth: false, run: () => ({}) },
  startSession: { fields: {}, run: () => ({ id: { id: new UUID() }, timeoutMinutes: SESSION_TIMEOUT_MINUTES }) },
  refreshSessions: { run: () => ({}) },
  killSessions: { run: () => ({}) },
  commitTransaction: {
    run: () => {
      throw transactionsUnsupported();
    },
  },
  abortTransaction: {
    run: () => {
      throw transactionsUnsupported();
    },
  },
};
