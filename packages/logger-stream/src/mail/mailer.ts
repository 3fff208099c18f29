import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ErrorMailBatcher } from './batcher.js';
import { createGmailTransport } from './gmail.js';
import { createGraphTransport } from './graph.js';
import type { FetchFn } from './http.js';
import { createSmtpTransport } from './smtp.js';
import type {
  EmailConfig,
  EmailEndpoints,
  GmailAuthOptions,
  GraphAuthOptions,
  Mailer,
  MailMessage,
  MailResult,
  MailTransport,
  SmtpAuthOptions,
} from './types.js';

/** How the mailer reports its own trouble (wired to the gateway logger, which masks). */
export type MailerLog = (level: 'warn' | 'error', fields: Record<string, unknown>, msg: string) => void;

/** Options of {@link createMailer}. */
export interface CreateMailerOptions {
  email: EmailConfig | undefined;
  /** Gateway/connector name, used in the default subject. */
  name: string;
  /** Relative key file paths resolve against this. */
  baseDir: string;
  fetch?: FetchFn;
  endpoints?: EmailEndpoints;
  log: MailerLog;
  /** Told about secrets discovered at run time (the Gmail private key). */
  onSecret?: (secret: string) => void;
}

/** A mailer plus the sink that batches error lines into mails (absent when `emailOnError` is off). */
export interface MailerWithErrorSink extends Mailer {
  readonly errorSink: ErrorMailBatcher | undefined;
}

/** Marker on the mailer's own log lines, so its failures are not mailed (no mail-about-mail loops). */
export const MAILER_COMPONENT = 'mailer';

function list(v: string | string[] | null | undefined): string[] {
  if (v === null || v === undefined) return [];
  return (Array.isArray(v) ? v : v.split(/[,;]/)).map((s) => s.trim()).filter((s) => s.length > 0);
}

function resolveKeyFile(file: string, baseDir: string): string {
  if (isAbsolute(file)) return file;
  const candidates = [join(baseDir, file), join(baseDir, 'config', file), join(baseDir, 'config', 'certs', file)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

function pickTransport(o: CreateMailerOptions): MailTransport | undefined {
  const auth = o.email?.auth;
  if (!auth?.options) return undefined;
  const fetchFn = o.fetch ?? globalThis.fetch;
  const ep = o.endpoints ?? {};
  if (auth.type === 'smtp') {
    const smtp = auth.options as SmtpAuthOptions;
    return typeof smtp.host === 'string' && smtp.host ? createSmtpTransport(smtp) : undefined;
  }
  if ('serviceAccountKeyFile' in auth.options) {
    const g = auth.options as GmailAuthOptions;
    return createGmailTransport({
      fetch: fetchFn,
      gmailBase: ep.gmail ?? 'https://gmail.googleapis.com',
      ...(ep.googleToken ? { tokenUri: ep.googleToken } : {}),
      keyFile: resolveKeyFile(g.serviceAccountKeyFile, o.baseDir),
      ...(o.onSecret ? { onSecret: o.onSecret } : {}),
    });
  }
  if ('azureTenantId' in auth.options) {
    return createGraphTransport(auth.options as GraphAuthOptions, {
      fetch: fetchFn,
      loginBase: ep.microsoftLogin ?? 'https://login.microsoftonline.com',
      graphBase: ep.graph ?? 'https://graph.microsoft.com',
    });
  }
  return undefined;
}

/**
 * Creates the mailer from the `email` section: SMTP, Exchange Online (Graph) or
 * Gmail, chosen by `auth.type` and the option names. `sendMail` never throws.
 * With `emailOnError.enabled`, `errorSink` batches error lines into mails at
 * most once per `sendInterval` minutes.
 *
 * @param options - config, name, base directory, logging hook
 */
export function createMailer(options: CreateMailerOptions): MailerWithErrorSink {
  const onError = options.email?.emailOnError;
  const smtpUser = options.email?.auth?.type === 'smtp' ? (options.email.auth.options as SmtpAuthOptions).username : undefined;
  const inflight = new Set<Promise<MailResult>>();
  let transport: MailTransport | undefined;
  try {
    transport = pickTransport(options);
  } catch (err) {
    options.log('error', { component: MAILER_COMPONENT, err }, 'e-mail transport could not be created');
  }
  if (options.email?.auth && !transport) {
    options.log('warn', { component: MAILER_COMPONENT }, 'email.auth is incomplete: e-mail disabled');
  }

  const deliver = async (message: MailMessage): Promise<MailResult> => {
    try {
      if (!transport) return { ok: false, error: 'e-mail is not configured (email.auth)' };
      const from = message.from ?? onError?.from ?? smtpUser;
      const to = list(message.to ?? onError?.to);
      const cc = list(message.cc ?? onError?.cc);
      if (!from || to.length === 0) throw new Error('e-mail needs a sender (from) and at least one recipient (to)');
      const mail = { from, to, cc, subject: message.subject, text: message.text, html: message.html };
      if (mail.text === undefined && mail.html === undefined) mail.text = '';
      const { id } = await transport.send(mail);
      return id ? { ok: true, id } : { ok: true };
    } catch (err) {
      options.log('error', { component: MAILER_COMPONENT, transport: transport?.kind, err }, 'e-mail delivery failed');
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };

  const sendMail = (message: MailMessage): Promise<MailResult> => {
    const p = deliver(message);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  };

  const errorSink =
    onError?.enabled && transport
      ? new ErrorMailBatcher({
          intervalMs: (onError.sendInterval ?? 15) * 60_000,
          ignore: (line) => line.includes(`"component":"${MAILER_COMPONENT}"`),
          deliver: (entries, omitted) => {
            const more = omitted > 0 ? `\n…and ${omitted} more error(s) not listed.\n` : '';
            const text = `${entries.length + omitted} error(s) logged by ${options.name} on ${hostname()}:\n\n${entries.join('\n')}${more}`;
            return sendMail({ subject: onError.subject ?? `${options.name} error`, text });
          },
        })
      : undefined;

  return {
    configured: transport !== undefined,
    errorSink,
    sendMail,
    async flush() {
      await errorSink?.flush();
      await Promise.all([...inflight]);
    },
    async close() {
      await errorSink?.close();
      await Promise.all([...inflight]);
      transport?.close?.();
    },
  };
}
