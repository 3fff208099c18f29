/**
 * Which attribute, header and element names hold secrets. Matching is
 * case-insensitive and ignores separators, so `client_secret`, `clientSecret`
 * and `Client-Secret` are one name; URN- and dot-qualified names are judged by
 * their last segment (`urn:…:User:password`, `credentials.password`).
 */

/** Names that are secret exactly as they are (after normalising). */
const EXACT = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'pass',
  'pwd',
  'pin',
  'passcode',
  'sas',
  'otp',
]);

/** A name containing one of these is secret (`userPassword`, `clientSecret`, `refresh_token`, `x-api-key` …). */
const FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'accesskey',
  'sharedkey',
  'credential',
  'clientassertion',
  'sessionid',
];

/**
 * …unless it ends in one of these: such names describe a secret (where to get
 * it, when it expires, what kind it is) without being one, and masking them
 * would hide what an operator needs for troubleshooting.
 */
const NOT_SECRET_SUFFIXES = [
  'url',
  'uri',
  'endpoint',
  'file',
  'path',
  'type',
  'expiresin',
  'expiresat',
  'expires',
  'expiry',
  'length',
  'count',
  'enabled',
  'required',
  'policy',
  'lastset',
];

/**
 * Lower-case words whose presence in a string means it may hold a secret worth
 * scanning for; strings without any of them are returned untouched cheaply.
 */
export const TEXT_TRIGGERS: readonly string[] = [
  'pass',
  'pwd',
  'pin',
  'secret',
  'token',
  'api-key',
  'api_key',
  'apikey',
  'private',
  'credential',
  'authorization',
  'bearer',
  'basic ',
  'cookie',
  'accesskey',
  'sharedkey',
  'assertion',
  'session',
  'otp',
  'sas',
  '://',
];

/** Lower-cases and strips everything but letters and digits. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Last segment of an attribute path: `emails[type eq "work"].value` → `value`,
 * `urn:ietf:params:scim:schemas:core:2.0:User:password` → `password`.
 */
export function lastSegment(path: string): string {
  const noFilters = path.replace(/\[[^\]]*\]/g, '');
  const afterColon = noFilters.slice(noFilters.lastIndexOf(':') + 1);
  return afterColon.slice(afterColon.lastIndexOf('.') + 1);
}

/**
 * Builds the name test used by the masker.
 *
 * @param custom - extra names (`log.customMasking`), matched exactly after normalising
 * @returns a predicate telling whether a key/path/element name holds a secret
 */
export function sensitiveNameTest(custom: readonly string[] = []): (name: string) => boolean {
  const customSet = new Set(custom.map(normalizeName).filter((n) => n.length > 0));
  const cache = new Map<string, boolean>();
  const test = (name: string): boolean => {
    const seg = normalizeName(lastSegment(name));
    if (seg.length === 0) return false;
    if (customSet.has(seg) || customSet.has(normalizeName(name))) return true;
    if (EXACT.has(seg)) return true;
    if (NOT_SECRET_SUFFIXES.some((s) => seg.endsWith(s))) return false;
    return seg.endsWith('pwd') || FRAGMENTS.some((f) => seg.includes(f));
  };
  return (name: string): boolean => {
    let hit = cache.get(name);
    if (hit === undefined) {
      hit = test(name);
      // Key names repeat endlessly in logs; a bounded cache keeps the hot path cheap.
      if (cache.size > 5000) cache.clear();
      cache.set(name, hit);
    }
    return hit;
  };
}
