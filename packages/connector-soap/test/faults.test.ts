/**
 * What a SOAP service's faults and refusals become for the SCIM client: one error table, the
 * service and operation named; with pass-through, a refusal of the caller's own credentials is the
 * caller's (401/403), not the gateway's.
 */
import { checksPassThrough } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import { configSchema } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { connectorFor, exampleEndpoint } from './helpers.js';
import { call, fault11, hookedService, reply } from './hooked-service.js';

const svc = hookedService();

describe('faults map to SCIM errors through one table', () => {
  it('not found → 404, duplicate → 409 uniqueness, validation → 400 with the fault string (document/literal)', async () => {
    const { h, connector } = await svc.handler();
    const missing = await call(h, 'GET', '/Users/nobody');
    expect(missing.status).toBe(404);
    const u = await call(h, 'POST', '/Users', { userName: 'dup.user' });
    expect(u.status).toBe(201);
    const dup = await call(h, 'POST', '/Users', { userName: 'DUP.user' });
    expect([dup.status, dup.body.scimType, dup.body.detail]).toEqual([409, 'uniqueness', 'User name DUP.user is already taken']);
    const invalid = await call(h, 'POST', '/Users', { userName: '   ' });
    expect([invalid.status, invalid.body.scimType, invalid.body.detail]).toEqual([400, 'invalidValue', 'userName is required']);
    const delMissing = await call(h, 'DELETE', '/Users/nobody');
    expect([delMissing.status, delMissing.body.detail]).toEqual([404, 'User nobody does not exist']);
    await call(h, 'DELETE', `/Users/${u.body.id}`);
    await connector.close?.();
  });

  it('the same through fault codes (rpc/encoded: tns:ObjectNotFound, tns:DuplicateKey, tns:InvalidInput)', async () => {
    const { connector } = await connectorFor(exampleEndpoint('rpc', svc.server.origin));
    const h = createScimHandler({ connector });
    expect((await call(h, 'GET', '/Users/U0')).status).toBe(404);
    const u = await call(h, 'POST', '/Users', { userName: 'rpc.dup' });
    const dup = await call(h, 'POST', '/Users', { userName: 'rpc.dup' });
    expect([dup.status, dup.body.scimType]).toEqual([409, 'uniqueness']);
    const invalid = await call(h, 'POST', '/Users', { userName: ' ' });
    expect([invalid.status, invalid.body.detail]).toEqual([400, 'loginName must not be empty']);
    await call(h, 'DELETE', `/Users/${u.body.id}`);
    await connector.close?.();
  });

  it('any other fault → 502 naming the service and the operation', async () => {
    const { h, connector } = await svc.handler();
    svc.hook = svc.on('getUser', (res) => reply(res, 500, fault11('soap:Server', 'database is down')));
    const r = await call(h, 'GET', '/Users/u1');
    expect(r.status).toBe(502);
    expect(r.body.detail).toBe('SOAP service "directory" (getUser) answered with a fault: database is down');
    // A fault is an answer: it is not sent again.
    expect(svc.seen.get('getUser')).toBe(1);
    await connector.close?.();
  });

  it('reads SOAP 1.2 faults (Code, Subcode, Reason)', async () => {
    const { h, connector } = await svc.handler();
    svc.hook = svc.on('deleteUser', (res, n) =>
      n > 1
        ? false
        : reply(
            res,
            500,
            '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tns="urn:x"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>tns:NoSuchEntity</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">entity u1 is gone</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>',
          ),
    );
    const r = await call(h, 'DELETE', '/Users/u1');
    expect([r.status, r.body.detail]).toEqual([404, 'entity u1 is gone']);
    svc.hook = svc.on('deleteUser', (res) =>
      reply(
        res,
        500,
        '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">disk full</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>',
      ),
    );
    const d = await call(h, 'DELETE', '/Users/u2');
    expect([d.status, d.body.detail]).toEqual([502, 'SOAP service "directory" (deleteUser) answered with a fault: disk full']);
    await connector.close?.();
  });

  it('configured fault rules come before the built-in ones', async () => {
    svc.hook = svc.on('createUser', (res) => reply(res, 500, fault11('soap:Server', 'rejected', '<errorCode>ERR-7</errorCode>')));
    const plain = await svc.handler();
    expect((await call(plain.h, 'POST', '/Users', { userName: 'r1' })).status).toBe(502);
    const ruled = await svc.handler({ faults: [{ category: 'duplicate', code: 'err-7' }] });
    const r = await call(ruled.h, 'POST', '/Users', { userName: 'r1' });
    expect([r.status, r.body.scimType, r.body.detail]).toEqual([409, 'uniqueness', 'rejected']);
    await plain.connector.close?.();
    await ruled.connector.close?.();
  });

  it('an HTTP error without a fault (a proxy page) → 502; credentials refused → 502 saying so', async () => {
    const { h, connector } = await svc.handler();
    svc.hook = svc.on('getUser', (res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body>Internal Server Error</body></html>');
      return true;
    });
    const r = await call(h, 'GET', '/Users/u1');
    expect([r.status, r.body.detail]).toEqual([502, 'SOAP service "directory" (getUser) failed: HTTP 500']);
    svc.hook = svc.on('getUser', (res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' });
      res.end();
      return true;
    });
    const denied = await call(h, 'GET', '/Users/u1');
    expect(denied.status).toBe(502);
    expect(denied.body.detail).toMatch(/^SOAP service "directory" \(getUser\) rejected the gateway's credentials/);
    await connector.close?.();
  });
});

describe("pass-through: the service's refusal of the caller's own credentials is the caller's", () => {
  it('checks the credentials only of the tenants whose connection passes them through, as configSchema says before it starts', async () => {
    const endpoint = svc.endpoint({
      entity: {
        undefined: { connection: { auth: { type: 'passThrough' } } },
        hr: {
          connection: { baseUrls: [svc.server.origin], auth: { type: 'basic', options: { username: 'gw', password: 'pw' } } },
        },
      },
    });
    const { connector } = await connectorFor(endpoint);
    expect([undefined, '', 'hr', 'other'].map((t) => checksPassThrough(connector, t))).toEqual([true, true, false, false]);
    await connector.close?.();
    const declared = (e: Record<string, unknown>) => {
      const v = configSchema.validate(e);
      if (!v.ok) throw new Error(JSON.stringify(v.issues));
      return configSchema.passThroughAuth?.(v.value);
    };
    expect(declared(endpoint)).toBe(true);
    expect(declared(svc.endpoint())).toBe(false);
  });

  it("401 → 401 and 403 → 403 (not 502), with the caller's Authorization sent to the service", async () => {
    const { h, connector } = await svc.handler({ entity: { undefined: { connection: { auth: { type: 'passThrough' } } } } });
    expect(checksPassThrough(connector, undefined)).toBe(true);
    const caller = `Basic ${Buffer.from('caller:wrong').toString('base64')}`;
    const sent: unknown[] = [];
    const asCaller = (url: string) => h.handle({ method: 'GET', url, context: { authorization: caller } });
    svc.hook = svc.on('getUser', (res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' });
      res.end();
      return true;
    });
    const prev = svc.hook;
    svc.hook = (req, res) => {
      sent.push(req.headers.authorization);
      return prev(req, res);
    };
    const denied = await asCaller('/Users/u1');
    expect(denied.status).toBe(401);
    expect((denied.body as { detail: string }).detail).toMatch(/refused these credentials/);
    expect(sent).toContain(caller);
    svc.hook = svc.on('getUser', (res) => {
      res.writeHead(403);
      res.end();
      return true;
    });
    expect((await asCaller('/Users/u1')).status).toBe(403);
    await connector.close?.();
  });
});
