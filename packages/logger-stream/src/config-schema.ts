/**
 * The `log` and `email` sections of a gateway configuration, declared once: the validators the
 * gateway's configuration loader runs and the JSON Schema editors use (the older scimgateway
 * product's shapes).
 */
import { configSection, z } from '@scimgw/config';

const sinkLevel = z.enum(['off', 'debug', 'info', 'warn', 'error']);

/** Zod schema of the `log` section. */
export const logConfigSchema = z
  .strictObject({
    loglevel: z
      .strictObject({
        file: sinkLevel.default('off').describe('Level of the log file; off writes no files at all'),
        console: sinkLevel.default('off').describe('Level of the console'),
        push: sinkLevel.default('info').describe('Level of the live /logger stream; off turns it off'),
      })
      .prefault({})
      .describe('Level per sink'),
    logDirectory: z.string().nullish().describe('Directory of log files; default <base>/logs'),
    customMasking: z.array(z.string()).nullish().describe('More attribute names to mask in logs'),
    colorize: z.boolean().default(true).describe('Human-readable coloured console lines; false writes JSON lines'),
    maxSize: z.number().positive().default(20).describe('Rotate the log file at this many MB'),
    maxFiles: z.number().int().min(1).default(5).describe('Log files kept, the active one included'),
  })
  .describe('Logging');

const smtpOptions = z.strictObject({
  host: z.string().min(1).describe('SMTP server'),
  port: z.number().int().min(1).max(65535).optional().describe('Default 587 (STARTTLS); 465 means implicit TLS'),
  username: z.string().optional(),
  password: z.string().optional(),
  secure: z.boolean().optional().describe('Implicit TLS from the first byte; default port === 465'),
  requireTLS: z.boolean().optional().describe('Refuse to send without STARTTLS; default true when a username is set'),
  tls: z
    .strictObject({
      ca: z.union([z.string(), z.array(z.string())]).optional(),
      rejectUnauthorized: z.boolean().optional(),
      servername: z.string().optional(),
    })
    .optional(),
});
const graphOptions = z.strictObject({
  azureTenantId: z.string().min(1).describe('Entra ID tenant of the sending mailbox'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});
const gmailOptions = z.strictObject({
  serviceAccountKeyFile: z
    .string()
    .min(1)
    .describe("JSON key of a domain-wide-delegated service account, relative to the gateway's base directory"),
});
const recipients = z.union([z.string(), z.array(z.string())]).nullish();

/** Zod schema of the `email` section. */
export const emailConfigSchema = z
  .strictObject({
    auth: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('smtp'), options: smtpOptions }),
        z.strictObject({ type: z.literal('oauth'), options: z.union([graphOptions, gmailOptions]) }),
      ])
      .optional()
      .describe('How mail is sent: SMTP, Exchange Online (Graph) or Gmail'),
    emailOnError: z
      .strictObject({
        enabled: z.boolean().default(false).describe('E-mail error-level log lines, in batches'),
        from: z.string().nullish().describe('Sender; for Graph and Gmail the mailbox that sends'),
        to: recipients.describe('One address, a comma-separated list or an array'),
        cc: recipients,
        subject: z.string().nullish().describe('Default "<name> error"'),
        sendInterval: z.number().positive().default(15).describe('Minutes between two error mails at most'),
      })
      .prefault({}),
  })
  .describe('E-mail');

/** The `log` section as a configuration section. */
export const logSection = configSection(logConfigSchema, { title: 'scimgw log section' });
/** The `email` section as a configuration section. */
export const emailSection = configSection(emailConfigSchema, { title: 'scimgw email section' });
