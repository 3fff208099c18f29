/**
 * Base URL failover. A tenant lists one or more base URLs; requests go to the
 * one that last worked, and move on to the next only when a connection
 * cannot be established. The choice is sticky so a recovered primary does
 * not cause flapping; it is revisited only when the current one fails.
 */

/** Removes trailing slashes so joining never doubles them. */
function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Joins a base URL and a path. A path that is empty or starts with `?`
 * attaches to the base as is.
 */
export function joinUrl(base: string, path: string): string {
  const b = base.endsWith('/') ? trimBase(base) : base;
  if (path === '' || path.startsWith('?')) return b + path;
  return path.startsWith('/') ? b + path : `${b}/${path}`;
}

/** True for `http://` or `https://` URLs (case-insensitive). */
export function isAbsoluteUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** Appends query parameters, keeping any already in the URL. Undefined values are skipped. */
export function appendQuery(url: string, query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const qs = params.toString();
  if (qs === '') return url;
  return url + (url.includes('?') ? '&' : '?') + qs;
}

/** The sticky, ordered set of base URLs of one tenant. */
export class BaseUrlPool {
  readonly urls: readonly string[];
  #current = 0;

  constructor(urls: readonly string[]) {
    this.urls = urls.map(trimBase);
  }

  /** The base URL requests currently go to. */
  get current(): string | undefined {
    return this.urls[this.#current];
  }

  /** All base URLs, starting with the current one and wrapping around. */
  candidates(): readonly string[] {
    const n = this.urls.length;
    if (n === 1) return this.urls;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.urls[(this.#current + i) % n]!);
    return out;
  }

  /** Makes `base` the current URL after a connection to it succeeded. */
  succeeded(base: string): void {
    const i = this.urls.indexOf(base);
    if (i >= 0) this.#current = i;
  }

  /**
   * If `url` lies under one of the base URLs, returns the remainder, so that
   * absolute links handed back by the backend (`@odata.nextLink`) still get
   * failover and credentials. Otherwise `undefined`.
   */
  relativize(url: string): string | undefined {
    for (const base of this.urls) {
      if (url === base) return '';
      if (url.startsWith(base) && /^[/?]/.test(url.slice(base.length))) return url.slice(base.length);
    }
    return undefined;
  }

  /** True when `url` has the origin of one of the base URLs. */
  sameOrigin(url: string): boolean {
    try {
      const origin = new URL(url).origin;
      return this.urls.some((b) => new URL(b).origin === origin);
    } catch {
      return false;
    }
  }
}
