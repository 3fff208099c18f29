/**
 * The one logger shape every scimgw package accepts (connectors, auth, helper-rest …). pino,
 * `console` and the gateway's logger all fit; packages never import a logging library for it.
 */
export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  /**
   * Optional (pino's name): `false` when lines of `level` are dropped anyway, so a caller can skip
   * building them. Without it, every line is built and handed over.
   */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}
