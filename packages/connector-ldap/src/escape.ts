/**
 * Escaping of values placed into LDAP distinguished names (RFC 4514) and
 * search filters (RFC 4515). Every SCIM input that reaches an LDAP string
 * goes through one of these two functions — or through the typed DN and
 * filter ASTs that call them — so no input can change the shape of a DN or
 * a filter.
 */

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

/**
 * Escapes an assertion value for an RFC 4515 filter string: `*`, `(`, `)`,
 * `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`. A `Uint8Array` is
 * binary (an `objectGUID`, say): every byte that is not printable ASCII is
 * written as `\xx`, so bytes that are not UTF-8 survive.
 *
 * @param value - the raw value (not yet escaped)
 * @returns the escaped value, safe between `=` and `)`
 * @see RFC 4515 §3
 * @example
 * escapeFilterValue('*)(uid=*') // '\\2a\\29\\28uid=\\2a'
 */
export function escapeFilterValue(value: string | Uint8Array): string {
  if (typeof value !== 'string') {
    let out = '';
    for (const b of value) {
      const special = b === 0x2a || b === 0x28 || b === 0x29 || b === 0x5c;
      out += b >= 0x21 && b <= 0x7e && !special ? String.fromCharCode(b) : `\\${hex2(b)}`;
    }
    return out;
  }
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '*':
        out += '\\2a';
        break;
      case '(':
        out += '\\28';
        break;
      case ')':
        out += '\\29';
        break;
      case '\\':
        out += '\\5c';
        break;
      case '\0':
        out += '\\00';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** A value that has something to escape: a special, `=`, a control character, a leading `#`/space or a trailing space. */
const NEEDS_DN_ESCAPE = /["+,;<>\\=\x00-\x1f\x7f]|^[# ]| $/;

/** Characters RFC 4514 §2.4 requires to be escaped anywhere in a value. */
const DN_SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\']);

/**
 * Escapes an attribute value for an RFC 4514 DN string: the specials
 * `" + , ; < > \`, a leading `#` or space, a trailing space, `=` (not required,
 * but escaped so naive parsers elsewhere cannot mistake it) and control
 * characters (as `\xx`). Other characters, national ones included, are
 * kept as UTF-8.
 *
 * @param value - the raw value
 * @returns the escaped value, safe between `=` and the next `,` or `+`
 * @see RFC 4514 §2.4
 * @example
 * escapeDnValue(' Smith, John ') // '\\ Smith\\, John\\ '
 */
export function escapeDnValue(value: string): string {
  // Most values need nothing escaped: one scan instead of a walk per character.
  if (!NEEDS_DN_ESCAPE.test(value)) return value;
  const chars = [...value];
  let out = '';
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0) ?? 0;
    if (DN_SPECIAL.has(ch) || ch === '=') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${hex2(code)}`;
    else if (i === 0 && (ch === '#' || ch === ' ')) out += `\\${ch}`;
    else if (i === chars.length - 1 && ch === ' ') out += '\\ ';
    else out += ch;
  });
  return out;
}
