import { describe, expect, it } from 'vitest';
import { classifyMssqlError } from '../src/index.js';

describe('classifyMssqlError', () => {
  it('reads server error numbers', () => {
    expect(classifyMssqlError({ number: 1205 })).toBe('deadlock');
    expect(classifyMssqlError({ originalError: { info: { number: 2627 } } })).toBe('uniqueViolation');
  });

  it('takes a request refused on a closed tedious connection for a lost connection, and nothing else of that code', () => {
    const closed = {
      name: 'RequestError',
      code: 'EINVALIDSTATE',
      message: 'Requests can only be made in the LoggedIn state, not the Final state',
    };
    expect(classifyMssqlError(closed)).toBe('connectionLost');
    const busy = { ...closed, message: 'Requests can only be made in the LoggedIn state, not the SentClientRequest state' };
    expect(classifyMssqlError(busy)).toBe('unknown');
  });
});
