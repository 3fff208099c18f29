/** Sizes in a configuration file: bytes, or a number with `b`, `kb`, `mb` or `gb`. */
import { z } from '@scimgw/config';
import { ConfigError } from './errors.js';

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i;

/** A size setting: checked when the file is read, so a bad one is named by `check-config`. */
export function sizeSetting(defaultSize: string, description: string) {
  return z
    .union([z.number().int().min(1), z.string().regex(SIZE, 'must be bytes, or a size like "500kb", "20mb", "1gb"')])
    .default(defaultSize)
    .describe(description);
}

/** Parses a size like `1mb`, `500kb`, `2048` into bytes; `path` names the setting in the error. */
export function parseSize(v: number | string, path = 'scimgateway.payloadSize'): number {
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v);
  if (!m) throw new ConfigError(path, `cannot read size "${v}"`);
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(m[1]) * mult);
}
