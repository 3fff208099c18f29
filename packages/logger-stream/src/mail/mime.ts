import { createTransport } from 'nodemailer';
import type { ResolvedMail } from './types.js';

// nodemailer's stream transport composes a complete RFC 5322 message (encoded
// headers, multipart text/html) without sending it: exactly what Gmail's API wants.
let composer: ReturnType<typeof makeComposer> | undefined;
function makeComposer() {
  return createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
}

/**
 * Builds the raw MIME message for APIs that take one (Gmail `messages.send`).
 *
 * @param mail - a resolved message
 * @returns the message bytes
 */
export async function buildMime(mail: ResolvedMail): Promise<Buffer> {
  composer ??= makeComposer();
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
