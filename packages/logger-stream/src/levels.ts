/**
 * Log levels as configured in `log.loglevel.*`. The gateway uses four of
 * pino's levels; `off` disables a sink entirely.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

/** A sink level: one of {@link Level} or `off`. */
export type SinkLevel = Level | 'off';

/** pino's numeric values for the levels we use (trace and fatal map onto their neighbours). */
export const LEVEL_VALUES: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** Numeric value meaning "nothing passes". */
export const OFF = Number.POSITIVE_INFINITY;

/**
 * Parses a configured level. Unknown or empty values fall back to `fallback`,
 * because a typo in a config file should not silence or flood the logs.
 *
 * @param value - the configured value, e.g. `"info"`, `"OFF"`, `undefined`
 * @param fallback - used when `value` is missing or unknown
 * @returns the numeric level, or {@link OFF}
 */
export function levelValue(value: unknown, fallback: SinkLevel): number {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (v === 'off' || v === 'silent' || v === 'none') return OFF;
  // Own entries only: `constructor` and `__proto__` (lower-case already) are inherited names.
  const n = Object.hasOwn(LEVEL_VALUES, v) ? LEVEL_VALUES[v] : undefined;
  if (n !== undefined) return n;
  return fallback === 'off' ? OFF : (LEVEL_VALUES[fallback] ?? LEVEL_VALUES.info!);
}

/**
 * Name of a numeric level (`30` → `info`), for display.
 *
 * @param value - a pino level number
 */
export function levelName(value: number): string {
  let best = 'trace';
  for (const [name, n] of Object.entries(LEVEL_VALUES)) if (value >= n) best = name;
  return best;
}
