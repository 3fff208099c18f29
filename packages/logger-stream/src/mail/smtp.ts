import type { Transporter } from 'nodemailer';
import type { MailTransport, ResolvedMail, SmtpAuthOptions } from './types.js';

/**
 * SMTP delivery through nodemailer: implicit TLS on 465, STARTTLS elsewhere
 * (required whenever credentials are sent, unless `requireTLS: false`), AUTH
 * with the configured username and password.
 *
 * @param options - `email.auth.options` of an SMTP set-up
 * @returns a transport for the mailer
 */
export function createSmtpTransport(options: SmtpAuthOptions): MailTransport {
  const port = options.port ?? 587;
  const secure = options.secure ?? port === 465;
  const hasAuth = typeof options.username === 'string' && options.username.length > 0;
  // nodemailer is loaded on first use: most gateways never send mail, and it costs memory at start.
  let transporter: Transporter | undefined;
  const config = {
    host: options.host,
    port,
    secure,
    requireTLS: options.requireTLS ?? (hasAuth && !secure),
    ...(hasAuth ? { auth: { user: options.username!, pass: options.password ?? '' } } : {}),
    ...(options.tls ? { tls: { ...options.tls } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const get = async () => (transporter ??= (await import('nodemailer')).createTransport(config));
  return {
    kind: 'smtp',
    async send(mail: ResolvedMail) {
      const info = await (await get()).sendMail({
        from: mail.from,
        to: mail.to,
        ...(mail.cc.length > 0 ? { cc: mail.cc } : {}),
        subject: mail.subject,
        ...(mail.text !== undefined ? { text: mail.text } : {}),
        ...(mail.html !== undefined ? { html: mail.html } : {}),
      });
      return { id: info.messageId };
    },
    close() {
      transporter?.close();
    },
  };
}
