import type { z } from '@scimgw/config';
import type { emailConfigSchema } from '../config-schema.js';

/** SMTP server and credentials (`email.auth.type: "smtp"`). */
export interface SmtpAuthOptions {
  host: string;
  /** Default 587 (STARTTLS); 465 means implicit TLS. */
  port?: number;
  username?: string;
  password?: string;
  /** Implicit TLS from the first byte. Default: `port === 465`. */
  secure?: boolean;
  /**
   * Refuse to send without STARTTLS. Default `true` when a username is set and
   * `secure` is off, so credentials never cross the wire in clear text; set
   * `false` for a trusted relay that offers no TLS.
   */
  requireTLS?: boolean;
  /** TLS settings, e.g. `{ ca }` for a private CA or `{ rejectUnauthorized: false }` for a lab server. */
  tls?: { ca?: string | string[]; rejectUnauthorized?: boolean; servername?: string };
}

/** Microsoft Exchange Online through Microsoft Graph (`email.auth.type: "oauth"`). */
export interface GraphAuthOptions {
  azureTenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Google Workspace Gmail with a domain-wide-delegated service account (`email.auth.type: "oauth"`). */
export interface GmailAuthOptions {
  /** Path of the service account's JSON key; relative paths are resolved against the gateway's base directory. */
  serviceAccountKeyFile: string;
}

/** The `email` section of the gateway configuration (seed shape; see {@link emailConfigSchema}). */
export type EmailConfig = z.input<typeof emailConfigSchema>;

/** `email.emailOnError`: send logged errors by e-mail, batched. */
export type EmailOnErrorConfig = NonNullable<EmailConfig['emailOnError']>;

/** Base URLs of the mail APIs; overridable so tests can run against local emulators. */
export interface EmailEndpoints {
  /** Default `https://login.microsoftonline.com`. */
  microsoftLogin?: string;
  /** Default `https://graph.microsoft.com`. */
  graph?: string;
  /** Default `https://gmail.googleapis.com`. */
  gmail?: string;
  /** Overrides the service account file's `token_uri`. */
  googleToken?: string;
}

/** A message sent through {@link Mailer.sendMail}. Missing `from`/`to`/`cc` default to `emailOnError`. */
export interface MailMessage {
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  subject: string;
  text?: string;
  html?: string;
}

/** Outcome of a send. The mailer never throws; failures come back here (masked) and are logged. */
export interface MailResult {
  ok: boolean;
  /** Provider message id when known. */
  id?: string;
  error?: string;
}

/** A message with every address resolved. */
export interface ResolvedMail {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text?: string;
  html?: string;
}

/** One way of delivering mail (SMTP, Graph, Gmail). May throw; the mailer catches. */
export interface MailTransport {
  readonly kind: 'smtp' | 'graph' | 'gmail';
  send(mail: ResolvedMail): Promise<{ id?: string }>;
  close?(): void;
}

/** Sends e-mail for the gateway and its connectors. */
export interface Mailer {
  /** Whether an `email.auth` transport is configured. */
  readonly configured: boolean;
  /**
   * Sends one message. Never throws and never rejects: a failure is logged
   * (masked) and reported in the result.
   *
   * @example
   * ```ts
   * await gw.mailer.sendMail({ to: 'ops@example.com', subject: 'Sync done', text: '42 users' });
   * ```
   */
  sendMail(message: MailMessage): Promise<MailResult>;
  /** Waits for sends in flight. */
  flush(): Promise<void>;
  /** Sends any pending error batch now, waits for it, releases connections. */
  close(): Promise<void>;
}
