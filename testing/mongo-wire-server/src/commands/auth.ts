import { Binary } from 'bson';
import { authenticationFailed } from '../auth/scram.js';
import { commandError, MongoCommandError } from '../errors.js';
import type { CommandDefinition } from '../state.js';
import { payloadBytes, startConversation } from './handshake.js';

/** `saslStart` and `saslContinue`: SCRAM-SHA-256 and SCRAM-SHA-1. */
export const authCommands: Record<string, CommandDefinition> = {
  saslStart: {
    requiresAuth: false,
    fields: { mechanism: 'string', payload: 'any', autoAuthorize: 'any', options: 'object' },
    async run(ctx) {
      ctx.connection.conversation = undefined;
      const { conversation, step } = await startConversation(ctx, ctx.db, ctx.body);
      ctx.connection.conversation = conversation;
      return { conversationId: 1, done: step.done, payload: new Binary(step.payload) };
    },
  },
  saslContinue: {
    requiresAuth: false,
    fields: { conversationId: 'number', payload: 'any' },
    run(ctx) {
      const conversation = ctx.connection.conversation;
      if (!conversation) throw commandError('ProtocolError', 'No SASL session state found');
      try {
        const step = conversation.continue(payloadBytes(ctx.body['payload']));
        if (step.done) ctx.connection.conversation = undefined;
        if (step.principal) {
          const { user, db } = step.principal;
          if (!ctx.connection.principals.some((p) => p.user === user && p.db === db))
            ctx.connection.principals.push(step.principal);
        }
        return { conversationId: 1, done: step.done, payload: new Binary(step.payload) };
      } catch (error) {
        ctx.connection.conversation = undefined;
        if (error instanceof MongoCommandError && error.codeName === 'TypeMismatch') throw error;
        throw authenticationFailed();
      }
    },
  },
};
