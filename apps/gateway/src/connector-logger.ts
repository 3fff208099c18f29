/** Adapts a pino logger to the small logger interface connectors receive. */
import type { ConnectorLogger } from '@scimgw/core';

interface PinoLike {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function connectorLogger(p: PinoLike): ConnectorLogger {
  return {
    debug: (msg, data) => p.debug(data ?? {}, msg),
    info: (msg, data) => p.info(data ?? {}, msg),
    warn: (msg, data) => p.warn(data ?? {}, msg),
    error: (msg, data) => p.error(data ?? {}, msg),
  };
}
