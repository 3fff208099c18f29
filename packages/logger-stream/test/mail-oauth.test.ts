import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../src/index.js';
import { captureStream, tempDir, waitFor } from './helpers.js';
import { startGmailEmulator, startGraphEmulator } from './oauth-emulators.js';

const tmp = tempDir();
const GRAPH = { tenant: 'contoso-tenant-id', clientId: 'app-client-id', clientSecret: 'Gr4ph~Client~Secret~Value' };
let graph: Awaited<ReturnType<typeof startGraphEmulator>>;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const CLIENT_EMAIL = 'scimgw-mailer@project.iam.gserviceaccount.com';
let gmail: Awaited<ReturnType<typeof startGmailEmulator>>;

beforeAll(async () => {
  graph = await startGraphEmulator(GRAPH);
  gmail = await startGmailEmulator({ clientEmail: CLIENT_EMAIL, publicKey: keys.publicKey });
  mkdirSync(join(tmp.dir, 'config', 'certs'), { recursive: true });
  writeFileSync(
    join(tmp.dir, 'config', 'certs', 'google-service-account.json'),
    JSON.stringify({
      type: 'service_account',
      client_email: CLIENT_EMAIL,
      private_key: privatePem,
      token_uri: `${gmail.base}/token`,
    }),
  );
});
afterAll(async () => {
  await graph.close();
  await gmail.close();
  tmp.cleanup();
});

function graphLogger(clientSecret = GRAPH.clientSecret, sendInterval = 15, base = graph.base) {
  const out = captureStream();
  const gw = createGatewayLogger({
    name: 'connector-entra',
    baseDir: tmp.dir,
    stdout: out,
    log: { loglevel: { console: 'debug' }, colorize: false },
    email: {
      auth: { type: 'oauth', options: { azureTenantId: GRAPH.tenant, clientId: GRAPH.clientId, clientSecret } },
      emailOnError: {
        enabled: true,
        from: 'scim@contoso.com',
        to: ['ops@contoso.com', 'sec@contoso.com'],
        cc: null,
        subject: 'SCIM Gateway error',
        sendInterval,
      },
    },
    emailEndpoints: { microsoftLogin: base, graph: base },
  });
  return { gw, out };
}

describe('Exchange Online via Microsoft Graph', () => {
  it('gets a client-credentials token and posts sendMail for the from mailbox; the token is reused', async () => {
    const { gw } = graphLogger();
    const tokensBefore = graph.state.tokenRequests;
    const r1 = await gw.mailer.sendMail({ subject: 'Report', text: 'all good' });
    const r2 = await gw.mailer.sendMail({ to: 'x@contoso.com', cc: 'y@contoso.com', subject: 'HTML', html: '<h1>hi</h1>' });
    await gw.close();
    expect(r1.ok && r2.ok).toBe(true);
    expect(graph.state.tokenRequests - tokensBefore).toBe(1);
    const [a, b] = graph.state.sent.slice(-2);
    expect(a).toMatchObject({
      from: 'scim@contoso.com',
      message: { subject: 'Report', body: { contentType: 'Text', content: 'all good' } },
    });
    expect(a!.message.toRecipients.map((r) => r.emailAddress.address)).toEqual(['ops@contoso.com', 'sec@contoso.com']);
    expect(b!.message.body).toEqual({ contentType: 'HTML', content: '<h1>hi</h1>' });
    expect(b!.message.ccRecipients?.map((r) => r.emailAddress.address)).toEqual(['y@contoso.com']);
  });

  it('renews the token once after a 401', async () => {
    const { gw } = graphLogger();
    await gw.mailer.sendMail({ subject: 'one', text: '1' });
    graph.state.valid.clear(); // the server forgets every token
    const before = graph.state.tokenRequests;
    const r = await gw.mailer.sendMail({ subject: 'two', text: '2' });
    await gw.close();
    expect(r.ok).toBe(true);
    expect(graph.state.tokenRequests).toBe(before + 1);
    expect(graph.state.sent.at(-1)!.message.subject).toBe('two');
  });

  it('reports failures without throwing; the client secret never reaches the log even when echoed', async () => {
    const wrong = 'Wr0ng~Graph~Secret~123';
    const { gw, out } = graphLogger(wrong);
    const r = await gw.mailer.sendMail({ subject: 's', text: 't' });
    gw.logger.info({ config: { email: { auth: { options: { clientSecret: wrong } } } } }, 'config');
    await gw.close();
    expect(r.ok).toBe(false);
    expect(r.error).toContain('401');
    expect(out.text()).toContain('AADSTS7000215');
    expect(out.text()).not.toContain(wrong);
    graph.state.failWith = 500;
    const { gw: gw2, out: out2 } = graphLogger();
    const r2 = await gw2.mailer.sendMail({ subject: 's', text: 't' });
    await gw2.close();
    graph.state.failWith = 0;
    expect(r2).toMatchObject({ ok: false });
    expect(out2.text()).toContain('mailbox unavailable');
  });

  it('a token endpoint answering without end is cut off at 1 MiB: the mail fails softly', async () => {
    let closed = 0;
    let sent = 0;
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":"');
      const timer = setInterval(() => {
        sent += 64 * 1024;
        res.write('a'.repeat(64 * 1024));
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        closed++;
      });
    });
    await new Promise<void>((ok) => endless.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
    try {
      const { gw } = graphLogger(GRAPH.clientSecret, 15, base);
      const r = await gw.mailer.sendMail({ subject: 's', text: 't' });
      await gw.close();
      expect(r.ok).toBe(false);
      expect(r.error).toContain('answer larger than 1048576 bytes');
      await expect.poll(() => closed).toBe(1);
      expect(sent).toBeLessThan(16 * 1024 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise((ok) => endless.close(ok));
    }
  });

  it('mails batched errors through Graph', async () => {
    const { gw } = graphLogger(GRAPH.clientSecret, 0.005);
    const before = graph.state.sent.length;
    gw.logger.error({ err: new Error('backend down') }, 'connector failed');
    await waitFor(() => graph.state.sent.length === before + 1, 5000, 'error mail via Graph');
    await gw.close();
    const mail = graph.state.sent.at(-1)!;
    expect(mail.message.subject).toBe('SCIM Gateway error');
    expect(mail.message.body.content).toContain('backend down');
  });
});

