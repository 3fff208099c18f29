/**
 * A SOAP server that answers badly, times out and goes away: every failure reaches the
 * SCIM client through the one error table, with the service named, and only idempotent
 * operations are sent again.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { createSoapConnector, SoapConfigError, type SoapConfigInput } from '../src/index.js';
import { DOCUMENT_WSDL } from '../examples/server.mjs';
import { connectorFor, exampleEndpoint, examplesDir, merge } from './helpers.js';
import { call, envelope, hookedService, operationOf, reply } from './hooked-service.js';

const svc = hookedService();

describe('responses that are refused or unreadable', () => {
  it('refuses a response with an external entity: 502, and the file is never read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soap-xxe-'));
    const secretFile = join(dir, 'secret.txt');
    writeFileSync(secretFile, 'XXE-MARKER-7f3a');
    const { h, connector, logs } = await svc.handler();
    svc.hook = svc.on('getUser', (res) =>
      reply(
        res,
        200,
        `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://${secretFile}">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:example:scimgw:directory"><soap:Body><tns:getUserResponse><tns:user><tns:id>u1</tns:id><tns:userName>&xxe;</tns:userName></tns:user></tns:getUserResponse></soap:Body></soap:Envelope>`,
      ),
    );
    const r = await call(h, 'GET', '/Users/u1');
    expect(r.status).toBe(502);
    expect(r.body.detail).toBe(
      'SOAP service "directory" (getUser) sent a response that was refused: document type declarations are not accepted',
    );
    expect(JSON.stringify(r.body) + logs()).not.toContain('XXE-MARKER');
    expect(readFileSync(secretFile, 'utf8')).toBe('XXE-MARKER-7f3a');
    await connector.close?.();
  });

  it('refuses internal entities (billion laughs), undeclared entities and __proto__ elements', async () => {
    const { h, connector } = await svc.handler();
    const laughs = `<!DOCTYPE l [<!ENTITY a "ha">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i} "${`&${i ? `l${i - 1}` : 'a'};`.repeat(10)}">`).join('')}]>`;
    const bodies = [
      `${laughs}${envelope('<tns:getUserResponse xmlns:tns="urn:example:scimgw:directory"><tns:user><tns:id>&l8;</tns:id></tns:user></tns:getUserResponse>')}`,
      envelope(
        '<tns:getUserResponse xmlns:tns="urn:example:scimgw:directory"><tns:user><tns:id>&undeclared;</tns:id></tns:user></tns:getUserResponse>',
      ),
      envelope(
        '<tns:getUserResponse xmlns:tns="urn:example:scimgw:directory"><tns:user><__proto__><polluted>yes</polluted></__proto__><tns:id>u1</tns:id></tns:user></tns:getUserResponse>',
      ),
      envelope(
        '<tns:getUserResponse xmlns:tns="urn:example:scimgw:directory"><tns:user id="__proto__"><tns:id>u1</tns:id></tns:user></tns:getUserResponse>',
      ),
    ];
    for (const body of bodies) {
      svc.hook = svc.on('getUser', (res) => reply(res, 200, body));
      const r = await call(h, 'GET', '/Users/u1');
      expect(r.status, body.slice(0, 80)).toBe(502);
      expect(r.body.detail).toMatch(/sent a response that was refused/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).obj).toBeUndefined();
    await connector.close?.();
  });

  it('refuses a response longer than maxResponseBytes before parsing it', async () => {
    const { h, connector } = await svc.handler({ maxResponseBytes: 2000 });
    for (let i = 0; i < 5; i++) await call(h, 'POST', '/Users', { userName: `big-${i}`, displayName: 'x'.repeat(500) });
    const r = await call(h, 'GET', '/Users');
    expect([r.status, r.body.detail]).toEqual([
      502,
      'SOAP service "directory" (searchUsers) sent a response that was refused: the response is longer than 2000 bytes',
    ]);
    svc.server.store.directory.users.clear();
    await connector.close?.();
  });

  it('a response without end is cut off at maxResponseBytes: read no further, 502, the connection closed', async () => {
    const { h, connector } = await svc.handler({ maxResponseBytes: 4096 });
    let sent = 0;
    let closed = false;
    svc.hook = svc.on('searchUsers', (res) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.write('<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>');
      const timer = setInterval(() => {
        sent += 16 * 1024;
        res.write(`<!--${'x'.repeat(16 * 1024 - 7)}-->`);
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        closed = true;
      });
      return true;
    });
    const r = await call(h, 'GET', '/Users');
    expect([r.status, r.body.detail]).toEqual([
      502,
      'SOAP service "directory" (searchUsers) sent a response that was refused: the response is longer than 4096 bytes',
    ]);
    await expect.poll(() => closed).toBe(true);
    expect(sent).toBeLessThan(4 * 1024 * 1024);
    await connector.close?.();
  });

  it('a response soap’s own parser chokes on fails the call (502) instead of hanging it', async () => {
    const { h, connector } = await svc.handler();
    svc.hook = svc.on('getUser', (res) =>
      reply(
        res,
        200,
        envelope(
          '<tns:getUserResponse xmlns:tns="urn:example:scimgw:directory"><tns:user><tns:id>u1</tns:id><tns:userName>text<tns:inner/></tns:userName></tns:user></tns:getUserResponse>',
        ),
      ),
    );
    const r = await call(h, 'GET', '/Users/u1');
    expect(r.status).toBe(502);
    expect(r.body.detail).toMatch(/^SOAP service "directory" \(getUser\) sent an unusable response/);
    await connector.close?.();
  });

  // soap reads a document without a Body as an empty answer, which a read takes for "not found":
  // an IdP told 404 for a user that exists creates it again. Before the envelope check, all four
  // answered 404.
  it.each([
    ['an empty 200', '', 'the response is empty where a SOAP envelope was expected'],
    ['a document that is not SOAP', '<a/>', 'the response is not a SOAP envelope (its root element is "a")'],
    [
      'a proxy’s sign-in page in XHTML',
      '<html><body><form action="/login"><p>Sign in</p></form></body></html>',
      'the response is not a SOAP envelope (its root element is "html")',
    ],
    [
      'an envelope without a Body',
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/></soap:Envelope>',
      'the SOAP envelope has no Body',
    ],
  ])('%s answering a read is refused (502), never read as "not found"', async (_, body, why) => {
    const { h, connector } = await svc.handler();
    svc.hook = svc.on('getUser', (res) => reply(res, 200, body));
    const r = await call(h, 'GET', '/Users/u1');
    expect([r.status, r.body.detail]).toEqual([
      502,
      `SOAP service "directory" (getUser) sent a response that was refused: ${why}`,
    ]);
    await connector.close?.();
  });

  it('a one-way operation (no output message) may be answered 202 with nothing', async () => {
    const oneWay = readFileSync(DOCUMENT_WSDL, 'utf8').replace(
      /(<wsdl:operation name="deleteUser">[\s\S]*?)<wsdl:output[^>]*?(?:\/>|>[\s\S]*?<\/wsdl:output>)\s*/g,
      '$1',
    );
    expect(oneWay.match(/<wsdl:operation name="deleteUser">[\s\S]*?<\/wsdl:operation>/g)?.join('')).not.toContain('output');
    svc.hook = (req, res) => {
      if (req.path === '/soap/one-way') return reply(res, 200, oneWay);
      if (operationOf(req.headers) !== 'deleteUser') return false;
      res.writeHead(202).end();
      return true;
    };
    const { h, connector } = await svc.handler({ services: { directory: { wsdl: `${svc.server.origin}/soap/one-way?wsdl` } } });
    const r = await call(h, 'DELETE', '/Users/u1');
    expect(r.status).toBe(204);
    expect(svc.seen.get('deleteUser')).toBe(1);
    await connector.close?.();
  });

  it('a JavaScript error while reading an answer: 502 without its text for the client, the text in the log', async () => {
    const { h, connector, logs } = await svc.handler();
    // An unexpected element where the output belongs makes soap's reader fail inside its own code.
    svc.hook = svc.on('getUser', (res) => reply(res, 200, envelope('<x/>')));
    const r = await call(h, 'GET', '/Users/u1');
    expect([r.status, r.body.detail]).toEqual([
      502,
      'SOAP service "directory" (getUser) sent an unusable response: the answer does not have the shape the WSDL describes (the gateway log has the details)',
    ]);
    const failed = JSON.parse(logs()).find((l: { msg: string }) => l.msg === 'soap call failed');
    expect(failed?.data.internal).toMatch(/\S/);
    expect(failed.data.detail).not.toContain(failed.data.internal);
    await connector.close?.();
  });

  it('refuses a WSDL with a DOCTYPE fetched over HTTP', async () => {
    const wsdl = readFileSync(DOCUMENT_WSDL, 'utf8').replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    );
    svc.hook = (req, res) => (req.path === '/soap/evil' ? reply(res, 200, wsdl) : false);
    const { h, connector } = await svc.handler({ services: { directory: { wsdl: `${svc.server.origin}/soap/evil?wsdl` } } });
    const r = await call(h, 'GET', '/Users/u1');
    expect(r.status).toBe(502);
    expect(r.body.detail).toBe(
      'SOAP service "directory" (getUser) sent a response that was refused: WSDL: document type declarations are not accepted',
    );
    await connector.close?.();
  });
});

