import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { hasBodies, stripBodies } from './bodies.js';
import { LEVEL_VALUES, OFF, levelName, levelValue } from './levels.js';
import { createMailer } from './mail/mailer.js';
import type { FetchFn } from './mail/http.js';
import type { EmailConfig, EmailEndpoints, GraphAuthOptions, Mailer, SmtpAuthOptions } from './mail/types.js';
import { createMasker } from './masking.js';
import { type RequestLogEntry, requestLevel, writeRequestLine } from './request-log.js';
import type { z } from '@scimgw/config';
import type { logConfigSchema } from './config-schema.js';
import { ConsoleSink } from './sinks/console-pretty.js';
import { RotatingFileSink } from './sinks/file-rotating.js';
import type { LineSink } from './sinks/types.js';
import { LogStreamHub, type LogStreamHubOptions } from './stream/hub.js';

/** The `log` section of the gateway configuration (seed shape; see {@link logConfigSchema}). */
export type LogConfig = z.input<typeof logConfigSchema>;

/** Options of {@link createGatewayLogger}. */
export interface CreateGatewayLoggerOptions {
  /** Logger name and log file base name, e.g. `connector-loki`. */
  name: string;
  log?: LogConfig;
  email?: EmailConfig;
  /** The gateway's base directory; the default log directory is `<baseDir>/logs`. */
  baseDir: string;
  /** Console target; `process.stdout` by default (tests pass a capture stream). */
  stdout?: NodeJS.WritableStream;
  /** fetch for the Graph and Gmail mail APIs; the global one by default. */
  fetch?: FetchFn;
  /** Mail API base URLs (tests point them at local emulators). */
  emailEndpoints?: EmailEndpoints;
  /** Live-stream tuning (heartbeat, backlog limits); level and title come from `log` and `name`. */
  stream?: Omit<LogStreamHubOptions, 'level' | 'title'>;
}

/** What the gateway holds on to: the logger, the live stream, the mailer and masking. */
export interface GatewayLogger {
  /** The JSON logger (masked). Create child loggers with `{ tenant, reqId }` bindings. */
  logger: Logger;
  /** A child logger for one request. */
  forRequest(bindings: { reqId: string; tenant?: string }): Logger;
  /** The one final line per request; bodies only where the level is debug; probes skipped. */
  logRequest(entry: RequestLogEntry): void;
  /** The live SSE stream: `stream.handle(req, res, { tenant })`. */
  stream: LogStreamHub;
  /** Error e-mail and `sendMail` for connectors. */
  mailer: Mailer;
  /** Masks secrets in any value (for code that stores or forwards values elsewhere). */
  mask(value: unknown): unknown;
  /** Pushes buffered log data out and waits for mails in flight. */
  flush(): Promise<void>;
  /** Sends pending error mail, ends live streams, closes the log file. */
  close(): Promise<void>;
}

interface Route {
  level: number;
  sink: LineSink;
  /** Strip request/response bodies before this sink (it is above debug). */
  lean: boolean;
}

const DEBUG = LEVEL_VALUES.debug!;
const ERROR = LEVEL_VALUES.error!;

/** The pino destination: routes each line to the sinks whose level it reaches. */
function fanout(routes: Route[]) {
  return {
    [pino.symbols.needsMetadataGsym]: true as const,
    lastLevel: 0,
    write(line: string): void {
      const level = this.lastLevel;
      let lean: string | undefined;
      for (const r of routes) {
        if (level < r.level) continue;
        try {
          if (r.lean && hasBodies(line)) r.sink.write((lean ??= stripBodies(line)), level);
          else r.sink.write(line, level);
        } catch {
          // A sink must never break the request that is logging.
        }
      }
    },
  };
}

function emailSecrets(email: EmailConfig | undefined): string[] {
  const o = email?.auth?.options as Partial<SmtpAuthOptions & GraphAuthOptions> | undefined;
  return [o?.password, o?.clientSecret].filter((s): s is string => typeof s === 'string');
}

