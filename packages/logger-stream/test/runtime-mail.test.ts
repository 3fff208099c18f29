/**
 * Error e-mail over SMTP on Node and on Bun: the same script sends through the logger's mailer to
 * real SMTP servers (plain, STARTTLS) on both runtimes, and both must see the same.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive, type MailTargets } from './fixtures/mail-drive.js';
import { tempDir } from './helpers.js';
import { selfSignedCert, startSmtp } from './mail-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const bun = [
  process.env.BUN_BIN,
  resolve(here, '../../../node_modules/.bin/bun'),
  resolve(here, '../node_modules/.bin/bun'),
].find((c) => c && existsSync(c));
const tmp = tempDir();
const cert = selfSignedCert(tmp.dir);
const USER = 'gw@example.com';
const PASSWORD = 'Smtp-Rt-Pa55!';

let plain: Awaited<ReturnType<typeof startSmtp>>;
let tls: Awaited<ReturnType<typeof startSmtp>>;
let targets: MailTargets;
beforeAll(async () => {
  if (!cert) return;
  plain = await startSmtp({ users: { [USER]: PASSWORD }, disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  tls = await startSmtp({ users: { [USER]: PASSWORD }, key: cert.key, cert: cert.cert });
  targets = { plainPort: plain.port, tlsPort: tls.port, cert: cert.cert, username: USER, password: PASSWORD };
});
afterAll(async () => {
  await plain?.close();
  await tls?.close();
  tmp.cleanup();
});

const EXPECTED = {
  plain: { ok: true },
  plainRefused: { ok: false, certificate: false, login: false },
  startTls: { ok: true },
  untrusted: { ok: false, certificate: true, login: false },
  wrongPassword: { ok: false, certificate: false, login: true },
  secretsLogged: false,
};

/** The mails that arrived since `plainFrom` / `tlsFrom`: subject and whether over TLS. */
function arrived(plainFrom: number, tlsFrom: number) {
  return [...plain.mails.slice(plainFrom), ...tls.mails.slice(tlsFrom)].map((m) => ({
    subject: /^Subject: (.*)$/m.exec(m.raw)?.[1],
    user: m.user,
    secure: m.secure,
  }));
}
const DELIVERED = [
  { subject: 'plain', user: USER, secure: false },
  { subject: 'starttls', user: USER, secure: true },
];

describe.skipIf(!cert)('error e-mail on both runtimes', () => {
  it('on Node', async () => {
    const [p, t] = [plain.mails.length, tls.mails.length];
    expect(await drive(targets)).toEqual({ runtime: 'node', ...EXPECTED });
    expect(arrived(p, t)).toEqual(DELIVERED);
  });

  it('on Bun', async () => {
    if (!bun) throw new Error('bun not found: it is a dev dependency of @scimgw/logger-stream (pnpm install), or set BUN_BIN');
    const [p, t] = [plain.mails.length, tls.mails.length];
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        bun,
        [join(here, 'fixtures', 'bun-mail.ts'), JSON.stringify(targets)],
        { cwd: resolve(here, '..'), timeout: 60_000 },
        (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
      ),
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ runtime: 'bun', ...EXPECTED });
    expect(arrived(p, t)).toEqual(DELIVERED);
  }, 90_000);
});
