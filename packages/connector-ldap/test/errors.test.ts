import { errors } from '@scimgw/core';
import { StatusCodeParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { LDAP_RESULT_CODES, RESULT_CODE_TABLE, toScimFromLdap } from '../src/index.js';
import { isConnectionError, isUnsentError } from '../src/errors.js';

const SECRET = 'uid=root,ou=internal,dc=corp 00002071: UpdErr: DSID-031B0C7E';
const ldapError = (status: number) =>
  StatusCodeParser.parse({ status, errorMessage: SECRET } as unknown as Parameters<typeof StatusCodeParser.parse>[0]);

describe('LDAP result codes → SCIM errors (one exhaustive table)', () => {
  const expected: [number, number, string | undefined][] = [
    [68, 409, 'uniqueness'],
    [32, 404, undefined],
    [19, 400, 'invalidValue'],
    [50, 403, undefined],
    [53, 400, undefined],
    [51, 503, undefined],
    [52, 503, undefined],
    [65, 400, 'invalidValue'],
    [21, 400, 'invalidValue'],
    [67, 400, 'mutability'],
    [4, 400, 'tooMany'],
    [18, 400, 'invalidFilter'],
    [49, 500, undefined],
    [1, 500, undefined],
    [80, 500, undefined],
  ];
  for (const [code, status, scimType] of expected) {
    it(`${code} → ${status}${scimType ? ` ${scimType}` : ''}`, () => {
      const e = toScimFromLdap(ldapError(code), { what: 'create user "bob"', retryAfter: 7 });
      expect(e.status).toBe(status);
      expect(e.scimType).toBe(scimType);
      if (status === 503) expect(e.headers['retry-after']).toBe('7');
    });
  }

  it('has a row for every known result code and never leaks server text', () => {
    for (const code of Object.keys(LDAP_RESULT_CODES).map(Number)) {
      expect(RESULT_CODE_TABLE[code as keyof typeof RESULT_CODE_TABLE]).toBeDefined();
      const e = toScimFromLdap(ldapError(code), { what: 'update group "g"' });
      expect(errors.isScimError(e)).toBe(true);
      expect(e.detail).not.toContain('DSID');
      expect(e.detail).not.toContain('ou=internal');
      if (e.status === 500) expect(e.detail).toBe('Internal server error');
    }
  });

  it('maps unknown codes to an opaque 500', () => {
    const e = toScimFromLdap(ldapError(9999), { what: 'x' });
    expect(e.status).toBe(500);
    expect(e.detail).toBe('Internal server error');
  });

  it('maps transport failures to 503 with Retry-After and leaves other errors opaque', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:389'), { code: 'ECONNREFUSED' });
    expect(isConnectionError(refused)).toBe(true);
    expect(isUnsentError(refused)).toBe(true);
    const e = toScimFromLdap(refused, { what: 'list users' });
    expect(e.status).toBe(503);
    expect(e.headers['retry-after']).toBe('5');
    const closed = new Error('Connection closed before message response was received. Message type: ModifyRequest (0x66)');
    expect(isConnectionError(closed)).toBe(true);
    expect(isUnsentError(closed)).toBe(false);
    const bug = new TypeError('x is not a function');
    expect(isConnectionError(bug)).toBe(false);
    expect(toScimFromLdap(bug, { what: 'x' }).status).toBe(500);
  });
});
