/**
 * @scimgw/logger-stream — logging for scimgw: pino JSON logs with secret
 * masking, per-sink levels (console, rotating file, live stream), the live
 * `/logger` Server-Sent Events stream with its browser page, and error e-mail
 * via SMTP, Exchange Online (Graph) or Gmail.
 *
 * @packageDocumentation
 */

export { createGatewayLogger } from './logger.js';
export type { CreateGatewayLoggerOptions, GatewayLogger, LogConfig } from './logger.js';

export { LEVEL_VALUES, levelValue } from './levels.js';
export type { Level, SinkLevel } from './levels.js';

export { createMasker, MASK } from './masking.js';
export type { Masker, MaskerOptions } from './masking.js';

export { isProbePath, requestLevel } from './request-log.js';
export type { RequestLogEntry } from './request-log.js';

export { ConsoleSink, colorByDefault, formatPretty } from './sinks/console-pretty.js';
export type { ConsoleSinkOptions } from './sinks/console-pretty.js';
export { RotatingFileSink } from './sinks/file-rotating.js';
export type { RotatingFileOptions } from './sinks/file-rotating.js';
export type { LineSink } from './sinks/types.js';

export { LogStreamHub } from './stream/hub.js';
export type { LogStreamHubOptions, StreamHandleOptions, StreamStats } from './stream/hub.js';
export { renderLoggerPage } from './stream/page.js';
export type { LoggerPageOptions } from './stream/page.js';

export { createMailer } from './mail/mailer.js';
export type { CreateMailerOptions, MailerLog, MailerWithErrorSink } from './mail/mailer.js';
export { ErrorMailBatcher } from './mail/batcher.js';
export type { ErrorMailBatcherOptions } from './mail/batcher.js';
export { MailHttpError } from './mail/http.js';
export type { FetchFn } from './mail/http.js';
export type {
  EmailConfig,
  EmailEndpoints,
  EmailOnErrorConfig,
  GmailAuthOptions,
  GraphAuthOptions,
  Mailer,
  MailMessage,
  MailResult,
  SmtpAuthOptions,
} from './mail/types.js';
export { emailConfigSchema, emailSection, logConfigSchema, logSection } from './config-schema.js';