describe('timeouts and bounded retries of idempotent operations only', () => {
  it('a read that never gets an answer is tried `attempts` times, then 504', async () => {
    const { h, connector } = await svc.handler();
    svc.hook = svc.on('getUser', (res) => {
      svc.held.push(res);
      return true;
    });
    const r = await call(h, 'GET', '/Users/u1');
    expect(r.status).toBe(504);
    expect(r.body.detail).toMatch(/^SOAP service "directory" \(getUser\) did not answer in time: .*timed out after 400 ms/);
    expect(svc.seen.get('getUser')).toBe(3);
    await connector.close?.();
  });

  it('a create that never gets an answer is sent once', async () => {
    const { h, connector } = await svc.handler();
    svc.hook = svc.on('createUser', (res) => {
      svc.held.push(res);
      return true;
    });
    const r = await call(h, 'POST', '/Users', { userName: 'slow' });
    expect(r.status).toBe(504);
    expect(svc.seen.get('createUser')).toBe(1);
    await connector.close?.();
  });

  it('503s are retried for reads, deletes and replaces, not for creates and modifies; Retry-After passes through', async () => {
    const { h, connector } = await svc.handler();
    const u = await call(h, 'POST', '/Users', { userName: 'retry.me' });
    const unavailableTwice = (res: ServerResponse, n: number) =>
      n <= 2 ? reply(res, 503, 'busy', { 'content-type': 'text/plain' }) : false;
    svc.seen.clear();
    svc.hook = svc.on('getUser', unavailableTwice);
    expect((await call(h, 'GET', `/Users/${u.body.id}`)).status).toBe(200);
    expect(svc.seen.get('getUser')).toBe(3);

    svc.hook = svc.on('replaceUser', unavailableTwice);
    expect((await call(h, 'PUT', `/Users/${u.body.id}`, { userName: 'retry.me', title: 'T' })).status).toBe(200);
    expect(svc.seen.get('replaceUser')).toBe(3);

    svc.hook = svc.on('createUser', (res) => reply(res, 503, 'busy', { 'content-type': 'text/plain', 'retry-after': '7' }));
    const created = await call(h, 'POST', '/Users', { userName: 'not.twice' });
    expect([created.status, created.headers?.['retry-after']]).toEqual([503, '7']);
    expect(svc.seen.get('createUser')).toBe(1);

    svc.hook = svc.on('modifyUser', (res) => reply(res, 503, 'busy', { 'content-type': 'text/plain' }));
    const patched = await call(h, 'PATCH', `/Users/${u.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'X' }],
    });
    expect(patched.status).toBe(503);
    expect(svc.seen.get('modifyUser')).toBe(1);

    svc.hook = svc.on('deleteUser', unavailableTwice);
    expect((await call(h, 'DELETE', `/Users/${u.body.id}`)).status).toBe(204);
    expect(svc.seen.get('deleteUser')).toBe(3);
    await connector.close?.();
  });

  it('a connection cut after the request arrived: a read is sent again, a create is not', async () => {
    const { h, connector } = await svc.handler();
    const u = await call(h, 'POST', '/Users', { userName: 'cut.me' });
    const cutFirst = (res: ServerResponse, n: number) => {
      if (n > 1) return false;
      res.socket?.destroy();
      return true;
    };
    svc.seen.clear();
    svc.hook = svc.on('getUser', cutFirst);
    expect((await call(h, 'GET', `/Users/${u.body.id}`)).status).toBe(200);
    expect(svc.seen.get('getUser')).toBe(2);
    svc.hook = svc.on('createUser', cutFirst);
    const r = await call(h, 'POST', '/Users', { userName: 'cut.create' });
    expect(r.status).toBe(503);
    expect(r.body.detail).toMatch(/^SOAP service "directory" \(createUser\) is unreachable/);
    expect(svc.seen.get('createUser')).toBe(1);
    await call(h, 'DELETE', `/Users/${u.body.id}`);
    await connector.close?.();
  });

  it('every attempt is a new envelope: a WS-Security nonce is never sent twice', async () => {
    const { h, connector } = await svc.handler({
      wsSecurity: { usernameToken: { username: 'u', password: 'p-secret', passwordType: 'PasswordDigest' } },
    });
    const nonces: string[] = [];
    svc.hook = (req, res) => {
      if (operationOf(req.headers) !== 'getUser') return false;
      nonces.push(/<wsse:Nonce[^>]*>([^<]+)<\/wsse:Nonce>/.exec(req.body)?.[1] ?? '');
      return nonces.length <= 2 ? reply(res, 503, 'busy', { 'content-type': 'text/plain' }) : false;
    };
    expect((await call(h, 'GET', '/Users/nobody')).status).toBe(404);
    expect(nonces).toHaveLength(3);
    expect(new Set(nonces).size).toBe(3);
    expect(nonces.every((n) => n.length > 0)).toBe(true);
    await connector.close?.();
  });

  it('an operation’s own timeout wins over the connection’s', async () => {
    const { h, connector } = await svc.handler({ operations: { user: { get: { timeout: 150 } } } });
    svc.hook = svc.on('getUser', (res) => {
      svc.held.push(res);
      return true;
    });
    const r = await call(h, 'GET', '/Users/u1');
    expect(r.status).toBe(504);
    expect(r.body.detail).toMatch(/timed out after 150 ms/);
    await connector.close?.();
  });

  it('retries stop at the configured attempts (never more than 10)', async () => {
    const { h, connector } = await svc.handler({ entity: { undefined: { connection: { retry: { attempts: 5 } } } } });
    svc.hook = svc.on('searchUsers', (res) => reply(res, 503, 'busy', { 'content-type': 'text/plain' }));
    expect((await call(h, 'GET', '/Users')).status).toBe(503);
    expect(svc.seen.get('searchUsers')).toBe(5);
    await connector.close?.();
  });
});

describe('a server that goes away', () => {
  it('answers 503 naming the service while it is down, and works again when it is back', async () => {
    const own = await svc.start();
    const { connector } = await connectorFor(
      merge(exampleEndpoint('document', own.origin), {
        entity: { undefined: { connection: { retry: { attempts: 2, baseDelayMs: 5 } } } },
      }),
    );
    const h = createScimHandler({ connector });
    const u = await call(h, 'POST', '/Users', { userName: 'before.outage' });
    expect(u.status).toBe(201);
    const port = own.port;
    await own.close();
    const down = await call(h, 'GET', `/Users/${u.body.id}`);
    expect(down.status).toBe(503);
    expect(down.body.detail).toMatch(/^SOAP service "directory" \(getUser\) is unreachable: .*ECONNREFUSED/);
    const back = await svc.start(port);
    const again = await call(h, 'POST', '/Users', { userName: 'after.outage' });
    expect(again.status).toBe(201);
    expect((await call(h, 'GET', `/Users/${again.body.id}`)).body.userName).toBe('after.outage');
    await connector.close?.();
    await back.close();
  });

  it('loads a WSDL that could not be fetched on the next call', async () => {
    const own = await svc.start();
    const port = own.port;
    await own.close();
    const { connector } = await connectorFor(exampleEndpoint('document', `http://127.0.0.1:${port}`));
    const h = createScimHandler({ connector });
    const down = await call(h, 'GET', '/Users');
    expect(down.status).toBe(503);
    expect(down.body.detail).toMatch(/is unreachable: WSDL: /);
    const back = await svc.start(port);
    expect((await call(h, 'GET', '/Users')).status).toBe(200);
    await connector.close?.();
    await back.close();
  });
});

describe('operations a service lacks are absent', () => {
  it('answers 501 for them, and uses what is there', async () => {
    const { h, connector } = await svc.handler({
      operations: { user: { create: undefined, modify: undefined, replace: undefined, delete: undefined }, group: undefined },
    });
    expect(connector.resources.Group).toBeUndefined();
    svc.server.store.directory.users.set('read-only-1', { id: 'read-only-1', userName: 'read.only' });
    expect((await call(h, 'POST', '/Users', { userName: 'x' })).status).toBe(501);
    expect((await call(h, 'DELETE', '/Users/read-only-1')).status).toBe(501);
    expect((await call(h, 'PUT', '/Users/read-only-1', { userName: 'x' })).status).toBe(501);
    const patch = await call(h, 'PATCH', '/Users/read-only-1', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'T' }],
    });
    expect(patch.status).toBe(501);
    expect((await call(h, 'GET', '/Users/read-only-1')).body.userName).toBe('read.only');
    svc.server.store.directory.users.delete('read-only-1');
    expect((await call(h, 'GET', '/Groups')).status).toBe(404);
    await connector.close?.();
  });

  it('PATCH goes through get + replace without modify, PUT through modify without replace', async () => {
    const noModify = await svc.handler({ operations: { user: { modify: undefined } } });
    const u = await call(noModify.h, 'POST', '/Users', { userName: 'via.replace', title: 'A' });
    const p = await call(noModify.h, 'PATCH', `/Users/${u.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'B' }],
    });
    expect([p.status, p.body.title, svc.seen.get('replaceUser')]).toEqual([200, 'B', 1]);
    const noReplace = await svc.handler({ operations: { user: { replace: undefined } } });
    const put = await call(noReplace.h, 'PUT', `/Users/${u.body.id}`, { userName: 'via.replace', title: 'C' });
    expect([put.status, put.body.title, svc.seen.get('modifyUser')]).toEqual([200, 'C', 1]);
    await noModify.connector.close?.();
    await noReplace.connector.close?.();
  });
});

describe('configuration errors stop the start, with their paths', () => {
  const create = (config: Record<string, unknown>) =>
    createSoapConnector({ config: config as SoapConfigInput, baseDir: examplesDir, logger: testContext({}).log });

  it.each([
    [
      'an operation the WSDL does not have',
      { operations: { user: { get: { service: 'directory', method: 'getUsr', request: { id: '$id' } } } } },
      'endpoint.operations.user.get.method: "getUsr" is not an operation of service "directory"',
    ],
    [
      'an unknown key',
      { operations: { user: { gett: { service: 'directory', method: 'getUser' } } } },
      'endpoint.operations.user.gett: unknown key (did you mean "get"?)',
    ],
    [
      'an unknown placeholder',
      { operations: { user: { get: { service: 'directory', method: 'getUser', request: { id: '$ident' } } } } },
      'unknown placeholder "$ident"',
    ],
    [
      'a placeholder of another operation',
      { operations: { user: { delete: { service: 'directory', method: 'deleteUser', request: { id: '$record' } } } } },
      '"$record" can\'t be used here',
    ],
    [
      'a search attribute that is not mapped',
      { operations: { user: { search: { service: 'directory', method: 'searchUsers', attributes: ['nickname2'] } } } },
      'endpoint.operations.user.search.attributes[0]: "nickname2" is not mapped',
    ],
    ['a resource type without a mapping', { map: { user: undefined } }, 'endpoint.map.user: operations.user needs a mapping'],
    [
      'a paged list without a total',
      { operations: { user: { list: { total: undefined } } } },
      'endpoint.operations.user.list.total: the request pages',
    ],
    ['a WSDL file that is not there', { services: { directory: { wsdl: 'wsdl/missing.wsdl' } } }, 'could not be loaded'],
    [
      'an unreadable X.509 key',
      { wsSecurity: { x509: { key: 'nope.key', cert: 'nope.pem' } } },
      'cannot read wsSecurity.x509.key file',
    ],
  ])('%s', async (_name, patch, message) => {
    const error = await create(svc.endpoint(patch)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SoapConfigError);
    expect((error as Error).message).toContain(message);
  });
});
