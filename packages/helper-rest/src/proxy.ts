/**
 * Outbound HTTP(S) proxy settings (`connection.proxy`).
 */
import { RestConfigError } from './errors.js';
import { parseProxyHost } from './schema.js';
import type { ProxyConfig } from './types.js';

/** A validated proxy. `url` never carries credentials; they travel in `authorization`. */
export interface ResolvedProxy {
  /** `http://host:port` without user-info. */
  url: string;
  username?: string;
  password?: string;
  /** `Basic …` value for `Proxy-Authorization`, when credentials are configured. */
  authorization?: string;
}

/**
 * Validates `connection.proxy`. `host` may be a URL (`http://proxy:3128`) or
 * `host:port`; credentials may be given separately or as URL user-info.
 * Returns `undefined` when no proxy is configured (`host` empty or null, as in
 * the seed's sample configs).
 */
export function resolveProxy(cfg: ProxyConfig | null | undefined): ResolvedProxy | undefined {
  if (!cfg?.host) return undefined;
  const u = parseProxyHost(cfg.host);
  if (typeof u === 'string') throw new RestConfigError(`proxy.host ${u}`);
  const username = cfg.username || decodeURIComponent(u.username) || undefined;
  const password = cfg.password || decodeURIComponent(u.password) || undefined;
  u.username = '';
  u.password = '';
  const out: ResolvedProxy = { url: u.origin };
  if (username !== undefined) {
    out.username = username;
    out.password = password ?? '';
    out.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  }
  return out;
}

/** The proxy as a URL with user-info, the form Bun's `fetch({ proxy })` takes. */
export function proxyUrlWithCredentials(p: ResolvedProxy): string {
  if (p.username === undefined) return p.url;
  const u = new URL(p.url);
  u.username = encodeURIComponent(p.username);
  u.password = encodeURIComponent(p.password ?? '');
  return u.toString().replace(/\/$/, '');
}
