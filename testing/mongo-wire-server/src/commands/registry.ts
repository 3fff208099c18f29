import type { CommandDefinition } from '../state.js';
import { authCommands } from './auth.js';
import { catalogCommands } from './catalog.js';
import { handshakeCommands } from './handshake.js';
import { readCommands } from './reads.js';
import { sessionCommands } from './sessions.js';
import { userCommands } from './users.js';
import { writeCommands } from './writes.js';

/** Every command this server implements, by the name clients send. Anything else is CommandNotFound. */
export const COMMANDS: ReadonlyMap<string, CommandDefinition> = new Map(
  Object.entries({
    ...handshakeCommands,
    ...authCommands,
    ...sessionCommands,
    ...readCommands,
    ...writeCommands,
    ...catalogCommands,
    ...userCommands,
  }),
);