/**
 * Builds the gateway's logging: a pino JSON logger whose every line is masked,
 * then routed to the console (pretty or JSON), a rotating file, the live
 * `/logger` stream and the error mail batcher, each at its own level.
 *
 * @param options - name, `log` and `email` config, base directory
 * @example
 * ```ts
 * const gw = createGatewayLogger({ name: 'connector-loki', baseDir: process.cwd(), log: config.log, email: config.email });
 * gw.logger.info('started');
 * gw.logRequest({ reqId: 'r1', method: 'GET', path: '/Users', status: 200, durationMs: 3.2 });
 * ```
 */
function requestLevelValue(status: number): number {
  return LEVEL_VALUES[requestLevel(status)] ?? 30;
}

export function createGatewayLogger(options: CreateGatewayLoggerOptions): GatewayLogger {
  const cfg = options.log ?? {};
  const masker = createMasker({ customMasking: cfg.customMasking ?? [], secretValues: emailSecrets(options.email) });
  const routes: Route[] = [];

  const consoleLevel = levelValue(cfg.loglevel?.console, 'off');
  if (consoleLevel !== OFF) {
    const sink = new ConsoleSink({ out: options.stdout ?? process.stdout, pretty: cfg.colorize ?? true });
    routes.push({ level: consoleLevel, sink, lean: consoleLevel > DEBUG });
  }
  const fileLevel = levelValue(cfg.loglevel?.file, 'off');
  let file: RotatingFileSink | undefined;
  if (fileLevel !== OFF) {
    file = new RotatingFileSink({
      file: join(cfg.logDirectory ?? join(options.baseDir, 'logs'), `${options.name}.log`),
      maxBytes: (cfg.maxSize ?? 20) * 1024 * 1024,
      maxFiles: cfg.maxFiles ?? 5,
    });
    routes.push({ level: fileLevel, sink: file, lean: fileLevel > DEBUG });
  }
  const stream = new LogStreamHub({
    ...options.stream,
    ...(cfg.loglevel?.push ? { level: cfg.loglevel.push } : {}),
    title: options.name,
  });
  routes.push({ level: stream.level, sink: stream, lean: false });

  let logger: Logger | undefined;
  const mailer = createMailer({
    email: options.email,
    name: options.name,
    baseDir: options.baseDir,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.emailEndpoints ? { endpoints: options.emailEndpoints } : {}),
    log: (level, fields, msg) => logger?.[level](fields, msg),
    onSecret: (s) => masker.addSecretValue(s),
  });
  if (mailer.errorSink) routes.push({ level: ERROR, sink: mailer.errorSink, lean: true });

  const minLevel = Math.min(...routes.map((r) => r.level));
  logger = pino(
    {
      name: options.name,
      level: minLevel === OFF ? 'silent' : levelName(minLevel),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (b) => masker.mask(b) as Record<string, unknown>,
        log: (o) => masker.mask(o) as Record<string, unknown>,
      },
      serializers: {
        msg: (m: unknown) => (typeof m === 'string' ? masker.maskString(m) : m),
        err: (e: unknown) => (e instanceof Error ? masker.mask(e) : e),
      },
    },
    fanout(routes),
  );
  const root = logger;
  // pino applies `formatters.bindings` to the root only, not to child bindings, so
  // mask those on the way in. Children are created with Object.create(parent), so
  // this own property on the root is inherited by every descendant.
  const pinoChild = root.child as unknown as (this: Logger, bindings: Record<string, unknown>, opts?: unknown) => Logger;
  const maskedChild = function (this: Logger, bindings: Record<string, unknown>, childOptions?: unknown): Logger {
    return pinoChild.call(this, masker.mask(bindings) as Record<string, unknown>, childOptions);
  };
  root.child = maskedChild as unknown as typeof root.child;

  return {
    logger: root,
    forRequest: ({ reqId, tenant }) => root.child(tenant === undefined ? { reqId } : { reqId, tenant }),
    // The request line is built only when a sink will take it: the live stream counts only
    // while someone is subscribed (it is on by default, and usually nobody listens).
    logRequest: (entry) => {
      const level = requestLevelValue(entry.status);
      if (!routes.some((r) => r.level <= level && (r.sink !== stream || stream.subscriberCount > 0))) return;
      writeRequestLine(root, entry, masker.mask);
    },
    stream,
    mailer,
    mask: masker.mask,
    async flush() {
      await file?.flush();
      await mailer.flush();
    },
    async close() {
      await mailer.close();
      stream.close();
      await file?.close();
    },
  };
}
