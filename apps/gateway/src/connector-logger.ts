/** Adapts a pino logger to the small logger interface connectors receive. */
import type { Logger } from '@scimgw/core';

interface PinoLike {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function connectorLogger(p: PinoLike): Logger {
  return {
    debug: (msg, data) => p.debug(data ?? {}, msg),
    info: (msg, data) => p.info(data ?? {}, msg),
    warn: (msg, data) => p.warn(data ?? {}, msg),
    error: (msg, data) => p.error(data ?? {}, msg),
  };
}

/** A connector logger whose pino child is created on first use (most requests never log). */
export function lazyConnectorLogger(make: () => PinoLike): Logger {
  let real: Logger | undefined;
  const get = () => (real ??= connectorLogger(make()));
  return {
    debug: (msg, data) => get().debug(msg, data),
    info: (msg, data) => get().info(msg, data),
    warn: (msg, data) => get().warn(msg, data),
    error: (msg, data) => get().error(msg, data),
  };
}
