import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../src/index.js';
import { captureStream, tempDir, waitFor } from './helpers.js';
import { selfSignedCert, startSmtp } from './mail-helpers.js';

const tmp = tempDir();
const PASSWORD = 'Smtp-Pa55-word!';
let plain: Awaited<ReturnType<typeof startSmtp>>;
let tls: Awaited<ReturnType<typeof startSmtp>> | undefined;
const cert = selfSignedCert(tmp.dir);

beforeAll(async () => {
  // A relay without TLS: the STARTTLS command is switched off.
  plain = await startSmtp({ users: { 'gw@example.com': PASSWORD }, disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  if (cert) tls = await startSmtp({ users: { 'gw@example.com': PASSWORD }, key: cert.key, cert: cert.cert });
});
afterAll(async () => {
  await plain.close();
  await tls?.close();
  tmp.cleanup();
});

function smtpLogger(port: number, extra: Record<string, unknown> = {}, sendInterval = 15) {
  const out = captureStream();
  const gw = createGatewayLogger({
    name: 'connector-mail',
    baseDir: tmp.dir,
    stdout: out,
    log: { loglevel: { console: 'debug' }, colorize: false },
    email: {
      auth: { type: 'smtp', options: { host: '127.0.0.1', port, username: 'gw@example.com', password: PASSWORD, ...extra } },
      emailOnError: { enabled: true, from: 'gw@example.com', to: 'ops@example.com', cc: 'audit@example.com', sendInterval },
    },
  });
  return { gw, out };
}

describe('SMTP', () => {
  it('sends with AUTH to a relay without TLS when requireTLS is off', async () => {
    const { gw } = smtpLogger(plain.port, { requireTLS: false });
    const res = await gw.mailer.sendMail({ to: 'someone@example.com', subject: 'Hello', text: 'plain text body' });
    expect(res.ok).toBe(true);
    await gw.close();
    const mail = plain.mails.at(-1)!;
    expect(mail).toMatchObject({
      from: 'gw@example.com',
      to: ['someone@example.com', 'audit@example.com'],
      user: 'gw@example.com',
      secure: false,
    });
    expect(mail.raw).toMatch(/^Subject: Hello/m);
    expect(mail.text).toContain('plain text body');
  });

  it('refuses to send credentials in clear text by default (requireTLS) — and reports instead of throwing', async () => {
    const before = plain.mails.length;
    const { gw, out } = smtpLogger(plain.port);
    const res = await gw.mailer.sendMail({ subject: 'should not go', text: 'x' });
    await gw.close();
    expect(res.ok).toBe(false);
    expect(plain.mails.length).toBe(before);
    expect(out.text()).toContain('e-mail delivery failed');
    expect(out.text()).not.toContain(PASSWORD);
  });

  it('upgrades with STARTTLS and authenticates over TLS', async (ctx) => {
    if (!tls || !cert) ctx.skip('openssl not available to make a test certificate');
    const { gw } = smtpLogger(tls!.port, { tls: { ca: cert!.cert } });
    const res = await gw.mailer.sendMail({ subject: 'Over TLS', html: '<p>html <b>body</b></p>' });
    await gw.close();
    expect(res).toMatchObject({ ok: true });
    const mail = tls!.mails.at(-1)!;
    expect(mail.secure).toBe(true);
    expect(mail.user).toBe('gw@example.com');
    expect(mail.text).toContain('<b>body</b>');
  });

  it('rejects an untrusted certificate unless configured', async (ctx) => {
    if (!tls) ctx.skip('openssl not available to make a test certificate');
    const { gw } = smtpLogger(tls!.port);
    const res = await gw.mailer.sendMail({ subject: 'x', text: 'x' });
    await gw.close();
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/certificate/i);
  });

  it('a wrong password fails softly and the password never reaches the log', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: tmp.dir,
      stdout: out,
      log: { loglevel: { console: 'debug' }, colorize: false },
      email: {
        auth: {
          type: 'smtp',
          options: {
            host: '127.0.0.1',
            port: plain.port,
            username: 'gw@example.com',
            password: 'Wr0ng-Secret-99',
            requireTLS: false,
          },
        },
        emailOnError: { to: 'ops@example.com' },
      },
    });
    gw.logger.info({ email: { auth: { options: { password: 'Wr0ng-Secret-99' } } } }, 'config loaded');
    const res = await gw.mailer.sendMail({ subject: 'x', text: 'y' });
    await gw.close();
    expect(res.ok).toBe(false);
    expect(out.text()).toContain('e-mail delivery failed');
    expect(out.text()).toContain('Invalid login');
    expect(out.text()).not.toContain('Wr0ng-Secret-99');
  });

  it('never throws when nothing is configured', async () => {
    const gw = createGatewayLogger({ name: 'gw', baseDir: tmp.dir });
    expect(gw.mailer.configured).toBe(false);
    await expect(gw.mailer.sendMail({ subject: 's', text: 't' })).resolves.toMatchObject({ ok: false });
    await gw.close();
  });
});

describe('error e-mail batching', () => {
  it('batches errors and mails at most once per sendInterval', async () => {
    const before = plain.mails.length;
    // 0.01 minutes = 600 ms.
    const { gw } = smtpLogger(plain.port, { requireTLS: false }, 0.01);
    gw.logger.error('first failure');
    gw.forRequest({ reqId: 'r9', tenant: 'acme' }).error({ err: new Error('second failure') }, 'request failed');
    gw.logger.warn('only a warning');
    await waitFor(() => plain.mails.length === before + 1, 5000, 'first error mail');
    const first = plain.mails.at(-1)!;
    expect(first.raw).toMatch(/^Subject: connector-mail error/m);
    expect(first.text).toContain('first failure');
    expect(first.text).toContain('second failure');
    expect(first.text).toContain('[acme]');
    expect(first.text).not.toContain('only a warning');
    const sentAt = Date.now();
    gw.logger.error('third failure');
    gw.logger.error('fourth failure');
    await waitFor(() => plain.mails.length === before + 2, 5000, 'second error mail');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(400);
    const second = plain.mails.at(-1)!;
    expect(second.text).toContain('third failure');
    expect(second.text).toContain('fourth failure');
    expect(second.text).not.toContain('first failure');
    await gw.close();
    expect(plain.mails.length).toBe(before + 2);
  });

  it('close() sends what is pending at once, ignoring the interval', async () => {
    const before = plain.mails.length;
    const { gw } = smtpLogger(plain.port, { requireTLS: false }, 60);
    gw.logger.error('at shutdown');
    expect(plain.mails.length).toBe(before);
    await gw.close();
    await waitFor(() => plain.mails.length === before + 1, 5000, 'mail on close');
    expect(plain.mails.at(-1)!.text).toContain('at shutdown');
  });

  it('a failing mail server does not cause mail about mail', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: tmp.dir,
      stdout: out,
      log: { loglevel: { console: 'error' }, colorize: false },
      // Nothing listens on port 9 of loopback.
      email: {
        auth: { type: 'smtp', options: { host: '127.0.0.1', port: 9, requireTLS: false } },
        emailOnError: { enabled: true, from: 'a@example.com', to: 'b@example.com', sendInterval: 0.002 },
      },
    });
    gw.logger.error('trigger');
    await waitFor(() => out.text().includes('e-mail delivery failed'), 5000, 'failure logged');
    await new Promise((r) => setTimeout(r, 400));
    await gw.close();
    expect(out.text().match(/e-mail delivery failed/g)).toHaveLength(1);
  });
});
