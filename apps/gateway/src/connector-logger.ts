/** Adapts a pino logger to the small logger interface connectors receive. */
import type { Logger } from '@scimgw/core';

type Level = 'debug' | 'info' | 'warn' | 'error';

interface PinoLike {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  isLevelEnabled?(level: string): boolean;
}

/**
 * A connector logger. `isLevelEnabled` (pino's name, optional for connectors) lets a connector
 * skip building lines that would be dropped, such as helper-rest's per-call debug lines.
 */
export type LevelAwareLogger = Logger & { isLevelEnabled(level: Level): boolean };

export function connectorLogger(p: PinoLike): LevelAwareLogger {
  return {
    debug: (msg, data) => p.debug(data ?? {}, msg),
    info: (msg, data) => p.info(data ?? {}, msg),
    warn: (msg, data) => p.warn(data ?? {}, msg),
    error: (msg, data) => p.error(data ?? {}, msg),
    isLevelEnabled: (level) => p.isLevelEnabled?.(level) ?? true,
  };
}

/**
 * A connector logger whose pino child is created on first use (most requests never log).
 * `levels` answers `isLevelEnabled` without creating the child (a child has its parent's level).
 */
export function lazyConnectorLogger(make: () => PinoLike, levels?: Pick<PinoLike, 'isLevelEnabled'>): LevelAwareLogger {
  let real: LevelAwareLogger | undefined;
  const get = () => (real ??= connectorLogger(make()));
  return {
    debug: (msg, data) => get().debug(msg, data),
    info: (msg, data) => get().info(msg, data),
    warn: (msg, data) => get().warn(msg, data),
    error: (msg, data) => get().error(msg, data),
    isLevelEnabled: (level) => (levels?.isLevelEnabled ? levels.isLevelEnabled(level) : get().isLevelEnabled(level)),
  };
}