describe('Google Workspace Gmail via a service account', () => {
  function gmailLogger(sendInterval = 15) {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'connector-google',
      baseDir: tmp.dir,
      stdout: out,
      log: { loglevel: { console: 'debug' }, colorize: false },
      email: {
        // Relative, as in the seed config: found under <baseDir>/config/certs.
        auth: { type: 'oauth', options: { serviceAccountKeyFile: 'google-service-account.json' } },
        emailOnError: { enabled: true, from: 'scim@example.org', to: 'ops@example.org', sendInterval },
      },
      emailEndpoints: { gmail: gmail.base },
    });
    return { gw, out };
  }

  it('signs an RS256 JWT (iss, sub=from, gmail.send scope, aud=token_uri) and sends raw MIME', async () => {
    const { gw, out } = gmailLogger();
    const r = await gw.mailer.sendMail({ subject: 'Grüße from scimgw', text: 'line one\nline two' });
    const r2 = await gw.mailer.sendMail({ from: 'other@example.org', subject: 'Second sender', text: 'x' });
    await gw.close();
    expect(r).toMatchObject({ ok: true, id: expect.stringMatching(/^gm-msg-/) });
    expect(r2.ok).toBe(true);
    const claims = gmail.state.claims.slice(-2);
    expect(claims[0]).toMatchObject({ iss: CLIENT_EMAIL, sub: 'scim@example.org', aud: `${gmail.base}/token` });
    expect(claims[1]).toMatchObject({ sub: 'other@example.org' });
    const sent = gmail.state.sent.at(-2)!;
    expect(sent.user).toBe('scim@example.org');
    expect(sent.mime).toMatch(/^To: ops@example\.org/m);
    expect(sent.mime).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(sent.text).toMatch(/line one\r?\nline two/);
    expect(out.text()).not.toContain('PRIVATE KEY');
  });

  it('mails batched errors through Gmail', async () => {
    const { gw } = gmailLogger(0.005);
    const before = gmail.state.sent.length;
    gw.logger.error('gmail error path');
    await waitFor(() => gmail.state.sent.length === before + 1, 5000, 'error mail via Gmail');
    await gw.close();
    expect(gmail.state.sent.at(-1)!.text).toContain('gmail error path');
  });

  it('a missing key file fails softly', async () => {
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: tmp.dir,
      email: {
        auth: { type: 'oauth', options: { serviceAccountKeyFile: 'missing.json' } },
        emailOnError: { from: 'a@example.org', to: 'b@example.org' },
      },
      emailEndpoints: { gmail: gmail.base },
    });
    const r = await gw.mailer.sendMail({ subject: 's', text: 't' });
    await gw.close();
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ENOENT/);
  });
});
