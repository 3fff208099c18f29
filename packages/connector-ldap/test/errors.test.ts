import { errors } from '@scimgw/core';
import { StatusCodeParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { LDAP_RESULT_CODES, RESULT_CODE_TABLE, toScimFromLdap } from '../src/index.js';
import { isConnectionError, isUnsentError, rejectedAttribute, ServiceBindError } from '../src/errors.js';
import { CLOSED_MESSAGE, NOT_SENT_MESSAGE } from '../src/liveness.js';

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

describe('the attribute a rejected value names', () => {
  const cases: [string, string[], string | undefined][] = [
    // OpenLDAP 2.5
    ['displayName: value #0 invalid per syntax', ['objectClass', 'uid', 'displayName', 'cn'], 'displayName'],
    ["object class 'inetOrgPerson' requires attribute 'sn'", ['uid', 'cn', 'sn', 'title'], 'sn'],
    ['mail: value #0 invalid per syntax', ['MAIL'], 'MAIL'],
    // Active Directory: the attribute in parentheses at the end
    [
      '000021C7: AtrErr: DSID-03200BBA, #1:\n\t0: 000021C7: DSID-03200BBA, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 90290 (userPrincipalName)',
      ['cn', 'userPrincipalName'],
      'userPrincipalName',
    ],
    // A name inside another one, or the type of a DN's RDN, is not the attribute
    ['givenName: value #0 invalid per syntax', ['name', 'givenName'], 'givenName'],
    ['entry cn=x,dc=y already exists', ['cn'], undefined],
    ['no attribute named in here', ['title'], undefined],
  ];
  for (const [diagnostic, sent, expected] of cases) {
    it(`${JSON.stringify(diagnostic.slice(0, 50))} → ${String(expected)}`, () => {
      expect(rejectedAttribute(diagnostic, sent)).toBe(expected);
    });
  }

  it('names the attribute, and the SCIM one mapped to it, never server text', () => {
    const e = toScimFromLdap(ldapError(21), {
      what: 'create user "bob"',
      attribute: { ldap: 'mail', scim: 'emails.work.value' },
    });
    expect(e.detail).toBe(
      'Cannot create user "bob": the directory rejected the value of emails.work.value (LDAP attribute mail, 21 invalidAttributeSyntax)',
    );
    expect(e.scimType).toBe('invalidValue');
    const unmapped = toScimFromLdap(ldapError(65), { what: 'create user "bob"', attribute: { ldap: 'sn' } });
    expect(unmapped.detail).toBe(
      'Cannot create user "bob": the directory rejected the value of LDAP attribute sn (65 objectClassViolation)',
    );
  });
});

describe("the service account's refused bind", () => {
  it('is 503 with Retry-After, names the configuration to check in the log message and nothing to the client', () => {
    const e = new ServiceBindError(49, 'cn=scimgw,dc=example,dc=org', 'endpoint.entity.undefined.ldap', { cause: ldapError(49) });
    expect(e.message).toBe(
      'ldap: the directory refused the bind of the service account "cn=scimgw,dc=example,dc=org" (49 invalidCredentials): check endpoint.entity.undefined.ldap.username and endpoint.entity.undefined.ldap.password, and that the account is enabled and not locked in the directory',
    );
    const s = toScimFromLdap(e, { what: 'list users', retryAfter: 7 });
    expect(s.status).toBe(503);
    expect(s.headers['retry-after']).toBe('7');
    expect(s.detail).toBe('The gateway cannot sign in to the directory; try again later');
    expect(isConnectionError(e)).toBe(false);
    const plain = new ServiceBindError(8, 'cn=x', 'endpoint.ldap');
    expect(plain.message).toMatch(
      /requires an encrypted connection: use ldaps:\/\/ in endpoint\.ldap\.baseUrls, or endpoint\.ldap\.startTls$/,
    );
  });

  it('a connection closed under a request is a transport failure that may have been applied; one closed before, not', () => {
    const closed = new Error(CLOSED_MESSAGE);
    expect(isConnectionError(closed)).toBe(true);
    expect(isUnsentError(closed)).toBe(false);
    expect(toScimFromLdap(closed, { what: 'x' }).status).toBe(503);
    const notSent = new Error(NOT_SENT_MESSAGE);
    expect(isConnectionError(notSent)).toBe(true);
    expect(isUnsentError(notSent)).toBe(true);
  });
});
