import { makeTestPki } from '@scimgw/testing-pki';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Decoded text of every body part, for greps. */
  text: string;
  user: string | undefined;
  secure: boolean;
}

/** Decodes a (possibly multipart) MIME message's bodies: quoted-printable and base64. */
export function decodeMime(raw: string): string {
  const msg = raw.replace(/\r\n/g, '\n');
  const split = msg.indexOf('\n\n');
  const head = split >= 0 ? msg.slice(0, split) : msg;
  const body = split >= 0 ? msg.slice(split + 2) : '';
  const boundary = /boundary="?([^";\n]+)"?/i.exec(head)?.[1];
  if (boundary && /content-type:\s*multipart/i.test(head)) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .map((part) => decodeMime(part.replace(/^\n/, '')))
      .join('\n');
  }
  const cte = /content-transfer-encoding:\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') {
    const bytes = body
      .replace(/=\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Starts a local SMTP server that records every message. */
export async function startSmtp(
  options: Partial<SMTPServerOptions> & { users?: Record<string, string> },
): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const users = options.users ?? {};
  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username && users[auth.username] === auth.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: decodeMime(raw),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
        });
        cb();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A throwaway self-signed certificate for 127.0.0.1 (the shared test PKI's untrusted one), or undefined when openssl is missing. */
export function selfSignedCert(_dir: string): { key: string; cert: string } | undefined {
  try {
    const pki = makeTestPki();
    return { key: pki.otherKey, cert: pki.otherCert };
  } catch {
    return undefined;
  }
}
