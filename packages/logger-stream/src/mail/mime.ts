import type { Transporter } from 'nodemailer';
import type { ResolvedMail } from './types.js';

// nodemailer's stream transport composes a complete RFC 5322 message (encoded
// headers, multipart text/html) without sending it: exactly what Gmail's API wants.
// Loaded on first use, like the SMTP transport.
let composer: Transporter | undefined;
async function makeComposer(): Promise<Transporter> {
  return (await import('nodemailer')).createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
}

/**
 * Builds the raw MIME message for APIs that take one (Gmail `messages.send`).
 *
 * @param mail - a resolved message
 * @returns the message bytes
 */
export async function buildMime(mail: ResolvedMail): Promise<Buffer> {
  composer ??= await makeComposer();
  const info = await composer.sendMail({
    from: mail.from,
    to: mail.to,
    ...(mail.cc.length > 0 ? { cc: mail.cc } : {}),
    subject: mail.subject,
    ...(mail.text !== undefined ? { text: mail.text } : {}),
    ...(mail.html !== undefined ? { html: mail.html } : {}),
  });
  const message = info.message;
  return Buffer.isBuffer(message) ? message : Buffer.from(String(message));
}
