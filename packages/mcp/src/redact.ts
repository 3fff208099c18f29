/**
 * Tool arguments as they may be logged: values of write-only attributes (passwords) and of keys
 * that name secrets replaced, before the arguments reach any logger. Hosts mask their logs too;
 * this keeps the package safe with a logger that does not.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '********';

/** The attribute a PATCH path addresses (`name.givenName` → `name`, `urn:…:2.0:User:x.y` → `urn:…:2.0:User:x`). */
function attributeOf(path: string): string {
  const plain = path.replace(/\[.*$/, '');
  if (/^urn:/i.test(plain)) {
    const i = plain.lastIndexOf(':');
    return `${plain.slice(0, i + 1)}${plain.slice(i + 1).split('.')[0] ?? ''}`;
  }
  return plain.split('.')[0] ?? '';
}

const SECRET_NAME = /pass(word|phrase)?$|secret|token|credential|api_?key|private_?key/i;
const MAX_DEPTH = 32;

/**
 * A copy of `value` with secrets redacted: keys whose name is in `hidden` (lower-case attribute
 * names, `urn:…:name` for extensions) or looks like a secret, and the `value` of PATCH operations
 * whose `path` names such an attribute.
 *
 * @example redactArguments({ user: { userName: 'b', password: 'x' } }, new Set(['password'])) // { user: { userName: 'b', password: '********' } }
 */
export function redactArguments(value: unknown, hidden: ReadonlySet<string>): unknown {
  const secretKey = (name: string) => {
    const k = name.toLowerCase();
    const plain = k.slice(k.lastIndexOf(':') + 1);
    return hidden.has(k) || SECRET_NAME.test(plain);
  };
  // `prefix`: the extension URN (lower-case, with a trailing ':') whose attributes `v` holds.
  const walk = (v: unknown, depth: number, prefix: string): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (depth > MAX_DEPTH) return '[too deep]';
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1, prefix));
    const obj = v as Record<string, unknown>;
    const path = typeof obj.path === 'string' ? attributeOf(obj.path) : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) {
      if (secretKey(`${prefix}${k}`) && x !== null && x !== undefined && x !== '') out[k] = REDACTED;
      else if (k === 'value' && path !== undefined && secretKey(path)) out[k] = REDACTED;
      else out[k] = walk(x, depth + 1, /^urn:/i.test(k) ? `${k.toLowerCase()}:` : prefix);
    }
    return out;
  };
  return walk(value, 0, '');
}
