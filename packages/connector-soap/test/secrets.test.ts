/**
 * Nothing secret is logged: HTTP Basic and proxy credentials, UsernameToken passwords (text and
 * digest), an X.509 key passphrase, and users' passwords — not in the log lines (debug included,
 * where request bodies are logged), not in the error details a client sees, not even when the
 * service echoes the request back in a fault.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from '../../helper-rest/test/helpers.js';
import { connectorFor, type ExampleServer, exampleEndpoint, merge, startExampleServer } from './helpers.js';

const SECRETS = {
  basic: 'Basic-Secret-1&<x>',
  token: 'UT-Secret-2&<"\'>',
  passphrase: 'Key-Passphrase-3',
  userPassword: 'User-Password-4&<>',
  newPassword: 'User-Password-5"]]>',
};

/** Every form a secret could travel in. */
function forms(s: string): string[] {
  const xml = s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
  return [s, xml, encodeURIComponent(s), Buffer.from(s).toString('base64'), JSON.stringify(s).slice(1, -1)];
}

let pki: Pki;
/** Requires Basic and a UsernameToken. */
let server: ExampleServer;
/** Requires Basic only. */
let basicOnly: ExampleServer;

beforeAll(async () => {
  pki = makePki();
  execFileSync(
    'openssl',
    ['pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${SECRETS.passphrase}`, '-out', 'client-enc.key'],
    {
      cwd: pki.dir,
    },
  );
  // A careless service: for one user it puts the UsernameToken and the user's password into its fault message.
  const echo = (req: { body: string }, res: ServerResponse): boolean => {
    if (!req.body.includes('echo.me')) return false;
    res.writeHead(500, { 'content-type': 'text/xml' });
    const token = /<wsse:UsernameToken[\s\S]*?<\/wsse:UsernameToken>/.exec(req.body)?.[0] ?? '';
    const password = /<password>[\s\S]*?<\/password>/.exec(req.body)?.[0] ?? '';
    const echoed = `${token} ${password}`.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    res.end(
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>cannot process ${echoed}</faultstring></soap:Fault></soap:Body></soap:Envelope>`,
    );
    return true;
  };
  server = await startExampleServer({
    port: 0,
    basicAuth: { username: 'gw', password: SECRETS.basic },
    usernameToken: { username: 'ws-user', password: SECRETS.token },
    onRequest: echo,
  });
  basicOnly = await startExampleServer({ port: 0, basicAuth: { username: 'gw', password: SECRETS.basic }, onRequest: echo });
});
afterAll(async () => {
  await server?.close();
  await basicOnly?.close();
});

describe.each(['none', 'PasswordText', 'PasswordDigest'])('with WS-Security %s', (passwordType) => {
  it('no secret reaches a log line or a client', async () => {
    const target = passwordType === 'none' ? basicOnly : server;
    const endpoint = merge(exampleEndpoint('document', target.origin), {
      services: { directory: { wsdl: 'wsdl/directory-document.wsdl' } },
      entity: {
        undefined: {
          connection: {
            auth: { type: 'basic', options: { username: 'gw', password: SECRETS.basic } },
            retry: { attempts: 2, baseDelayMs: 5 },
          },
        },
      },
      // No signature here: its certificate would push the token past the length of a logged body.
      wsSecurity:
        passwordType === 'none' ? undefined : { usernameToken: { username: 'ws-user', password: SECRETS.token, passwordType } },
    });
    const { connector, ctx } = await connectorFor(endpoint);
    const h = createScimHandler({ connector });
    const seen: string[] = [];
    // The host's per-request logger (the gateway passes one with every request).
    const request = testContext({});
    const call = async (method: string, url: string, body?: unknown) => {
      const context = { log: request.log };
      const res = await h.handle({ method, url, context, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      seen.push(JSON.stringify(res.body ?? null));
      return res;
    };

    const userName = `secret.user.${passwordType}`;
    const created = await call('POST', '/Users', { userName, password: SECRETS.userPassword, title: 'T' });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(target.store.directory.users.get(id)?.password).toBe(SECRETS.userPassword);
    expect((await call('GET', `/Users/${id}`)).status).toBe(200);
    expect((await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).status).toBe(200);
    const patched = await call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'password', value: SECRETS.newPassword }],
    });
    expect(patched.status).toBe(200);
    expect(target.store.directory.users.get(id)?.password).toBe(SECRETS.newPassword);
    expect((await call('PUT', `/Users/${id}`, { userName, password: SECRETS.userPassword })).status).toBe(200);
    // The service echoes the request (UsernameToken and the user's password in it) in a fault.
    const echoed = await call('POST', '/Users', { userName: 'echo.me', password: SECRETS.newPassword });
    expect(echoed.status).toBe(502);
    const detail = (echoed.body as { detail: string }).detail;
    expect(detail).toMatch(/^SOAP service "directory" \(createUser\) answered with a fault: cannot process /);
    expect(detail).toContain('[REDACTED]');
    expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
    await connector.close?.();

    const logs = JSON.stringify(ctx.logs) + JSON.stringify(request.logs);
    // The test can fail: bodies were logged (masked), calls and failures too, through both loggers.
    expect(request.logs.some((l) => l.msg === 'soap call')).toBe(true);
    expect(request.logs.some((l) => l.msg === 'soap call failed')).toBe(true);
    expect(request.logs.some((l) => l.msg === 'rest request')).toBe(true);
    // Logged bodies are cut at 1000 characters: without a token header the user's password is in them.
    expect(logs).toContain(passwordType === 'none' ? '<password>[REDACTED]</password>' : '>[REDACTED]</wsse:Password>');
    if (passwordType !== 'none') expect(logs).toContain(`#${passwordType}`);
    const everything = logs + seen.join('\n');
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const form of forms(secret)) expect(everything.includes(form), `${name} (${form}) leaked`).toBe(false);
    }
    expect(everything).not.toContain(Buffer.from(`gw:${SECRETS.basic}`).toString('base64'));
  });
});

describe('with an X.509 signature and an encrypted key', () => {
  it('neither the passphrase nor the key is logged', async () => {
    const target = server;
    const endpoint = merge(exampleEndpoint('document', target.origin), {
      services: { directory: { wsdl: 'wsdl/directory-document.wsdl' } },
      entity: { undefined: { connection: { auth: { type: 'basic', options: { username: 'gw', password: SECRETS.basic } } } } },
      wsSecurity: {
        usernameToken: { username: 'ws-user', password: SECRETS.token },
        x509: { key: join(pki.dir, 'client-enc.key'), cert: join(pki.dir, 'client.pem'), passphrase: SECRETS.passphrase },
      },
    });
    const { connector, ctx } = await connectorFor(endpoint);
    const res = await createScimHandler({ connector }).handle({ method: 'GET', url: '/Users' });
    expect(res.status).toBe(200);
    await connector.close?.();
    const logs = JSON.stringify(ctx.logs);
    expect(logs).toContain('wsse:Security');
    for (const form of forms(SECRETS.passphrase)) expect(logs).not.toContain(form);
    const keyBody = readFileSync(join(pki.dir, 'client-enc.key'), 'utf8').split('\n')[1] as string;
    expect(logs).not.toContain(keyBody);
  });
});
