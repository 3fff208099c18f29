import { readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../src/index.js';
import { captureStream, closeServer, tempDir, waitFor } from './helpers.js';
import { startSmtp } from './mail-helpers.js';
import { openSse } from './sse-client.js';

// Each secret is unique, so finding it anywhere means it leaked.
const S = {
  bearer: 'LEAK-bearer-91ac',
  patchPath: 'LEAK-patch-path-3b1f',
  patchUrn: 'LEAK-patch-urn-77de',
  patchValueObj: 'LEAK-patch-obj-0c2a',
  soap: 'LEAK-soap-5e9b',
  jsonString: 'LEAK-json-in-string-a4d0',
  unicodePwd: 'LEAK-unicodepwd-12fe',
  custom: 'LEAK-custom-ssn-8841',
  errMessage: 'LEAK-err-msg-6d3c',
  emailPassword: 'LEAK-smtp-password-e5e5',
  query: 'LEAK-query-token-2b2b',
  binding: 'LEAK-binding-key-9a9a',
  basicHeader: Buffer.from('gwadmin:LEAK-basic-4c4c').toString('base64'),
  clientSecret: 'LEAK-client-secret-1f1f',
};
const MARKER = 'visible-marker-for-sinks';

const tmp = tempDir();
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let server: Server;

beforeAll(async () => {
  smtp = await startSmtp({
    users: { 'gw@example.com': S.emailPassword },
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
  });
});
afterAll(async () => {
  await smtp.close();
  await closeServer(server);
  tmp.cleanup();
});

describe('no secret reaches any sink', () => {
  it('console, file, live stream and error e-mail are all clean', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'connector-leakcheck',
      baseDir: tmp.dir,
      stdout: out,
      log: {
        loglevel: { console: 'debug', file: 'debug', push: 'debug' },
        customMasking: ['SSN'],
        colorize: true,
        maxSize: 0.01,
        maxFiles: 3,
      },
      email: {
        auth: {
          type: 'smtp',
          options: {
            host: '127.0.0.1',
            port: smtp.port,
            username: 'gw@example.com',
            password: S.emailPassword,
            requireTLS: false,
          },
        },
        emailOnError: { enabled: true, from: 'gw@example.com', to: 'ops@example.com', sendInterval: 60 },
      },
    });
    server = createServer((req, res) => gw.stream.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const sse = await openSse(`http://127.0.0.1:${(server.address() as AddressInfo).port}/logger`);
    await sse.waitForEvent((e) => e.event === 'hello');

    const log = gw.forRequest({ reqId: 'req-leak', tenant: 'acme' });
    log.error({ headers: { Authorization: `Bearer ${S.bearer}`, 'x-marker': MARKER } }, 'incoming headers');
    log.error({ headers: { authorization: `Basic ${S.basicHeader}` } }, 'basic auth header');
    log.error(
      {
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [
            { op: 'replace', path: 'password', value: S.patchPath },
            { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: S.patchUrn },
            { op: 'replace', value: { password: S.patchValueObj, active: false } },
          ],
        },
      },
      'patch request',
    );
    log.error(
      {
        soap: `<soapenv:Body><ns:SetPassword><ns:user>bob</ns:user><ns:password>${S.soap}</ns:password></ns:SetPassword></soapenv:Body>`,
      },
      'soap call',
    );
    log.error(`raw body was {"userName":"bob","client_secret":"${S.jsonString}"}`);
    log.error(
      {
        ldapChange: { operation: 'replace', modification: { type: 'unicodePwd', values: [S.unicodePwd] } },
        user: { SSN: S.custom },
      },
      'ldap modify',
    );
    log.error({ err: new Error(`connect failed: password=${S.errMessage}`) }, 'backend error');
    log.error(
      { config: { email: { auth: { options: { password: S.emailPassword, clientSecret: S.clientSecret } } } } },
      `mail password is ${S.emailPassword}`,
    );
    gw.logger.child({ apiKey: S.binding }).error('with a secret binding');
    gw.logRequest({
      reqId: 'req-leak',
      tenant: 'acme',
      method: 'PATCH',
      path: `/acme/Users/bob?access_token=${S.query}`,
      status: 500,
      durationMs: 3,
      requestBody: { Operations: [{ op: 'replace', path: 'password', value: S.patchPath }] },
      responseBody: `{"detail":"failed","token":"${S.bearer}"}`,
    });
    log.debug({ secret: S.clientSecret, note: MARKER }, 'debug line');

    await sse.waitForEvent((e) => e.data.includes('debug line'));
    sse.close();
    await gw.close();
    await waitFor(() => smtp.mails.length > 0, 5000, 'error mail');

    const sinks: Record<string, string> = {
      console: out.text(),
      file: readdirSync(join(tmp.dir, 'logs'))
        .map((f) => readFileSync(join(tmp.dir, 'logs', f), 'utf8'))
        .join('\n'),
      stream: sse.events.map((e) => `event: ${e.event}\ndata: ${e.data}`).join('\n'),
      mail: smtp.mails.map((m) => `${m.raw}\n${m.text}`).join('\n'),
    };
    for (const [sink, text] of Object.entries(sinks)) {
      // Each sink really received the traffic (so a clean result means something).
      expect(text, `${sink} got the lines`).toContain('patch request');
      expect(text, `${sink} got the lines`).toContain('********');
      for (const [name, secret] of Object.entries(S)) {
        expect(text.includes(secret), `${name} leaked into ${sink}`).toBe(false);
      }
    }
    // And masking did not hide what is not secret.
    expect(sinks.file).toContain(MARKER);
    expect(sinks.mail).toContain('backend error');
  });
});
